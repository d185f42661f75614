/**
 * The same packed tarball on Node, Bun, Deno and workerd: every conformance fixture and W1, through
 * zerotel/metrics, must give client_golang's exact bytes in text, OpenMetrics and protobuf on each.
 * Bun and Deno run with their own I/O APIs (Deno with no permission at all); workerd runs a worker without
 * nodejs_compat that serves W1 on /metrics through metricsFetchHandler, scraped over real HTTP and checked
 * by promtool. The runtimes come from the npm dev dependencies `bun`, `deno` and `workerd`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { assertSameBytes } from '../helpers/bytes.js';
import { checkMetrics, findPromtool, PROMTOOL_OK } from '../peers/promtool.js';
import { peerOptions } from '../peers/require-peer.js';
import { findRuntime } from './binaries.js';
import { exchange, type Exchange } from './http-exchange.js';
import { preparePackedApp, type PackedApp } from './packed.js';
import { runWithInput, runtimeEnv } from './processes.js';
import { runSuite } from './programs/suite.js';
import {
  assertSourceMatchesClientGolang,
  assertSuiteOutput,
  conformanceInput,
  parseSuiteOutput,
  type SuiteOutput,
} from './suite-output.js';
import { startWorker, type RunningWorker } from './workerd.js';

const input = conformanceInput();
const inputJson = JSON.stringify(input);
const bun = findRuntime('bun');
const deno = findRuntime('deno');
const workerd = findRuntime('workerd');

/** An exchange with the running worker. */
function scrape(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<Exchange> {
  return exchange(`http://127.0.0.1:${port}${path}`, { method, headers });
}

describe('the packed package gives client_golang bytes on every runtime', () => {
  let app: PackedApp;
  let fromSource: SuiteOutput;

  before(() => {
    app = preparePackedApp();
    fromSource = parseSuiteOutput(runSuite(input), 'from source');
  });
  after(() => app?.dispose());

  it('from source, the suite itself matches client_golang (the anchor of the runtime checks)', () => {
    assertSourceMatchesClientGolang(fromSource);
    assert.ok(fromSource.bytes.has('W1'));
  });

  it('Node: plain node, no loader', async () => {
    const out = await runWithInput(process.execPath, ['node-main.js'], {
      cwd: app.dir,
      env: runtimeEnv(),
      input: inputJson,
    });
    assertSuiteOutput(parseSuiteOutput(out, 'node'), fromSource, 'node');
  });

  it(`Bun (${bun.version ?? 'missing'})`, peerOptions(bun), async () => {
    assert.ok(bun.path, bun.missing);
    const out = await runWithInput(bun.path, ['--no-install', 'bun-main.js'], {
      cwd: app.dir,
      env: runtimeEnv(),
      input: inputJson,
    });
    assertSuiteOutput(parseSuiteOutput(out, 'bun'), fromSource, 'bun');
  });

  it(`Deno (${deno.version ?? 'missing'}), without any permission`, peerOptions(deno), async () => {
    assert.ok(deno.path, deno.missing);
    const env = runtimeEnv({ DENO_DIR: join(app.dir, '..', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' });
    // --no-prompt: a permission the program lacks is an error, never a question.
    const out = await runWithInput(deno.path, ['run', '--no-prompt', 'deno-main.js'], {
      cwd: app.dir,
      env,
      input: inputJson,
    });
    assertSuiteOutput(parseSuiteOutput(out, 'deno'), fromSource, 'deno');
  });

  describe(`workerd (${workerd.version ?? 'missing'}), no nodejs_compat`, peerOptions(workerd), () => {
    let worker: RunningWorker | undefined;
    before(async () => {
      assert.ok(workerd.path, workerd.missing);
      worker = await startWorker(workerd.path, app.dir, 'worker.js');
    });
    after(() => worker?.stop());

    it('runs the suite in a request', async () => {
      const res = await exchange(`http://127.0.0.1:${worker!.port}/suite`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: inputJson,
        timeoutMs: 120_000,
      });
      assert.equal(res.status, 200, `${res.body.toString('utf8')}\n${worker!.log()}`);
      assertSuiteOutput(parseSuiteOutput(res.body, 'workerd'), fromSource, 'workerd');
    });

    const W1_SCRAPES = [
      { format: 0, accept: 'text/plain;version=0.0.4', contentType: 'text/plain; version=0.0.4; charset=utf-8' },
      {
        format: 1,
        accept:
          'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
        contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      },
      {
        format: 2,
        accept:
          'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3',
        contentType: 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
      },
    ] as const;

    for (const s of W1_SCRAPES) {
      it(`serves W1 on /metrics for Accept: ${s.accept}`, async () => {
        const res = await scrape(worker!.port, '/metrics', { accept: s.accept });
        assert.equal(res.status, 200, worker!.log());
        assert.equal(res.headers['content-type'], s.contentType);
        assert.equal(res.headers['content-encoding'], undefined);
        assert.equal(res.headers['content-length'], String(res.body.length));
        assertSameBytes(res.body, fromSource.bytes.get('W1')![s.format], `workerd /metrics (${s.contentType})`);
      });
    }

    it('gzips with CompressionStream when asked, sending the compressed length', async () => {
      const res = await scrape(worker!.port, '/metrics', { 'accept-encoding': 'gzip' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.equal(res.headers['content-length'], String(res.body.length));
      assertSameBytes(gunzipSync(res.body), fromSource.bytes.get('W1')![0], 'workerd /metrics gzip, inflated');
      const head = await scrape(worker!.port, '/metrics', { 'accept-encoding': 'gzip' }, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
    });

    it('/metrics passes promtool check metrics', peerOptions(findPromtool()), async () => {
      const res = await scrape(worker!.port, '/metrics', {});
      const result = await checkMetrics(res.body);
      assert.equal(result.code, PROMTOOL_OK, `promtool: ${result.stdout}${result.stderr}`);
      assert.equal(result.parseError, undefined);
      assert.deepEqual(result.lint, []);
    });
  });
});
