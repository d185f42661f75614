/**
 * The examples in examples/ run as a user runs them (plain node, importing the package by its name through its
 * exports map), and the code the README shows is taken from them, so neither can drift into code that does not run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type GrpcPeer, spanNames, startGrpcPeer } from '../otlp/grpc-helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs an example with plain node; resolves with its exit code and output. */
function runExample(
  file: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join('examples', file)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/', { timeout: 120_000 }, () => {
  it('metrics.mjs serves and scrapes its own /metrics', async () => {
    const r = await runExample('metrics.mjs', {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        '# HELP http_request_duration_seconds A histogram of duration for requests.',
        '# TYPE http_request_duration_seconds histogram',
        'http_request_duration_seconds_bucket{code="200",method="get",le="0.005"} 1',
        'http_request_duration_seconds_bucket{code="200",method="get",le="0.05"} 1',
        'http_request_duration_seconds_bucket{code="200",method="get",le="0.5"} 1',
        'http_request_duration_seconds_bucket{code="200",method="get",le="+Inf"} 1',
        'http_request_duration_seconds_sum{code="200",method="get"} 0.0042',
        'http_request_duration_seconds_count{code="200",method="get"} 1',
        '# HELP http_requests_total Requests by code and method.',
        '# TYPE http_requests_total counter',
        'http_requests_total{code="200",method="get"} 1',
        'http_requests_total{code="404",method="get"} 1',
        '',
        '',
      ].join('\n'),
    );
  });

  it('metrics.cjs renders through require()', async () => {
    const r = await runExample('metrics.cjs');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '# HELP jobs_queued Jobs waiting.\n# TYPE jobs_queued gauge\njobs_queued 2\n');
  });

  it('server.mjs stores and reads data and counts the requests', async () => {
    const r = await runExample('server.mjs');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      '{"result":[{"id":"s1"}]}\n\n' +
        'http_request_duration_seconds_count{code="200",handler="v1/data",method="get"} 1\n' +
        'http_request_duration_seconds_count{code="204",handler="v1/data",method="put"} 1\n',
    );
  });

  describe('tracing.mjs', () => {
    let peer: GrpcPeer;
    before(async () => {
      peer = await startGrpcPeer();
    });
    after(() => peer.stop());

    it('sends its two spans, parent and child, to an OTLP/gRPC receiver', async () => {
      const r = await runExample('tracing.mjs', { OTEL_EXPORTER_OTLP_ENDPOINT: peer.endpoint });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'spans flushed: true\n');
      const names = peer.calls.flatMap((c) => spanNames(c.request));
      assert.deepEqual(names.sort(), ['GET /checkout', 'price cart']);
    });
  });

  it('every code block of the README is taken from an example', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```(?:js|ts|javascript)\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.ok(blocks.length >= 3, 'the README shows metrics, tracing and server code');
    const examples = ['metrics.mjs', 'metrics.cjs', 'tracing.mjs', 'server.mjs'].map((f) =>
      readFileSync(join(ROOT, 'examples', f), 'utf8'),
    );
    for (const block of blocks) {
      assert.ok(
        examples.some((e) => e.includes(block)),
        `this README block is not part of any example:\n${block}`,
      );
    }
  });
});
