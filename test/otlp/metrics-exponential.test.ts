/**
 * Native histograms as OTLP ExponentialHistograms. The reference is OpenTelemetry JS itself: the same
 * observations go through its SDK's base-2 exponential aggregation (pinned to the native histogram's scale by
 * its bucket budget), and its protobuf and JSON serializers must decode equal to ours, with the official protos.
 * Then a pushed native histogram, over gRPC and HTTP, reconstructs every observation's bucket at the receiver.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  MetricReader,
  type ExponentialHistogram,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import protobuf from 'protobufjs';
import { msToHrTime } from '../../bench/otel-metrics-data.js';
import { Histogram } from '../../lib/metrics/histogram.js';
import { NATIVE_ZERO_THRESHOLD_ZERO } from '../../lib/metrics/native-histogram.js';
import { Registry } from '../../lib/metrics/registry.js';
import type { FamilySnapshot } from '../../lib/metrics/snapshot.js';
import { encodeExportMetricsRequest } from '../../lib/otlp/metrics-encode.js';
import { encodeExportMetricsJson } from '../../lib/otlp/metrics-json.js';
import type { MetricsEnvelope } from '../../lib/otlp/metrics-model.js';
import { OtlpGrpcMetricExporter, OtlpHttpMetricExporter } from '../../lib/otlp/metric-exporter.js';
import { MetricsRequest, decodeJson, decodeProtobuf, startOtlpReceiver } from './otlp-receiver.js';

const ENVELOPE: MetricsEnvelope = {
  resource: { 'service.name': 'native' },
  scope: { name: 'zerotel', version: '1.0.0' },
};
const NOW = 1_765_000_000_250.25;

/** A bucket factor that makes client_golang's schema choice land on `schema` (mid-way, clear of rounding). */
function factorFor(schema: number): number {
  return 2 ** (1.5 * 2 ** -schema);
}

/** A registry with one native histogram (no classic buckets) that has seen `values`. */
function nativeFamily(
  values: readonly number[],
  schema: number,
  zeroThreshold = NATIVE_ZERO_THRESHOLD_ZERO,
  buckets?: number[],
): FamilySnapshot[] {
  const registry = new Registry();
  const h = new Histogram({
    name: 'rpc_latency_seconds',
    help: 'RPC latency.',
    unit: 'seconds',
    labelNames: ['method'],
    ...(buckets !== undefined ? { buckets } : {}),
    nativeHistogramBucketFactor: factorFor(schema),
    nativeHistogramZeroThreshold: zeroThreshold,
    registers: [registry],
  });
  for (const v of values) h.observe({ method: 'get' }, v);
  const families = registry.collect();
  assert.equal(families[0]!.series[0]!.native!.schema, schema, 'the bucket factor picks the schema');
  return families;
}

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/**
 * OpenTelemetry JS's exponential histogram of `values` at `scale`: its aggregation starts at scale 20 and
 * halves until the buckets fit `maxSize`, so a budget of the widest side's bucket count stops it at `scale`
 * (one scale higher needs at least twice that less one). An UpDownCounter, because the SDK's Histogram
 * instrument drops negative values.
 */
async function otelHistogram(values: readonly number[], maxSize: number): Promise<ExponentialHistogram> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    readers: [reader],
    views: [
      {
        instrumentName: 'h',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize, recordMinMax: false } },
      },
    ],
  });
  const counter = provider.getMeter('reference').createUpDownCounter('h');
  for (const v of values) counter.add(v);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const point = resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints[0]!;
  return point.value as ExponentialHistogram;
}

/** OpenTelemetry JS's input for the same point: our family's name, labels and times, its buckets. */
function otelRequest(family: FamilySnapshot, value: ExponentialHistogram, sum: number): ResourceMetrics {
  const s = family.series[0]!;
  return {
    resource: resourceFromAttributes(ENVELOPE.resource),
    scopeMetrics: [
      {
        scope: { name: ENVELOPE.scope.name, version: ENVELOPE.scope.version },
        metrics: [
          {
            descriptor: { name: family.name, description: family.help, unit: 's', valueType: 1 /* DOUBLE */ } as never,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
            dataPoints: [
              {
                attributes: { method: 'get' },
                startTime: msToHrTime(s.createdMs!),
                endTime: msToHrTime(NOW),
                // Prometheus has no min and max; the SDK's sum is unset for an UpDownCounter.
                value: withoutMinMax({ ...value, sum }),
              },
            ],
          },
        ],
      },
    ],
  };
}

function widest(point: any): number {
  return Math.max(point.positive.bucketCounts.length, point.negative.bucketCounts.length);
}

function pointOf(decoded: any): any {
  return decoded.resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0];
}

const CASES: ReadonlyArray<{ name: string; schema: number; values: number[] }> = [
  { name: 'schema 8, values close together', schema: 8, values: [1.001, 1.0042, 1.013, 1.02, 1.02, 1.031] },
  {
    name: 'schema 3, gaps between spans, negatives and zeros',
    schema: 3,
    values: [0.011, 0.012, 0.5, 0.52, 3, 300, 300.5, -0.04, -2.2, -2.3, 0, 0],
  },
  { name: 'schema 1, exact powers of two on bucket edges', schema: 1, values: [0.25, 0.5, 1, 2, 4, 4, 1024, -1, -8] },
  { name: 'schema 0', schema: 0, values: [0.001, 0.3, 7, 7.5, 1e6, -3] },
  // At negative schemas, magnitudes above 1: client_golang 1.14 (whose buckets the engine reproduces) rounds
  // the keys of smaller magnitudes toward zero there, one bucket off from OpenTelemetry's (fixed upstream in 1.16).
  { name: 'schema -2, negatives only', schema: -2, values: [-1.5, -20, -20, -4e5, -3e7] },
  { name: 'schema -4, a wide range', schema: -4, values: [1.5, 3, 4e9, 5e20, 6e40, -2, -7e15] },
];

describe('native histogram -> OTLP ExponentialHistogram', () => {
  for (const c of CASES) {
    it(`${c.name}: decode-equal to OpenTelemetry JS's protobuf and JSON serializers`, async () => {
      const families = nativeFamily(c.values, c.schema);
      const ours = decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(families, ENVELOPE, NOW));
      const point = pointOf(ours);
      assert.equal(point.scale, c.schema);
      const sum = c.values.reduce((a, b) => a + b, 0);
      const reference = await otelHistogram(c.values, Math.max(2, widest(point)));
      assert.equal(reference.scale, c.schema, 'the reference aggregated at the same scale');
      const theirs = otelRequest(families[0]!, reference, sum);
      assert.deepEqual(ours, decodeProtobuf(MetricsRequest, ProtobufMetricsSerializer.serializeRequest(theirs)!));
      const theirJson = new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(theirs)!);
      assert.deepEqual(
        decodeJson(MetricsRequest, encodeExportMetricsJson(families, ENVELOPE, NOW)),
        decodeJson(MetricsRequest, theirJson),
      );
      assert.equal(point.count, String(c.values.length));
      assert.equal(point.zeroCount, String(c.values.filter((v) => v === 0).length));
    });
  }

  it('keeps the zero threshold (field 14) in protobuf and JSON, and counts small values as zeros', () => {
    const families = nativeFamily([1e-9, -3e-10, 0, 0.5, 2], 2, 1e-6);
    const native = families[0]!.series[0]!.native!;
    assert.equal(native.zeroCount, 3);
    const bytes = encodeExportMetricsRequest(families, ENVELOPE, NOW);
    const point = pointOf(decodeProtobuf(MetricsRequest, bytes));
    assert.equal(point.zeroCount, '3');
    // The official protos at hand predate zero_threshold: read field 14 of the data point with protobufjs' reader.
    assert.equal(zeroThresholdField(bytes), 1e-6);
    const json = JSON.parse(encodeExportMetricsJson(families, ENVELOPE, NOW));
    const jsonPoint = json.resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0];
    assert.equal(jsonPoint.zeroThreshold, 1e-6);
    assert.equal(jsonPoint.zeroCount, '3');
    assert.equal(jsonPoint.scale, 2);
    assert.equal(json.resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.aggregationTemporality, 2);
    assert.equal(jsonPoint.min, undefined);
    assert.equal(jsonPoint.max, undefined);
    // The default threshold, 2^-128, goes out as it is; a zero bucket of exact zeros only has none.
    const defaults = nativeFamily([1], 0, 0);
    assert.equal(zeroThresholdField(encodeExportMetricsRequest(defaults, ENVELOPE, NOW)), 2 ** -128);
    const exact = nativeFamily([1, 0], 0);
    assert.equal(zeroThresholdField(encodeExportMetricsRequest(exact, ENVELOPE, NOW)), undefined);
  });

  it('carries exemplars with their trace and span ids, and counts a NaN observation outside the buckets', () => {
    const registry = new Registry();
    const h = new Histogram({
      name: 'job_seconds',
      help: 'Jobs.',
      nativeHistogramBucketFactor: 1.5,
      registers: [registry],
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    h.observeWithExemplar(0.5, { trace_id: traceId, span_id: spanId, host: 'a' });
    h.observe(NaN);
    const families = registry.collect();
    const pb = decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(families, ENVELOPE, NOW));
    assert.deepEqual(pb, decodeJson(MetricsRequest, encodeExportMetricsJson(families, ENVELOPE, NOW)));
    const point = pointOf(pb);
    assert.equal(point.count, '2');
    assert.deepEqual(point.positive.bucketCounts, ['1'], 'NaN is counted, in no bucket');
    assert.ok(Number.isNaN(point.sum));
    assert.equal(point.exemplars.length, 1);
    const e = point.exemplars[0];
    assert.equal(e.traceId, traceId);
    assert.equal(e.spanId, spanId);
    assert.equal(e.asDouble, 0.5);
    assert.deepEqual(
      e.filteredAttributes.map((kv: any) => [kv.key, kv.value.stringValue]),
      [['host', 'a']],
    );
  });

  it('a histogram with classic and native buckets goes out as the ExponentialHistogram, as Prometheus ingests it', () => {
    const families = nativeFamily([0.2, 3, 40], 0, NATIVE_ZERO_THRESHOLD_ZERO, [1, 10]);
    assert.deepEqual(families[0]!.upperBounds, [1, 10]);
    for (const decoded of [
      decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(families, ENVELOPE, NOW)),
      decodeJson(MetricsRequest, encodeExportMetricsJson(families, ENVELOPE, NOW)),
    ]) {
      const metric = decoded.resourceMetrics[0].scopeMetrics[0].metrics[0];
      assert.equal(metric.data, 'exponentialHistogram');
      assert.ok(metric.histogram == null, 'no classic Histogram beside it');
      const point = metric.exponentialHistogram.dataPoints[0];
      // 0.2 in (2^-3, 2^-2] -> index -3; 3 in (2, 4] -> 1; 40 in (32, 64] -> 5.
      assert.equal(point.positive.offset, -3);
      assert.deepEqual(point.positive.bucketCounts, ['1', '0', '0', '0', '1', '0', '0', '0', '1']);
      assert.equal(point.sum, 43.2);
    }
  });

  it('an empty native histogram sends count 0 and empty buckets', () => {
    const registry = new Registry();
    new Histogram({ name: 'idle_seconds', help: 'Idle.', nativeHistogramBucketFactor: 1.1, registers: [registry] });
    const families = registry.collect();
    const pb = decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(families, ENVELOPE, NOW));
    assert.deepEqual(pb, decodeJson(MetricsRequest, encodeExportMetricsJson(families, ENVELOPE, NOW)));
    const point = pointOf(pb);
    assert.equal(point.count, '0');
    assert.deepEqual(point.positive, { offset: 0, bucketCounts: [] });
    assert.deepEqual(point.negative, { offset: 0, bucketCounts: [] });
    assert.equal(point.scale, 3);
  });
});

/** The zero_threshold double of the first ExponentialHistogram data point in a request, read field by field. */
function zeroThresholdField(bytes: Uint8Array): number | undefined {
  // request.resource_metrics(1) -> scope_metrics(2) -> metrics(2) -> exponential_histogram(10) -> data_points(1)
  let body = bytes;
  for (const field of [1, 2, 2, 10, 1]) body = lenFieldOf(body, field)!;
  const reader = protobuf.Reader.create(body);
  let found: number | undefined;
  while (reader.pos < reader.len) {
    const key = reader.uint32();
    if (key >>> 3 === 14 && (key & 7) === 1) found = reader.double();
    else reader.skipType(key & 7);
  }
  return found;
}

function lenFieldOf(bytes: Uint8Array, field: number): Uint8Array | undefined {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const key = reader.uint32();
    if (key >>> 3 === field && (key & 7) === 2) return reader.bytes();
    reader.skipType(key & 7);
  }
  return undefined;
}

describe('a pushed native histogram reconstructs its observations at an OTLP receiver', () => {
  const values = [0.003, 0.0031, 0.7, 1.5, 42, 42.5, 1000, -0.2, -7, 0, 0];
  const schema = 2;
  for (const mode of ['grpc', 'http/protobuf', 'http/json'] as const) {
    it(mode, async () => {
      const receiver = await startOtlpReceiver();
      try {
        const families = nativeFamily(values, schema);
        const exporter =
          mode === 'grpc'
            ? new OtlpGrpcMetricExporter({ endpoint: receiver.grpcEndpoint, env: {} })
            : new OtlpHttpMetricExporter({ endpoint: `${receiver.httpBase}/v1/metrics`, protocol: mode, env: {} });
        const result = await exporter.export(families);
        await exporter.shutdown();
        assert.equal(result.kind, 'success', JSON.stringify(result));
        assert.equal(receiver.received.length, 1);
        const point = pointOf(receiver.received[0]!.decoded);
        assert.equal(point.scale, schema);
        assert.equal(point.count, String(values.length));
        assert.equal(point.zeroCount, '2');
        // Every observation counted in the bucket (base^i, base^(i+1)] that holds its absolute value.
        const base = 2 ** (2 ** -schema);
        const expect = (sign: number, buckets: any): void => {
          const counts = buckets.bucketCounts.map(Number);
          const got = new Map<number, number>();
          counts.forEach((n: number, j: number) => {
            if (n > 0) got.set(buckets.offset + j, n);
          });
          const want = new Map<number, number>();
          for (const v of values.filter((x) => Math.sign(x) === sign)) {
            const i = Math.ceil(Math.log(Math.abs(v)) / Math.log(base)) - 1;
            assert.ok(base ** i < Math.abs(v) && Math.abs(v) <= base ** (i + 1), `${v} lies in bucket ${i}`);
            want.set(i, (want.get(i) ?? 0) + 1);
          }
          assert.deepEqual(
            [...got].sort((a, b) => a[0] - b[0]),
            [...want].sort((a, b) => a[0] - b[0]),
          );
        };
        expect(1, point.positive);
        expect(-1, point.negative);
      } finally {
        await receiver.stop();
      }
    });
  }
});

/** The SDK's point value with min and max unset (Prometheus has neither), as the serializer sees an unset field. */
function withoutMinMax<T extends { min?: number; max?: number }>(value: T): T {
  const { min: _min, max: _max, ...rest } = value;
  return rest as T;
}
