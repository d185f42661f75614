/**
 * Native histograms pushed over OTLP, end to end, against client_golang's own buckets: each native golden
 * fixture is built and pushed (the exporters over gRPC and HTTP, and `scripts/push.ts` as users run it) to a
 * receiver decoding with the official protos, and every ExponentialHistogram point must hold the buckets
 * client_golang 1.14 exposed for the same observations (the fixture's `.pb`, decoded with client_model's
 * proto), moved to OTLP's layout: Prometheus key k is OTLP index k-1, spans and deltas become dense counts.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { parseFixture } from '../../lib/fixture/fixture.js';
import { runFixture } from '../../lib/fixture/run.js';
import type { FamilySnapshot } from '../../lib/metrics/snapshot.js';
import { OtlpGrpcMetricExporter, OtlpHttpMetricExporter } from '../../lib/otlp/metric-exporter.js';
import { startOtlpReceiver } from '../otlp/otlp-receiver.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = `${root}test/conformance/golden/`;
const NATIVE_FIXTURES = readdirSync(GOLDEN)
  .filter((f) => f.startsWith('native_') && f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .filter((name) => readdirSync(GOLDEN).includes(`${name}.pb`));

const clientModel = protobuf.loadSync(`${root}proto/metrics.proto`);
const MetricFamily = clientModel.lookupType('io.prometheus.client.MetricFamily');

interface OtlpBuckets {
  offset: number;
  bucketCounts: string[];
}

/** One series' expected point: its labels, then what OTLP must carry. */
interface Expected {
  key: string;
  count: string;
  scale: number;
  zeroCount: string;
  positive: OtlpBuckets;
  negative: OtlpBuckets;
}

/** client_golang's spans and deltas in OTLP's dense layout, written out from the Prometheus definitions. */
function otlpLayout(
  spans: Array<{ offset?: number; length?: number }>,
  deltas: Array<number | protobuf.Long>,
): OtlpBuckets {
  const counts: string[] = [];
  let key = 0;
  let firstKey: number | undefined;
  let count = 0;
  let d = 0;
  for (const span of spans) {
    key += span.offset ?? 0; // relative to the previous span's end (the first span: absolute)
    for (let i = 0; i < (span.length ?? 0); i++, key++) {
      count += Number(deltas[d++]);
      if (firstKey === undefined) firstKey = key;
      // A gap before this bucket shows as zero counts.
      while (firstKey + counts.length < key) counts.push('0');
      counts.push(String(count));
    }
  }
  return { offset: firstKey === undefined ? 0 : firstKey - 1, bucketCounts: counts };
}

function labelKey(pairs: Array<[string, string]>): string {
  return JSON.stringify([...pairs].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Every native series in a fixture's golden protobuf exposition, by family name. */
function goldenPoints(name: string): Map<string, Expected[]> {
  const reader = protobuf.Reader.create(readFileSync(`${GOLDEN}${name}.pb`));
  const out = new Map<string, Expected[]>();
  while (reader.pos < reader.len) {
    const message = MetricFamily.decodeDelimited(reader);
    const family = MetricFamily.toObject(message, { longs: String, defaults: true }) as any;
    const present = MetricFamily.toObject(message, { longs: String }) as any;
    const points: Expected[] = [];
    for (const [i, m] of family.metric.entries()) {
      // A native histogram is one whose schema field is there (client_golang always writes it for one).
      if (present.metric[i].histogram?.schema === undefined) continue;
      const h = m.histogram;
      points.push({
        key: labelKey(m.label.map((l: any) => [l.name, l.value])),
        count: String(h.sampleCount),
        scale: h.schema,
        zeroCount: String(h.zeroCount),
        positive: otlpLayout(h.positiveSpan, h.positiveDelta),
        negative: otlpLayout(h.negativeSpan, h.negativeDelta),
      });
    }
    if (points.length > 0) out.set(family.name, points);
  }
  return out;
}

function families(name: string): FamilySnapshot[] {
  const outcome = runFixture(parseFixture(readFileSync(`${GOLDEN}${name}.json`, 'utf8')));
  if (!outcome.ok) throw new Error(outcome.failure.message);
  return outcome.families;
}

/** The ExponentialHistogram points a decoded request carries, by metric name, in the expected shape. */
function receivedPoints(decoded: any): Map<string, Expected[]> {
  const out = new Map<string, Expected[]>();
  for (const m of decoded.resourceMetrics[0].scopeMetrics[0].metrics) {
    if (m.exponentialHistogram == null) continue;
    assert.equal(m.exponentialHistogram.aggregationTemporality, 2, 'cumulative');
    out.set(
      m.name,
      m.exponentialHistogram.dataPoints.map((p: any) => ({
        key: labelKey(p.attributes.map((kv: any) => [kv.key, kv.value.stringValue])),
        count: p.count,
        scale: p.scale,
        zeroCount: p.zeroCount,
        positive: { offset: p.positive.offset, bucketCounts: p.positive.bucketCounts },
        negative: { offset: p.negative.offset, bucketCounts: p.negative.bucketCounts },
      })),
    );
  }
  return out;
}

function assertSame(got: Map<string, Expected[]>, want: Map<string, Expected[]>, what: string): void {
  assert.ok(want.size > 0, `${what}: the golden output has native histograms`);
  const sorted = (m: Map<string, Expected[]>) =>
    [...m]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([n, ps]) => [n, [...ps].sort((a, b) => (a.key < b.key ? -1 : 1))]);
  assert.deepEqual(sorted(got), sorted(want), what);
}

describe("native golden fixtures pushed over OTLP hold client_golang's buckets", () => {
  for (const name of NATIVE_FIXTURES) {
    it(name, async () => {
      const want = goldenPoints(name);
      const receiver = await startOtlpReceiver();
      try {
        const exporters = [
          new OtlpGrpcMetricExporter({ endpoint: receiver.grpcEndpoint, env: {} }),
          new OtlpHttpMetricExporter({ endpoint: `${receiver.httpBase}/v1/metrics`, env: {} }),
          new OtlpHttpMetricExporter({ endpoint: `${receiver.httpBase}/v1/metrics`, protocol: 'http/json', env: {} }),
        ];
        for (const exporter of exporters) {
          const result = await exporter.export(families(name));
          await exporter.shutdown();
          assert.equal(result.kind, 'success', JSON.stringify(result));
        }
        assert.equal(receiver.received.length, exporters.length);
        for (const [i, got] of receiver.received.entries())
          assertSame(receivedPoints(got.decoded), want, `${name}, request ${i} (${got.transport} ${got.contentType})`);
      } finally {
        await receiver.stop();
      }
    });
  }

  it('scripts/push.ts, as users run it, over otlp-grpc and otlp-http-json', { timeout: 240_000 }, async () => {
    const name = 'native_labelled';
    const want = goldenPoints(name);
    const receiver = await startOtlpReceiver();
    try {
      for (const [mode, url] of [
        ['otlp-grpc', receiver.grpcEndpoint],
        ['otlp-http-json', `${receiver.httpBase}/v1/metrics`],
      ] as const) {
        const status = await new Promise<number>((resolve) =>
          execFile(
            `${root}node_modules/.bin/tsx`,
            ['scripts/push.ts', `${GOLDEN}${name}.json`, '--to', mode, '--url', url],
            { cwd: root, timeout: 120_000 },
            (error) => resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1),
          ),
        );
        assert.equal(status, 0, `${mode} exit status`);
      }
      assert.equal(receiver.received.length, 2);
      for (const got of receiver.received)
        assertSame(receivedPoints(got.decoded), want, `${name} over ${got.transport}`);
    } finally {
      await receiver.stop();
    }
  });
});
