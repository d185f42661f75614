/**
 * E1: 100,000 spans end to end, zerotel against OpenTelemetry JS (@opentelemetry/sdk-trace's
 * TracerProvider and BatchSpanProcessor with @opentelemetry/exporter-trace-otlp-grpc), following the
 * end-to-end rules of the shared workloads document:
 *
 * - the receiver (bench/otlp-receiver.ts) is a @grpc/grpc-js server on 127.0.0.1 in a process of its
 *   own that only counts spans by walking the wire format;
 * - every producer run (bench/otlp-producer.ts) is a fresh process with one SDK loaded, making the same
 *   spans with the same batch settings (512 per export, queue 2048, delay 200 ms, gzip off); it waits
 *   whenever 2,048 spans are unacknowledged, so no queue drops a span;
 * - a run counts only if the receiver counted exactly the spans made (100,000), no export failed and
 *   no span was dropped; anything else fails the measure with the figures.
 *
 * Producers run with plain `node` and no loader, so their memory is the SDK's and not a transpiler's:
 * the sources they need (lib/, the two bench helpers, bench/workloads.ts) are transpiled with the
 * `typescript` devDependency into a temporary directory (whose `node_modules` links to the project's),
 * removed afterwards. A bare process (the producer script with no SDK loaded) gives the baseline RSS.
 *
 * Figures: time per span (µs/span, lower is better, so the framework's ratio peer / zerotel is
 * zerotel's spans/s over the peer's) with spans/s in the notes; peak RSS of the producer (MiB).
 * Medians over the runs; contenders alternate (A B, B A, ...) after one unrecorded warm-up run each.
 * `--quick` makes fewer, smaller runs (20,000 spans), and its measure names say so.
 *
 * Alone: `tsx bench/cases/otlp-e2e.ts [--quick] [--api]` prints the figures (`--api`: spans made
 * through @opentelemetry/api, the `otlp-e2e-api` group);
 * `tsx bench/cases/otlp-e2e.ts --profile DIR` runs one zerotel producer under `node --cpu-prof`
 * (and `--heap-prof`) writing the profiles to DIR.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchGroup, BenchOptions, MeasureResult } from '../group.js';
import { stats } from '../measure.js';
import type { ProducerName, ProducerReport } from '../otlp-producer.js';
import type { ReceiverReport, ReceiverRequest } from '../otlp-receiver.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PEER = 'opentelemetry-js';

interface Plan {
  readonly spans: number;
  readonly runs: number;
  readonly warmupSpans: number;
  readonly throughputName: string;
  readonly rssName: string;
  /** The producers standing for zerotel and for the peer. */
  readonly zerotel: ProducerName;
  readonly peer: ProducerName;
}

/**
 * The spans are made either with each SDK's own tracer, or through @opentelemetry/api with the SDK
 * registered behind it (` via @opentelemetry/api` in the measure names), as instrumented code makes them.
 */
function plan(options: Pick<BenchOptions, 'quick'>, viaApi = false): Plan {
  const api = viaApi ? ' via @opentelemetry/api' : '';
  const producers = viaApi
    ? { zerotel: 'zerotel-api' as const, peer: 'opentelemetry-js-api' as const }
    : { zerotel: 'zerotel' as const, peer: 'opentelemetry-js' as const };
  return options.quick
    ? {
        spans: 20_000,
        runs: 3,
        warmupSpans: 5_000,
        throughputName: `E1 20k spans end to end${api} (--quick, not the 100k measure)`,
        rssName: `E1 producer peak RSS, 20k spans${api} (--quick)`,
        ...producers,
      }
    : {
        spans: 100_000,
        runs: 7,
        warmupSpans: 20_000,
        throughputName: `E1 100k spans end to end${api}`,
        rssName: `E1 producer peak RSS, 100k spans${api}`,
        ...producers,
      };
}

/** A producer or receiver that has not finished in this long is stopped and the measure fails. */
const RUN_TIMEOUT_MS = 180_000;

/** Everything under `dir` ending in `.ts` (declaration files excepted), relative to ROOT. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Transpiles the sources a producer and the receiver need into a fresh temporary directory, laid out
 * as in the project, with a `package.json` of type module (and the project's version, which the
 * exporter's user agent reads) and a `node_modules` link to the project's. Returns the directory.
 */
export async function buildPlainCopy(): Promise<string> {
  const ts = (await import('typescript')).default;
  const out = mkdtempSync(join(tmpdir(), 'zerotel-e2e-'));
  try {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
    writeFileSync(
      join(out, 'package.json'),
      JSON.stringify({ type: 'module', private: true, version: manifest.version ?? '0.0.0' }),
    );
    symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
    const files = [
      ...tsFiles('lib'),
      join('bench', 'otlp-producer.ts'),
      join('bench', 'otlp-receiver.ts'),
      join('bench', 'workloads.ts'),
    ];
    for (const file of files) {
      const source = readFileSync(join(ROOT, file), 'utf8');
      const { outputText, diagnostics } = ts.transpileModule(source, {
        fileName: file,
        reportDiagnostics: true,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ES2022,
          verbatimModuleSyntax: true,
          sourceMap: false,
        },
      });
      if (diagnostics !== undefined && diagnostics.length > 0) {
        const text = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ');
        throw new Error(`transpiling ${file} failed: ${text}`);
      }
      const target = join(out, file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
    return out;
  } catch (error) {
    rmSync(out, { recursive: true, force: true });
    throw error;
  }
}

/** The environment for children: no OTEL_* settings (both SDKs read some) and no NODE_OPTIONS (no loader). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('OTEL_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return env;
}

/** The receiver process and a way to ask it for its counts. */
interface Receiver {
  readonly port: number;
  counts(reset: boolean): Promise<{ spans: number; requests: number; malformed: number; bytes: number }>;
  stop(): Promise<void>;
}

function startReceiver(dir: string): Promise<Receiver> {
  const child: ChildProcess = fork(join(dir, 'bench', 'otlp-receiver.js'), [], {
    execArgv: [],
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let exited = false;
  const exit = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      exited = true;
      resolveExit();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ReceiverRequest);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exit;
    clearTimeout(timer);
  };
  return new Promise<Receiver>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => {
      void stop();
      rejectReady(new Error(`the receiver did not start within 30 s: ${stderr}`));
    }, 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(new Error(`the receiver exited (${signal ?? `code ${code}`}) before it was ready: ${stderr}`));
    });
    child.once('message', (raw) => {
      clearTimeout(timer);
      const ready = raw as ReceiverReport;
      if (ready.type !== 'ready') {
        void stop();
        rejectReady(new Error(`the receiver said ${JSON.stringify(ready)} instead of ready`));
        return;
      }
      resolveReady({
        port: ready.port,
        counts: (reset) =>
          new Promise((resolveCounts, rejectCounts) => {
            if (exited || !child.connected) {
              rejectCounts(new Error(`the receiver is gone: ${stderr}`));
              return;
            }
            child.once('message', (reply) => {
              const r = reply as ReceiverReport;
              if (r.type === 'count')
                resolveCounts({ spans: r.spans, requests: r.requests, malformed: r.malformed, bytes: r.bytes });
              else rejectCounts(new Error(`unexpected reply from the receiver: ${JSON.stringify(r)}`));
            });
            child.send({ type: 'count', reset } satisfies ReceiverRequest);
          }),
        stop,
      });
    });
  });
}

/** Runs one producer process with plain node (plus `nodeArgs`) and returns its report. */
function runProducer(
  dir: string,
  producer: ProducerName,
  port: number,
  spans: number,
  nodeArgs: readonly string[] = [],
): Promise<ProducerReport> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, join(dir, 'bench', 'otlp-producer.js'), producer, String(port), String(spans)],
      {
        cwd: dir,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      rejectRun(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') {
        rejectRun(
          new Error(`${producer} producer exited with ${signal ?? `code ${code}`}: ${stderr.trim() || stdout.trim()}`),
        );
        return;
      }
      try {
        resolveRun(JSON.parse(line) as ProducerReport);
      } catch {
        rejectRun(new Error(`${producer} producer printed no report: ${stdout.trim()} ${stderr.trim()}`));
      }
    });
  });
}

/** One run of a producer, checked against the receiver's count; throws with the figures on any discrepancy. */
/** A producer's report with what the receiver saw of its run. */
interface CheckedRun extends ProducerReport {
  readonly receivedBytes: number;
}

async function checkedRun(dir: string, receiver: Receiver, producer: ProducerName, spans: number): Promise<CheckedRun> {
  await receiver.counts(true);
  const report = await runProducer(dir, producer, receiver.port, spans);
  const received = await receiver.counts(true);
  const problems: string[] = [];
  if (received.spans !== spans) problems.push(`the receiver counted ${received.spans} spans, not ${spans}`);
  if (received.malformed !== 0) problems.push(`${received.malformed} requests could not be read`);
  if (report.acknowledged !== spans) problems.push(`${report.acknowledged} spans acknowledged, not ${spans}`);
  if (report.failed !== 0) problems.push(`${report.failed} spans in failed exports`);
  if (report.dropped > 0) problems.push(`${report.dropped} spans dropped by the batch processor`);
  if (report.maxOutstanding > 2048)
    problems.push(`${report.maxOutstanding} spans were outstanding at once (limit 2048)`);
  if (problems.length > 0) {
    throw new Error(
      `E1 run of ${producer} is invalid: ${problems.join('; ')} (report ${JSON.stringify(report)}, receiver ${JSON.stringify(received)})`,
    );
  }
  return { ...report, receivedBytes: received.bytes };
}

const MIB = 1024;

async function measure(ctx: BenchContext, viaApi: boolean): Promise<void> {
  const p = plan(ctx.options, viaApi);
  if (!ctx.wants(p.throughputName) && !ctx.wants(p.rssName)) return;
  ctx.progress('E1: transpiling the producer and receiver');
  const dir = await buildPlainCopy();
  let receiver: Receiver | undefined;
  try {
    receiver = await startReceiver(dir);
    const producers: ProducerName[] = [p.zerotel, p.peer];
    // Results are named by contender, whichever producer variant stands for it.
    const contender = (producer: ProducerName): string => (producer === p.zerotel ? 'zerotel' : PEER);
    const bare: number[] = [];
    for (let i = 0; i < 3; i++) bare.push((await runProducer(dir, 'bare', 0, 0)).maxRssKiB / MIB);
    // Warm the receiver (and the file cache) with one unrecorded, still checked, run of each.
    for (const producer of producers) {
      ctx.progress(`E1: warm-up ${producer}`);
      await checkedRun(dir, receiver, producer, p.warmupSpans);
    }
    const reports: Record<string, CheckedRun[]> = { zerotel: [], [PEER]: [] };
    for (let round = 0; round < p.runs; round++) {
      const order = round % 2 === 0 ? producers : [...producers].reverse();
      for (const producer of order) {
        ctx.progress(`E1: run ${round + 1}/${p.runs}, ${producer}`);
        reports[contender(producer)]!.push(await checkedRun(dir, receiver, producer, p.spans));
      }
    }
    const perSpan = (name: string) => stats(reports[name]!.map((r) => (r.elapsedMs * 1000) / r.spans));
    const spansPerSecond = (name: string) => stats(reports[name]!.map((r) => r.spansPerSecond));
    const rss = (name: string) => stats(reports[name]!.map((r) => r.maxRssKiB / MIB));
    const bareRss = stats(bare);
    const ours = spansPerSecond('zerotel');
    const theirs = spansPerSecond(PEER);
    const settings = 'batch 512, queue 2048, delay 200 ms, export timeout 30 s, gzip off, at most 2048 unacknowledged';
    if (ctx.wants(p.throughputName)) {
      ctx.emit({
        name: p.throughputName,
        unit: 'µs/span',
        contenders: { zerotel: perSpan('zerotel'), [PEER]: perSpan(PEER) },
        mainPeer: PEER,
        info: {
          producers: `${p.zerotel}, ${p.peer}`,
          spans: p.spans,
          runs: p.runs,
          'zerotel spans/s': Math.round(ours.median),
          [`${PEER} spans/s`]: Math.round(theirs.median),
          'zerotel spans/s min-max': `${Math.round(ours.min)}-${Math.round(ours.max)}`,
          [`${PEER} spans/s min-max`]: `${Math.round(theirs.min)}-${Math.round(theirs.max)}`,
          'spans/s zerotel / peer': Math.round((ours.median / theirs.median) * 100) / 100,
          'exports per run': reports['zerotel']![0]!.exports,
          'zerotel request bytes per span': Math.round(reports['zerotel']![0]!.receivedBytes / p.spans),
          [`${PEER} request bytes per span`]: Math.round(reports[PEER]![0]!.receivedBytes / p.spans),
          settings,
        },
      });
    }
    if (ctx.wants(p.rssName)) {
      const z = rss('zerotel');
      const o = rss(PEER);
      ctx.emit({
        name: p.rssName,
        unit: 'MiB',
        contenders: { zerotel: z, [PEER]: o },
        mainPeer: PEER,
        info: {
          'bare node (same script, no SDK)': Math.round(bareRss.median * 10) / 10,
          'zerotel above bare': Math.round((z.median - bareRss.median) * 10) / 10,
          [`${PEER} above bare`]: Math.round((o.median - bareRss.median) * 10) / 10,
          measured: 'VmHWM of the producer after shutdown, plain node, no loader',
        },
      });
    }
  } finally {
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const otlpE2eGroup: BenchGroup = {
  id: 'otlp-e2e',
  title: 'E1: spans end to end to a loopback gRPC receiver',
  mode: 'standard',
  measureNames: (options) => {
    const p = plan(options);
    return [p.throughputName, p.rssName];
  },
  run: (ctx) => measure(ctx, false),
};

/** E1 again with every span made through @opentelemetry/api, each SDK registered behind it. */
export const otlpE2eApiGroup: BenchGroup = {
  id: 'otlp-e2e-api',
  title: 'E1 via @opentelemetry/api: spans made through the api, end to end to a loopback gRPC receiver',
  mode: 'standard',
  measureNames: (options) => {
    const p = plan(options, true);
    return [p.throughputName, p.rssName];
  },
  run: (ctx) => measure(ctx, true),
};

/** Runs one zerotel producer under the V8 CPU and heap profilers, writing the profiles to `outDir`. */
async function profile(outDir: string, spans: number): Promise<void> {
  const dir = await buildPlainCopy();
  let receiver: Receiver | undefined;
  try {
    receiver = await startReceiver(dir);
    await receiver.counts(true);
    const target = resolve(outDir);
    mkdirSync(target, { recursive: true });
    const report = await runProducer(dir, 'zerotel', receiver.port, spans, [
      '--cpu-prof',
      `--cpu-prof-dir=${target}`,
      '--heap-prof',
      `--heap-prof-dir=${target}`,
    ]);
    const received = await receiver.counts(true);
    console.log(JSON.stringify({ report, received }));
    console.log(`profiles in ${target} (sources as transpiled: ${relative(target, dir)}, removed now)`);
  } finally {
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Standalone run: prints the figures. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const profileAt = args.indexOf('--profile');
  if (profileAt !== -1) {
    const outDir = args[profileAt + 1];
    if (outDir === undefined) throw new Error('--profile needs a directory');
    await profile(outDir, 100_000);
    return;
  }
  const quick = args.includes('--quick');
  const results: MeasureResult[] = [];
  await (args.includes('--api') ? otlpE2eApiGroup : otlpE2eGroup).run({
    options: { quick, only: undefined, fixture: undefined },
    wants: () => true,
    progress: (text) => process.stderr.write(`${text}\n`),
    emit: (result) => results.push(result),
  });
  for (const result of results) {
    console.log(result.name);
    for (const [name, s] of Object.entries(result.contenders)) {
      console.log(
        `  ${name.padEnd(18)} median ${s.median.toFixed(2)} ${result.unit} (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)}, ${s.samples} runs)`,
      );
    }
    const z = result.contenders['zerotel']!.median;
    const peer = result.contenders[PEER]!.median;
    console.log(`  ratio ${PEER} / zerotel: ${(peer / z).toFixed(2)}`);
    console.log(`  ${JSON.stringify(result.info)}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
