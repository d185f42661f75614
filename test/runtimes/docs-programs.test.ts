/**
 * The minimal program of each page in docs/runtimes/ runs on its runtime, from the packed package, and
 * `/metrics` answers exactly what the page says after one request to `/hello`. The program is taken from
 * the page as written; only its imports are pointed at the unpacked package and its port set to 0.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { peerOptions } from '../peers/require-peer.js';
import { findRuntime, type RuntimePeer } from './binaries.js';
import { exchange } from './http-exchange.js';
import { pointPackageImports, preparePackedApp, type PackedApp } from './packed.js';
import { runtimeEnv, startPrintingServer, type RunningServer } from './processes.js';
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
  const running: { stop(): void }[] = [];
  before(() => {
    app = preparePackedApp();
  });
  after(() => {
    for (const r of running) r.stop();
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
