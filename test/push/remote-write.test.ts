/**
 * Remote write: the request as the protocol asks (headers, snappy block body, a WriteRequest whose series
 * are exactly the text format's with sorted labels), the retry rules (5xx and 429 retried honouring
 * Retry-After, other 4xx dropped and counted), and a real Prometheus 2.42 receiver answering every series
 * with its value.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { writeText } from '../../lib/exposition/text.js';
import { Histogram } from '../../lib/metrics/histogram.js';
import { Registry } from '../../lib/metrics/registry.js';
import { REMOTE_WRITE_METRICS, pushMetrics } from '../../lib/otlp/push-metrics.js';
import { RemoteWriteClient } from '../../lib/push/remote-write.js';
import { snappyDecompress } from '../../lib/push/snappy.js';
import { startPeer } from '../opa/helpers.js';
import { findPrometheus, startPrometheusServer } from '../peers/prometheus-server.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { fixtureFamilies } from './push-fixture.js';
import { seriesKey, seriesMap, textSeries } from './text-series.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const WriteRequest = protobuf.loadSync(`${root}proto/prometheus/remote.proto`).lookupType('prometheus.WriteRequest');

interface DecodedSeries {
  labels: { name: string; value: string }[];
  samples: { value: number; timestamp: { toNumber(): number } | number }[];
}

function decodeBody(bytes: Uint8Array): DecodedSeries[] {
  const message = WriteRequest.decode(snappyDecompress(bytes)) as unknown as { timeseries: DecodedSeries[] };
  return message.timeseries;
}

const FAST_RETRY = { initialIntervalMs: 5, maxIntervalMs: 20, maxElapsedMs: 5_000, randomizationFactor: 0 };

describe('remote write request', () => {
  it('POSTs a snappy WriteRequest with the 1.0 headers: the text format series, labels sorted, ms timestamps', async () => {
    const peer = await startPeer((_r, res) => void res.writeHead(204).end());
    try {
      const families = fixtureFamilies();
      const before = Date.now();
      const result = await new RemoteWriteClient({
        url: `${peer.url}/api/v1/write`,
        headers: { 'X-Scope-OrgID': 'team-a' },
      }).pushFamilies(families);
      const after = Date.now();
      assert.equal(result.kind, 'success', JSON.stringify(result));
      assert.equal(peer.received.length, 1);
      const r = peer.received[0]!;
      assert.equal(r.method, 'POST');
      assert.equal(r.url, '/api/v1/write');
      assert.equal(r.headers['content-encoding'], 'snappy');
      assert.equal(r.headers['content-type'], 'application/x-protobuf');
      assert.equal(r.headers['x-prometheus-remote-write-version'], '0.1.0');
      assert.equal(r.headers['x-scope-orgid'], 'team-a');
      const decoded = decodeBody(r.bytes);
      const got = new Map<string, number>();
      for (const ts of decoded) {
        const names = ts.labels.map((l) => l.name);
        assert.deepEqual(
          names,
          [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
          'labels sorted by name',
        );
        assert.equal(ts.samples.length, 1);
        const stamp = Number(ts.samples[0]!.timestamp.toString());
        assert.ok(stamp >= before && stamp <= after, `timestamp ${stamp} in ms, within the push`);
        got.set(seriesKey(Object.fromEntries(ts.labels.map((l) => [l.name, l.value]))), ts.samples[0]!.value);
      }
      const want = seriesMap(textSeries(writeText(families)));
      assert.equal(decoded.length, want.size, 'one series per text line, nothing else');
      assert.deepEqual(got, want);
      assert.ok(got.has(seriesKey({ __name__: 'push_latency_seconds_bucket', handler: '/a', le: '+Inf' })));
      assert.ok(got.has(seriesKey({ __name__: 'push_payload_bytes', quantile: '0.99' })));
    } finally {
      await peer.close();
    }
  });

  it("sends a series' own buckets, and no made-up +Inf bucket when a bound is +Inf, as the text format", async () => {
    // client_golang lets one name under different const labels keep different buckets.
    const registry = new Registry();
    const a = new Histogram({ name: 'own_seconds', help: 'Own.', constLabels: { env: 'a' }, buckets: [1] });
    const b = new Histogram({ name: 'own_seconds', help: 'Own.', constLabels: { env: 'b' }, buckets: [2, Infinity] });
    registry.register(a);
    registry.register(b);
    a.observe(0.5);
    b.observe(3);
    const families = registry.collect();
    const peer = await startPeer((_r, res) => void res.writeHead(204).end());
    try {
      const result = await new RemoteWriteClient({ url: `${peer.url}/api/v1/write` }).pushFamilies(families);
      assert.equal(result.kind, 'success', JSON.stringify(result));
      const got = new Map<string, number>();
      for (const ts of decodeBody(peer.received[0]!.bytes)) {
        got.set(seriesKey(Object.fromEntries(ts.labels.map((l) => [l.name, l.value]))), ts.samples[0]!.value);
      }
      const text = textSeries(writeText(families));
      assert.deepEqual(got, seriesMap(text));
      assert.equal(result.samples, text.length);
      assert.equal(got.get(seriesKey({ __name__: 'own_seconds_bucket', env: 'b', le: '+Inf' })), 1);
      assert.equal(got.get(seriesKey({ __name__: 'own_seconds_bucket', env: 'b', le: '2' })), 0);
      assert.equal(got.get(seriesKey({ __name__: 'own_seconds_bucket', env: 'a', le: '1' })), 1);
    } finally {
      await peer.close();
    }
  });

  it('retries 5xx and 429 (waiting what Retry-After asks), then succeeds', async () => {
    const answers = [503, 429, 500, 200];
    const peer = await startPeer((_r, res, i) => {
      const status = answers[i] ?? 200;
      res.writeHead(status, status === 429 ? { 'retry-after': '1' } : {}).end(status >= 300 ? 'try later' : '');
    });
    try {
      const client = new RemoteWriteClient({ url: `${peer.url}/api/v1/write`, retry: FAST_RETRY });
      const started = Date.now();
      const result = await client.pushFamilies(fixtureFamilies());
      assert.equal(result.kind, 'success', JSON.stringify(result));
      assert.equal(result.attempts, 4);
      assert.equal(peer.received.length, 4);
      assert.ok(Date.now() - started >= 1000, 'slept the second Retry-After asked for');
      assert.equal(client.stats.retries, 3);
      assert.equal(client.stats.sentSamples, result.samples);
      assert.deepEqual(peer.received[0]!.bytes, peer.received[3]!.bytes, 'the same body every attempt');
    } finally {
      await peer.close();
    }
  });

  it('drops and counts samples a 4xx refuses, without retrying', async () => {
    const peer = await startPeer((_r, res) => void res.writeHead(400).end('out of order sample'));
    try {
      const own = new Registry();
      const client = new RemoteWriteClient({
        url: `${peer.url}/api/v1/write`,
        retry: FAST_RETRY,
        observer: pushMetrics(own, REMOTE_WRITE_METRICS),
      });
      const result = await client.pushFamilies(fixtureFamilies());
      assert.equal(result.kind, 'failure');
      assert.match(writeText(own.collect()), /^zerotel_remote_write_failed_samples_total\{reason="http_400"\} 27$/m);
      assert.equal(result.status, 400);
      assert.equal(result.attempts, 1);
      assert.match(result.message, /HTTP 400: out of order sample/);
      assert.match(result.message, /api\/v1\/write/);
      assert.equal(client.stats.droppedSamples, result.samples);
      assert.equal(result.samples, textSeries(writeText(fixtureFamilies())).length);
    } finally {
      await peer.close();
    }
  });

  it('names the endpoint when nothing listens', async () => {
    const peer = await startPeer();
    const url = `${peer.url}/api/v1/write`;
    await peer.close();
    const client = new RemoteWriteClient({ url, retry: { enabled: false } });
    const result = await client.pushFamilies(fixtureFamilies());
    assert.equal(result.kind, 'failure');
    assert.equal(result.status, 0);
    assert.ok(result.message.includes(url), result.message);
    assert.match(result.message, /ECONNREFUSED/);
  });

  it('refuses a URL that is not http(s)', () => {
    assert.throws(() => new RemoteWriteClient({ url: 'ftp://x/y' }), /must be http: or https:/);
    assert.throws(() => new RemoteWriteClient({ url: 'not a url' }), /not a valid URL/);
  });

  it('refuses a timeout that is not a positive number timers can wait', () => {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40]) {
      assert.throws(
        () => new RemoteWriteClient({ url: 'http://127.0.0.1:9/api/v1/write', timeoutMs }),
        /remote write timeoutMs must be a positive number up to 2147483647, got /,
        String(timeoutMs),
      );
    }
  });

  it('a registry that fails to gather is a failure naming it, and nothing is sent', async () => {
    const peer = await startPeer((_r, res) => void res.writeHead(204).end());
    try {
      const registry = new Registry();
      registry.register({
        describe: () => [],
        collect: () => {
          throw new Error('collector broke');
        },
      });
      const result = await new RemoteWriteClient({ url: `${peer.url}/api/v1/write` }).push(registry);
      assert.equal(result.kind, 'failure');
      assert.match(
        result.kind === 'failure' ? result.message : '',
        /could not gather the registry: [\s\S]*collector broke/,
      );
      assert.equal(result.samples, 0);
      assert.equal(peer.received.length, 0);
    } finally {
      await peer.close();
    }
  });
});

const prometheus = findPrometheus();

describe('remote write to a real Prometheus', peerOptions(prometheus), () => {
  it('stores every series with its value', { timeout: 120_000 }, async () => {
    assertPeer(prometheus);
    const server = await startPrometheusServer(prometheus.path!, 'global:\n  scrape_interval: 1h\n', [
      '--web.enable-remote-write-receiver',
    ]);
    try {
      const families = fixtureFamilies();
      const result = await new RemoteWriteClient({ url: `${server.base}/api/v1/write` }).pushFamilies(families);
      assert.equal(result.kind, 'success', `${JSON.stringify(result)}\n${server.output()}`);
      const at = Date.now() / 1000;
      const data = await server.api(`/api/v1/query?query=${encodeURIComponent('{__name__=~"push_.+"}')}&time=${at}`);
      const got = new Map<string, number>(
        data.result.map((r: { metric: Record<string, string>; value: [number, string] }) => [
          seriesKey(r.metric),
          Number(r.value[1]),
        ]),
      );
      assert.deepEqual(got, seriesMap(textSeries(writeText(families))));
    } finally {
      await server.stop();
    }
  });
});
