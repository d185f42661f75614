/**
 * The `scripts/push.ts` command-line contract, run as users run it (`node_modules/.bin/tsx scripts/push.ts
 * FIXTURE --to MODE --url URL`): each mode delivers exactly the text format's series and values to a real
 * receiver (an OTLP receiver decoding with the official protos, a real Prometheus); exit 1 naming the
 * endpoint and status on a refusal or a closed port; exit 2 on bad arguments.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeText } from '../../lib/exposition/text.js';
import { startOtlpReceiver } from '../otlp/otlp-receiver.js';
import { otlpSeries } from '../otlp/otlp-series.js';
import { freePort } from '../opa/helpers.js';
import { findPrometheus, startPrometheusServer } from '../peers/prometheus-server.js';
import { findPushgateway, startPushgateway } from '../peers/pushgateway.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { PUSH_FIXTURE, fixtureFamilies } from '../push/push-fixture.js';
import { seriesKey, seriesMap, textSeries } from '../push/text-series.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function push(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      `${root}node_modules/.bin/tsx`,
      ['scripts/push.ts', ...args],
      { cwd: root, timeout: 120_000, env: { ...process.env, OTEL_SERVICE_NAME: '' } },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** The series the fixture's text exposition shows (creation times differ per run; values do not). */
const expected = (): Map<string, number> => seriesMap(textSeries(writeText(fixtureFamilies())));

describe('scripts/push.ts to an OTLP receiver', () => {
  for (const [mode, path] of [
    ['otlp-grpc', ''],
    ['otlp-http', '/v1/metrics'],
    ['otlp-http-json', '/v1/metrics'],
  ] as const) {
    it(`${mode}: every series and value, exit 0`, { timeout: 120_000 }, async () => {
      const receiver = await startOtlpReceiver();
      try {
        const url = mode === 'otlp-grpc' ? receiver.grpcEndpoint : `${receiver.httpBase}${path}`;
        const out = await push(PUSH_FIXTURE, '--to', mode, '--url', url, '--job', 'audit');
        assert.equal(out.status, 0, out.stderr);
        assert.match(out.stdout, /delivered 9 points/);
        assert.equal(receiver.received.length, 1);
        const got = receiver.received[0]!;
        assert.equal(got.transport, mode === 'otlp-grpc' ? 'grpc' : 'http');
        if (mode !== 'otlp-grpc')
          assert.equal(got.contentType, mode === 'otlp-http-json' ? 'application/json' : 'application/x-protobuf');
        assert.deepEqual(seriesMap(otlpSeries(got.decoded)), expected());
        const service = got.decoded.resourceMetrics[0].resource.attributes.find((a: any) => a.key === 'service.name');
        assert.equal(service.value.stringValue, 'audit');
      } finally {
        await receiver.stop();
      }
    });
  }

  it('exit 1 naming the endpoint and the status when the receiver refuses', { timeout: 120_000 }, async () => {
    const receiver = await startOtlpReceiver(() => ({ status: 415, body: 'unsupported' }));
    try {
      const url = `${receiver.httpBase}/v1/metrics`;
      const out = await push(PUSH_FIXTURE, '--to', 'otlp-http', '--url', url);
      assert.equal(out.status, 1);
      assert.ok(out.stderr.includes(url), out.stderr);
      assert.match(out.stderr, /HTTP 415/);
    } finally {
      await receiver.stop();
    }
  });
});

describe('scripts/push.ts failures', () => {
  it('exit 1 naming the endpoint when nothing listens (every mode)', { timeout: 240_000 }, async () => {
    const port = await freePort();
    for (const [mode, url] of [
      ['otlp-grpc', `http://127.0.0.1:${port}`],
      ['otlp-http', `http://127.0.0.1:${port}/v1/metrics`],
      ['remote-write', `http://127.0.0.1:${port}/api/v1/write`],
      ['pushgateway', `http://127.0.0.1:${port}`],
    ] as const) {
      const out = await push(PUSH_FIXTURE, '--to', mode, '--url', url);
      assert.equal(out.status, 1, `${mode}: ${out.stderr}`);
      assert.ok(out.stderr.includes(url), out.stderr);
      assert.match(out.stderr, /ECONNREFUSED|UNAVAILABLE/);
    }
  });

  it('exit 2 on bad arguments', { timeout: 120_000 }, async () => {
    const unknown = await push(PUSH_FIXTURE, '--to', 'carrier-pigeon', '--url', 'http://x');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^push: unknown --to "carrier-pigeon"/);
    const noUrl = await push(PUSH_FIXTURE, '--to', 'otlp-http');
    assert.equal(noUrl.status, 2);
    assert.match(noUrl.stderr, /^push: missing --url/);
    const missing = await push(
      '/nonexistent/fixture.json',
      '--to',
      'otlp-http',
      '--url',
      'http://127.0.0.1:1/v1/metrics',
    );
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^push: cannot read \/nonexistent\/fixture.json/);
  });
});

const prometheus = findPrometheus();

describe('scripts/push.ts to a real Prometheus', peerOptions(prometheus), () => {
  it('remote-write: every series and value stored, exit 0', { timeout: 120_000 }, async () => {
    assertPeer(prometheus);
    const server = await startPrometheusServer(prometheus.path!, 'global:\n  scrape_interval: 1h\n', [
      '--web.enable-remote-write-receiver',
    ]);
    try {
      const out = await push(PUSH_FIXTURE, '--to', 'remote-write', '--url', `${server.base}/api/v1/write`);
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /delivered 27 samples/);
      const data = await server.api(
        `/api/v1/query?query=${encodeURIComponent('{__name__=~"push_.+"}')}&time=${Date.now() / 1000}`,
      );
      const got = new Map<string, number>(data.result.map((r: any) => [seriesKey(r.metric), Number(r.value[1])]));
      assert.deepEqual(got, expected());
    } finally {
      await server.stop();
    }
  });
});

const pushgateway = findPushgateway();

describe('scripts/push.ts to a real Pushgateway', peerOptions(pushgateway), () => {
  it('pushgateway: every series and value under the job, exit 0; a refusal exits 1 with the status', {
    timeout: 120_000,
  }, async () => {
    assertPeer(pushgateway);
    const gateway = await startPushgateway('/gw');
    try {
      const out = await push(PUSH_FIXTURE, '--to', 'pushgateway', '--url', gateway.url, '--job', 'audit/nightly');
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /delivered \d+ families to .* as job "audit\/nightly" \(HTTP 200\)/);
      // The gateway shows the pushed series with the grouping key's labels added (job, and an empty instance).
      const shown = seriesMap(
        textSeries(await gateway.scrape())
          // push_time_seconds and push_failure_time_seconds are the gateway's own record of the push.
          .filter(
            (s) =>
              s.labels.job === 'audit/nightly' &&
              s.labels.__name__!.startsWith('push_') &&
              !/^push_(failure_)?time_seconds$/.test(s.labels.__name__!),
          )
          .map(({ labels: { job: _job, instance: _instance, ...labels }, value }) => ({ labels, value })),
      );
      assert.deepEqual(shown, expected());
      // A path the gateway does not serve answers 404: exit 1, naming the URL and the status.
      const clash = await push(PUSH_FIXTURE, '--to', 'pushgateway', '--url', `${gateway.url}/x`, '--job', 'audit');
      assert.equal(clash.status, 1, clash.stdout);
      assert.ok(clash.stderr.includes(`${gateway.url}/x`), clash.stderr);
      assert.match(clash.stderr, /status 404/);
    } finally {
      gateway.stop();
    }
  });
});
