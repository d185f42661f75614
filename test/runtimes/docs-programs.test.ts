/**
 * The minimal program of each page in docs/runtimes/ runs on its runtime, from the packed package, and
 * `/metrics` answers exactly what the page says after one request to `/hello`. The program is taken from
 * the page as written; only its imports are pointed at the unpacked package and its port set to 0.
 * Likewise the tracing program of each page (its first js block under "## Tracing") delivers the two
 * spans the page promises, and its "## Pushing metrics" program the counter it promises, to a real OTLP/HTTP
 * receiver, which takes the place of port 4318.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { peerOptions } from '../peers/require-peer.js';
import { findRuntime, type RuntimePeer } from './binaries.js';
import { exchange } from './http-exchange.js';
import { startOtlpReceiver, type OtlpReceiver } from '../otlp/otlp-receiver.js';
import { pointPackageImports, preparePackedApp, type PackedApp } from './packed.js';
import { runWithInput, runtimeEnv, startPrintingServer, type RunningServer } from './processes.js';
import { startWorker } from './workerd.js';

const DOCS = new URL('../../docs/runtimes/', import.meta.url);

/** The page's program (its first js block) and the `/metrics` answer it shows (the block after "then answers"). */
function readPage(page: string): { program: string; answer: string } {
  const text = readFileSync(new URL(page, DOCS), 'utf8');
  const program = /```js\n([\s\S]*?)```/.exec(text)?.[1];
  const answer = /`\/metrics` then answers:\n\n```\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(program !== undefined, `${page}: no js block`);
  assert.ok(answer !== undefined, `${page}: no "/metrics then answers" block`);
  return { program, answer };
}

/** The first js block after the heading `## <section>` of the page. */
function readSectionProgram(page: string, section: string): string {
  const text = readFileSync(new URL(page, DOCS), 'utf8');
  const program = new RegExp(`^## ${section}\\n[\\s\\S]*?\`\`\`js\\n([\\s\\S]*?)\`\`\``, 'm').exec(text)?.[1];
  assert.ok(program !== undefined, `${page}: no js block under "## ${section}"`);
  return program;
}

const readTracingProgram = (page: string): string => readSectionProgram(page, 'Tracing');
const readPushProgram = (page: string): string => readSectionProgram(page, 'Pushing metrics');

/** The documented OTLP/HTTP address, without the signal's path. */
const DOCUMENTED_RECEIVER = 'http://127.0.0.1:4318';

/** A sending program pointed at the test's receiver instead of port 4318. */
function preparedSending(program: string, receiver: OtlpReceiver, path: '/v1/traces' | '/v1/metrics'): string {
  const documented = `${DOCUMENTED_RECEIVER}${path}`;
  assert.ok(program.includes(documented), `the program should send to ${documented}`);
  return pointPackageImports(program.replaceAll(documented, `${receiver.httpBase}${path}`), '.');
}

const preparedTracing = (program: string, receiver: OtlpReceiver): string =>
  preparedSending(program, receiver, '/v1/traces');

/**
 * The receiver got what a page's push promises: one counter, a monotonic cumulative Sum with the one point
 * `labels` = 1, under the resource `service.name="hello"`.
 */
function assertDocumentedPush(
  receiver: OtlpReceiver,
  page: string,
  name: string,
  labels: Record<string, string>,
): void {
  const pushes = receiver.received.filter((r) => r.path === '/v1/metrics');
  assert.ok(pushes.length >= 1, `${page}: nothing pushed`);
  for (const push of pushes) {
    const [rm, ...more] = push.decoded.resourceMetrics;
    assert.equal(more.length, 0);
    const service = rm.resource.attributes.find((a: any) => a.key === 'service.name');
    assert.equal(service?.value.stringValue, 'hello', `${page}: the resource's service.name`);
    const metrics = rm.scopeMetrics.flatMap((sm: any) => sm.metrics);
    assert.deepEqual(
      metrics.map((m: any) => m.name),
      [name],
      `${page}: the metrics pushed`,
    );
    const [{ sum }] = metrics;
    assert.equal(sum.isMonotonic, true);
    assert.equal(sum.aggregationTemporality, 2, 'cumulative');
    assert.deepEqual(
      sum.dataPoints.map((p: any) => ({
        labels: Object.fromEntries(p.attributes.map((a: any) => [a.key, a.value.stringValue])),
        value: p.asDouble,
      })),
      [{ labels, value: 1 }],
      `${page}: the points pushed`,
    );
  }
}

/** The receiver got what the pages promise: `GET /hello` (SERVER) and its child `render`, one trace. */
function assertDocumentedSpans(receiver: OtlpReceiver, page: string): void {
  const spans = receiver.received
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => r.decoded.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
  const byName = new Map(spans.map((s: any) => [s.name, s]));
  assert.deepEqual([...byName.keys()].sort(), ['GET /hello', 'render'], `${page}: spans received`);
  const root: any = byName.get('GET /hello');
  const child: any = byName.get('render');
  assert.equal(root.kind, 2, 'GET /hello is a SERVER span');
  assert.equal(child.traceId, root.traceId);
  assert.equal(child.parentSpanId, root.spanId, `${page}: render's parent is GET /hello`);
}

/** The program as the test runs it: imports into the packed package, and any free port. */
function prepared(program: string): string {
  const portless = program.replace(/\bport: 9464\b/g, 'port: 0').replace(/\.listen\(9464,/g, '.listen(0,');
  return pointPackageImports(portless, '.');
}

async function assertServesAsDocumented(base: string, answer: string): Promise<void> {
  const hello = await exchange(`${base}/hello`);
  assert.equal(hello.status, 200);
  assert.equal(hello.body.toString('utf8'), 'hello\n');
  const metrics = await exchange(`${base}/metrics`);
  assert.equal(metrics.status, 200);
  assert.equal(metrics.body.toString('utf8'), answer);
  // Compressed by the handler (CompressionStream, or node:zlib on node:http), sent as is by the server.
  const zipped = await exchange(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(zipped.body).toString('utf8'), answer);
}

interface ProcessRuntime {
  readonly page: string;
  readonly peer: RuntimePeer | undefined;
  /** Command and arguments that run `file`. */
  readonly command: (file: string) => [string, string[]];
}

const node: ProcessRuntime = { page: 'node.md', peer: undefined, command: (file) => [process.execPath, [file]] };
const bun = findRuntime('bun');
const deno = findRuntime('deno');
const workerd = findRuntime('workerd');
const PROCESS_RUNTIMES: readonly ProcessRuntime[] = [
  node,
  { page: 'bun.md', peer: bun, command: (file) => [bun.path!, ['--no-install', file]] },
  // Serving is all it may do: network on loopback, nothing else.
  {
    page: 'deno.md',
    peer: deno,
    command: (file) => [deno.path!, ['run', '--no-prompt', '--allow-net=127.0.0.1', file]],
  },
];

describe('the minimal programs of docs/runtimes/ work as written', () => {
  let app: PackedApp;
  let receiver: OtlpReceiver;
  const running: { stop(): void }[] = [];
  before(async () => {
    app = preparePackedApp();
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    for (const r of running) r.stop();
    await receiver?.stop();
    app?.dispose();
  });

  for (const runtime of PROCESS_RUNTIMES) {
    it(runtime.page, runtime.peer === undefined ? {} : peerOptions(runtime.peer), async () => {
      if (runtime.peer !== undefined) assert.ok(runtime.peer.path, runtime.peer.missing);
      const { program, answer } = readPage(runtime.page);
      const file = `doc-${runtime.page.replace('.md', '')}.js`;
      writeFileSync(join(app.dir, file), prepared(program));
      const [command, args] = runtime.command(file);
      const env = runtimeEnv({ DENO_DIR: join(app.dir, '..', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' });
      const server: RunningServer = await startPrintingServer(command, args, { cwd: app.dir, env });
      running.push(server);
      await assertServesAsDocumented(server.url, answer);
      server.stop();
    });
  }

  for (const runtime of PROCESS_RUNTIMES) {
    it(`${runtime.page}: tracing`, runtime.peer === undefined ? {} : peerOptions(runtime.peer), async () => {
      if (runtime.peer !== undefined) assert.ok(runtime.peer.path, runtime.peer.missing);
      const file = `doc-trace-${runtime.page.replace('.md', '')}.js`;
      writeFileSync(join(app.dir, file), preparedTracing(readTracingProgram(runtime.page), receiver));
      const [command, args] = runtime.command(file);
      const env = runtimeEnv({ DENO_DIR: join(app.dir, '..', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' });
      receiver.received.length = 0;
      await runWithInput(command, args, { cwd: app.dir, env, input: '' });
      assertDocumentedSpans(receiver, runtime.page);
    });
  }

  for (const runtime of PROCESS_RUNTIMES) {
    it(`${runtime.page}: pushing metrics`, runtime.peer === undefined ? {} : peerOptions(runtime.peer), async () => {
      if (runtime.peer !== undefined) assert.ok(runtime.peer.path, runtime.peer.missing);
      const file = `doc-push-${runtime.page.replace('.md', '')}.js`;
      writeFileSync(join(app.dir, file), preparedSending(readPushProgram(runtime.page), receiver, '/v1/metrics'));
      const [command, args] = runtime.command(file);
      const env = runtimeEnv({ DENO_DIR: join(app.dir, '..', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' });
      receiver.received.length = 0;
      await runWithInput(command, args, { cwd: app.dir, env, input: '' });
      assert.equal(receiver.received.length, 1, `${runtime.page}: one push, by shutdown()`);
      assertDocumentedPush(receiver, runtime.page, 'app_jobs_total', { queue: 'mail' });
    });
  }

  it('workerd.md: pushing metrics', peerOptions(workerd), async () => {
    assert.ok(workerd.path, workerd.missing);
    const program = preparedSending(readPushProgram('workerd.md'), receiver, '/v1/metrics');
    writeFileSync(join(app.dir, 'doc-push-workerd.js'), program);
    receiver.received.length = 0;
    const worker = await startWorker(workerd.path, app.dir, 'doc-push-workerd.js');
    running.push(worker);
    const hello = await exchange(`http://127.0.0.1:${worker.port}/hello`);
    assert.equal(hello.status, 200, worker.log());
    assert.equal(hello.body.toString('utf8'), 'hello\n');
    // The push runs in waitUntil, after the response: wait for it, boundedly.
    for (let i = 0; i < 100 && receiver.received.length < 1; i++) await new Promise((r) => setTimeout(r, 100));
    assertDocumentedPush(receiver, 'workerd.md', 'app_requests_total', { path: '/hello' });
    worker.stop();
  });

  it('workerd.md: tracing with nodejs_als', peerOptions(workerd), async () => {
    assert.ok(workerd.path, workerd.missing);
    writeFileSync(join(app.dir, 'doc-trace-workerd.js'), preparedTracing(readTracingProgram('workerd.md'), receiver));
    receiver.received.length = 0;
    const worker = await startWorker(workerd.path, app.dir, 'doc-trace-workerd.js', {
      compatibilityFlags: ['nodejs_als'],
    });
    running.push(worker);
    const hello = await exchange(`http://127.0.0.1:${worker.port}/hello`);
    assert.equal(hello.status, 200, worker.log());
    assert.equal(hello.body.toString('utf8'), 'hello\n');
    // The export runs in waitUntil, after the response: wait for it, boundedly.
    for (let i = 0; i < 100 && receiver.received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assertDocumentedSpans(receiver, 'workerd.md');
    worker.stop();
  });

  it('workerd.md', peerOptions(workerd), async () => {
    assert.ok(workerd.path, workerd.missing);
    const { program, answer } = readPage('workerd.md');
    writeFileSync(join(app.dir, 'doc-workerd.js'), prepared(program));
    const worker = await startWorker(workerd.path, app.dir, 'doc-workerd.js');
    running.push(worker);
    await assertServesAsDocumented(`http://127.0.0.1:${worker.port}`, answer);
    worker.stop();
  });
});
