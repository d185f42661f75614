/**
 * `npm run soak`: the OTLP exporter through repeated collector outages, for a long time.
 *
 * A real @grpc/grpc-js collector on 127.0.0.1 (decoding every request with @grpc/proto-loader and
 * counting the spans in it) is up for `--up` seconds, down for `--down` seconds, and so on, while spans
 * are produced at a steady `--rate` through TracerProvider -> BatchSpanProcessor -> OtlpGrpcTraceExporter,
 * all with their default settings (queue of 2,048 spans, 5 s..30 s backoff, 10 s per export). Every
 * `--every` seconds a line gives RSS, heap, queue size and the processor's exported/dropped counts as
 * scraped from its Registry; at the end a summary checks that every span is accounted for.
 *
 *   npm run soak -- [--minutes 10] [--up 20] [--down 20] [--rate 1000] [--every 10]
 *
 * It stops by itself (or on Ctrl-C), shuts everything down and exits 1 if spans went unaccounted for or
 * something was left running. Not part of the test suite.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  OtlpGrpcTraceExporter,
  Registry,
  TracerProvider,
  createResource,
  formatText,
} from '../lib/index.js';

interface Options {
  minutes: number;
  up: number;
  down: number;
  rate: number;
  every: number;
}

const USAGE = 'usage: npm run soak -- [--minutes 10] [--up 20] [--down 20] [--rate 1000] [--every 10]';

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { minutes: 10, up: 20, down: 20, rate: 1_000, every: 10 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = name.replace(/^--/, '') as keyof Options;
    if (!name.startsWith('--') || !(key in options)) fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    const raw = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value <= 0)
      fail(`${name} needs a positive number, got ${JSON.stringify(raw)}`);
    options[key] = value;
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------
// The collector
// ---------------------------------------------------------------------------------------------------

const PROTO_DIR = fileURLToPath(new URL('../proto', import.meta.url));
const traceService = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
  includeDirs: [PROTO_DIR],
  longs: String,
  enums: Number,
  defaults: true,
  arrays: true,
})['opentelemetry.proto.collector.trace.v1.TraceService'] as grpc.ServiceDefinition;

type Request = { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };

/** What the collector acknowledged, over all its lives. */
const collected = { spans: 0, calls: 0, firstCallSinceUp: undefined as number | undefined };

function spanCount(request: Request): number {
  let n = 0;
  for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

async function startCollector(port: number): Promise<{ port: number; stop(): void }> {
  const server = new grpc.Server();
  server.addService(traceService, {
    Export(call: grpc.ServerUnaryCall<Request, unknown>, callback: grpc.sendUnaryData<unknown>) {
      collected.spans += spanCount(call.request);
      collected.calls++;
      collected.firstCallSinceUp ??= performance.now();
      callback(null, {});
    },
  });
  // The port was just released by the previous life of the collector: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      const bound = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
          err ? reject(err) : resolve(p),
        ),
      );
      return { port: bound, stop: () => server.forceShutdown() };
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------------

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const pad = (v: number | string, n: number) => String(v).padStart(n);

/** The registry as a scraper reads it: `name{labels}` -> value. */
function scrape(registry: Registry): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of formatText(registry.collect()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const REASONS = ['queue_full', 'export_failed', 'export_timeout', 'rejected', 'shutdown'] as const;

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const durationMs = options.minutes * 60_000;
  const registry = new Registry();
  const warnings: string[] = [];

  let collector = await startCollector(0);
  const port = collector.port;
  let up = true;
  let upSince = performance.now();
  collected.firstCallSinceUp = undefined;
  const resumeDelays: number[] = [];
  let restarts = 0;

  const exporter = new OtlpGrpcTraceExporter({
    env: {},
    endpoint: `http://127.0.0.1:${port}`,
    registry,
    logger: {
      warn: (message) => {
        warnings.push(message);
        process.stdout.write(`         warn: ${message}\n`);
      },
    },
  });
  const processor = new BatchSpanProcessor(exporter, { env: {}, registry });
  const provider = new TracerProvider({
    spanProcessors: [processor],
    sampler: new AlwaysOnSampler(),
    resource: createResource({ 'service.name': 'zerotel-soak' }),
  });
  const tracer = provider.getTracer('soak');

  process.stdout.write(
    `soak: ${options.minutes} min, collector on 127.0.0.1:${port} up ${options.up} s / down ${options.down} s, ` +
      `${options.rate} spans/s, queue ${processor.config.maxQueueSize}, batch ${processor.config.maxExportBatchSize}, ` +
      `export timeout ${exporter.config.timeoutMs} ms, backoff ${exporter.config.retry.initialIntervalMs}..${exporter.config.retry.maxIntervalMs} ms\n`,
  );

  const started = performance.now();
  let produced = 0;
  let stopping = false;
  const rss: number[] = [];
  const heap: number[] = [];
  const peakQueue = { value: 0 };

  const report = (): void => {
    const s = scrape(registry);
    const elapsed = (performance.now() - started) / 1000;
    const memory = process.memoryUsage();
    rss.push(memory.rss);
    heap.push(memory.heapUsed);
    const dropped = REASONS.map((r) => `${r} ${s.get(`zerotel_trace_spans_dropped_total{reason="${r}"}`) ?? 0}`).join(
      ', ',
    );
    process.stdout.write(
      `[${pad(elapsed.toFixed(0), 4)} s] collector ${up ? 'up  ' : 'down'} | rss ${pad(mib(memory.rss), 9)} heap ${pad(mib(memory.heapUsed), 8)} | ` +
        `queue ${pad(s.get('zerotel_trace_queue_size') ?? 0, 4)}/${s.get('zerotel_trace_queue_capacity')} | produced ${pad(produced, 7)} ` +
        `exported ${pad(s.get('zerotel_trace_spans_exported_total') ?? 0, 7)} received ${pad(collected.spans, 7)} | dropped ${dropped}\n`,
    );
  };

  // Production: a 10 ms tick making as many spans as the elapsed time calls for.
  const produce = setInterval(() => {
    if (stopping) return;
    const due = Math.floor(((performance.now() - started) / 1000) * options.rate);
    for (; produced < due; produced++) {
      tracer.startSpan(`soak-${produced}`, { attributes: { 'http.route': '/v1/data', n: produced } }).end();
    }
    peakQueue.value = Math.max(peakQueue.value, processor.stats().queueSize);
  }, 10);

  // The outage cycle.
  let cycleTimer: NodeJS.Timeout | undefined;
  const toggle = async (): Promise<void> => {
    if (stopping) return;
    if (up) {
      // The first life of the collector is no restart: only later ones measure how fast export resumed.
      if (restarts > 0 && collected.firstCallSinceUp !== undefined)
        resumeDelays.push(collected.firstCallSinceUp - upSince);
      collector.stop();
      up = false;
      process.stdout.write(`         collector stopped\n`);
      cycleTimer = setTimeout(() => void toggle(), options.down * 1000);
    } else {
      collector = await startCollector(port);
      restarts++;
      up = true;
      upSince = performance.now();
      collected.firstCallSinceUp = undefined;
      process.stdout.write(`         collector started\n`);
      cycleTimer = setTimeout(() => void toggle(), options.up * 1000);
    }
  };
  cycleTimer = setTimeout(() => void toggle(), options.up * 1000);
  const reporter = setInterval(report, options.every * 1000);

  await new Promise<void>((resolve) => {
    const interrupted = (): void => {
      process.stdout.write('soak: interrupted, stopping\n');
      clearTimeout(end);
      resolve();
    };
    const end = setTimeout(() => {
      process.off('SIGINT', interrupted);
      resolve();
    }, durationMs);
    process.once('SIGINT', interrupted);
  });

  // Stop producing, bring the collector up for the final flush, shut down and account.
  stopping = true;
  clearInterval(produce);
  clearInterval(reporter);
  clearTimeout(cycleTimer);
  const elapsed = (performance.now() - started) / 1000;
  report();
  if (!up) {
    collector = await startCollector(port);
    up = true;
  }
  const shutdownStarted = performance.now();
  const clean = await provider.shutdown(30_000);
  const shutdownMs = performance.now() - shutdownStarted;
  collector.stop();
  await new Promise((resolve) => setTimeout(resolve, 100));

  const stats = processor.stats();
  const dropped = REASONS.reduce((n, r) => n + stats.dropped[r], 0);
  const accounted = stats.exported + dropped + stats.queueSize;
  // Skip the first sample: start-up (JIT, first connections) is not steady state.
  const steady = rss.slice(1);
  const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
  const distinctWarnings = new Set(warnings.map((w) => w.replace(/\d+/g, 'N').replace(/ \(N more like this.*\)$/, '')));
  const lines = [
    '',
    `soak summary (${elapsed.toFixed(0)} s, ${Math.floor(elapsed / (options.up + options.down))} full up/down cycles of ${options.up} s/${options.down} s):`,
    `  spans produced ${produced} at ${(produced / elapsed).toFixed(0)}/s; exported ${stats.exported}, collector received ${collected.spans} in ${collected.calls} calls`,
    `  dropped ${dropped}: ${REASONS.map((r) => `${r} ${stats.dropped[r]}`).join(', ')}; still queued ${stats.queueSize}`,
    `  accounting: exported + dropped + queued = ${accounted} ${accounted === produced ? '=' : '!='} produced ${produced}`,
    `  queue peak ${peakQueue.value}/${processor.config.maxQueueSize}; ${stats.exports} export calls; ${exporter.sessionsOpened} HTTP/2 sessions opened`,
    `  RSS over the run: min ${mib(Math.min(...steady))}, max ${mib(Math.max(...steady))}, last ${mib(steady[steady.length - 1] ?? 0)} ` +
      `(first sample ${mib(rss[0] ?? 0)}); heap min ${mib(Math.min(...heap.slice(1)))}, max ${mib(Math.max(...heap.slice(1)))}`,
    `  export resumed after each outage in ${resumeDelays.length === 0 ? 'n/a' : `${Math.min(...resumeDelays).toFixed(0)}..${Math.max(...resumeDelays).toFixed(0)} ms`} ` +
      `(${resumeDelays.length} restarts measured)`,
    `  ${warnings.length} warnings logged (rate-limited), ${distinctWarnings.size} distinct`,
    `  shutdown ${clean ? 'clean' : 'timed out'} in ${shutdownMs.toFixed(0)} ms; active handles left: ${left.length === 0 ? 'none' : left.join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const ok = accounted === produced && clean && left.length === 0 && collected.spans >= stats.exported;
  if (!ok) process.stdout.write('soak: FAILED (see the summary)\n');
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
