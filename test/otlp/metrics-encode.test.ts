/**
 * OTLP metrics encoding, decoded with the official protos: the Prometheus-to-OTLP mapping point by point,
 * protobuf and OTLP/JSON equal to each other, and both decode-equal to OpenTelemetry JS's serializers for
 * the same points (the push fixture and the W1 workload).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { toOtelResourceMetrics } from '../../bench/otel-metrics-data.js';
import { buildW1 } from '../../bench/workloads.js';
import { zerotelSink } from '../../bench/zerotel-sink.js';
import { Counter } from '../../lib/metrics/counter.js';
import { Histogram } from '../../lib/metrics/histogram.js';
import { Registry } from '../../lib/metrics/registry.js';
import type { FamilySnapshot } from '../../lib/metrics/snapshot.js';
import { encodeExportMetricsRequest } from '../../lib/otlp/metrics-encode.js';
import { encodeExportMetricsJson, msToNanos } from '../../lib/otlp/metrics-json.js';
import { type MetricsEnvelope, otelUnit } from '../../lib/otlp/metrics-model.js';
import { fixtureFamilies } from '../push/push-fixture.js';
import { MetricsRequest, decodeJson, decodeProtobuf } from './otlp-receiver.js';

const ENVELOPE: MetricsEnvelope = {
  resource: { 'service.name': 'checkout', 'service.instance.id': 'i-1', replicas: 3, canary: false, ratio: 0.25 },
  scope: { name: 'zerotel', version: '9.9.9' },
};
const NOW = 1_765_000_000_123.5; // ms, with a fraction: nanoseconds must come out exact

function metricsOf(decoded: any): any[] {
  assert.equal(decoded.resourceMetrics.length, 1);
  assert.equal(decoded.resourceMetrics[0].scopeMetrics.length, 1);
  return decoded.resourceMetrics[0].scopeMetrics[0].metrics;
}

function attrs(list: any[]): Record<string, string> {
  return Object.fromEntries(list.map((kv: any) => [kv.key, kv.value.stringValue]));
}

function withoutSummaries(families: FamilySnapshot[]): FamilySnapshot[] {
  return families.filter((f) => f.type !== 'summary');
}

describe('OTLP metrics encoding', () => {
  it('maps every type as the Prometheus compatibility rules say', () => {
    const families = fixtureFamilies();
    const decoded = decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(families, ENVELOPE, NOW));
    const rm = decoded.resourceMetrics[0];
    const resource = Object.fromEntries(rm.resource.attributes.map((kv: any) => [kv.key, kv.value[kv.value.value]]));
    assert.equal(resource['service.name'], 'checkout');
    assert.equal(resource.replicas, '3');
    assert.equal(resource.canary, false);
    assert.equal(resource.ratio, 0.25);
    assert.equal(rm.scopeMetrics[0].scope.name, 'zerotel');
    assert.equal(rm.scopeMetrics[0].scope.version, '9.9.9');
    const metrics = metricsOf(decoded);
    assert.deepEqual(
      metrics.map((m: any) => m.name),
      [
        'push_latency_seconds',
        'push_payload_bytes',
        'push_queue_length',
        'push_requests_total',
        'push_temperature_celsius',
      ],
      'the counter keeps _total; the labelled family without series is absent',
    );
    const byName = Object.fromEntries(metrics.map((m: any) => [m.name, m]));
    const time = msToNanos(NOW);
    assert.equal(time, '1765000000123500000');

    const counter = byName.push_requests_total;
    assert.equal(counter.description, 'Requests handled.');
    assert.equal(counter.data, 'sum');
    assert.equal(counter.sum.isMonotonic, true);
    assert.equal(counter.sum.aggregationTemporality, 2);
    const counterFamily = families.find((f) => f.name === 'push_requests_total')!;
    assert.deepEqual(
      counter.sum.dataPoints.map((p: any) => [attrs(p.attributes), p.asDouble, p.startTimeUnixNano, p.timeUnixNano]),
      counterFamily.series.map((s) => [
        Object.fromEntries(s.labels.names.map((n, i) => [n, s.labels.values[i]])),
        s.value,
        msToNanos(s.createdMs!),
        time,
      ]),
    );
    assert.equal(attrs(counter.sum.dataPoints[0].attributes).service, 'checkout', 'const labels are attributes');

    const gauge = byName.push_temperature_celsius;
    assert.equal(gauge.data, 'gauge');
    assert.equal(gauge.gauge.dataPoints[0].asDouble, -3.25);
    assert.equal(gauge.gauge.dataPoints[0].startTimeUnixNano, '0', 'a gauge has no start time');

    const histogram = byName.push_latency_seconds.histogram;
    assert.equal(histogram.aggregationTemporality, 2);
    const a = histogram.dataPoints[0];
    assert.deepEqual(attrs(a.attributes), { handler: '/a' });
    assert.deepEqual(a.explicitBounds, [0.005, 0.05, 0.5, 1, 2.5], 'bounds without +Inf');
    assert.deepEqual(a.bucketCounts, ['1', '1', '0', '1', '0', '1'], 'per-bucket counts, +Inf last');
    assert.equal(a.count, '4');
    assert.equal(a.sum, 7.731);

    const summary = byName.push_payload_bytes.summary.dataPoints[0];
    assert.equal(summary.count, '4');
    assert.equal(summary.sum, 1000);
    assert.deepEqual(
      summary.quantileValues.map((q: any) => [q.quantile, q.value]),
      [
        [0.5, 200],
        [0.9, 400],
        [0.99, 400],
      ],
    );
  });

  it('carries units in OpenTelemetry spelling and exemplars with their trace and span ids', () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'jobs_seconds_total',
      help: 'Job time.',
      unit: 'seconds',
      registers: [registry],
    });
    const histogram = new Histogram({
      name: 'size_bytes',
      help: 'Sizes.',
      unit: 'bytes',
      buckets: [10, 100],
      registers: [registry],
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    counter.addWithExemplar(2, { trace_id: traceId, span_id: spanId, user: 'u1' });
    histogram.observeWithExemplar(50, { trace_id: traceId, span_id: spanId });
    const families = registry.collect();
    const pb = decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(families, ENVELOPE, NOW));
    const json = decodeJson(MetricsRequest, encodeExportMetricsJson(families, ENVELOPE, NOW));
    assert.deepEqual(json, pb, 'OTLP/JSON and protobuf carry the same request');
    const [jobs, sizes] = [
      metricsOf(pb).find((m: any) => m.name === 'jobs_seconds_total'),
      metricsOf(pb).find((m: any) => m.name === 'size_bytes'),
    ];
    assert.equal(jobs.unit, 's');
    assert.equal(sizes.unit, 'By');
    const e = jobs.sum.dataPoints[0].exemplars[0];
    assert.equal(e.traceId, traceId);
    assert.equal(e.spanId, spanId);
    assert.equal(e.asDouble, 2);
    assert.deepEqual(attrs(e.filteredAttributes), { user: 'u1' });
    assert.notEqual(e.timeUnixNano, '0');
    const be = sizes.histogram.dataPoints[0].exemplars;
    assert.equal(be.length, 1);
    assert.equal(be[0].traceId, traceId);
    assert.equal(be[0].asDouble, 50);
    assert.equal(otelUnit('kilobytes_per_seconds'), 'kBy/s');
    assert.equal(otelUnit('ratio'), '1');
  });

  it('writes OTLP/JSON by its rules: camelCase, integer enums, 64-bit integers as strings', () => {
    const families = fixtureFamilies();
    const text = encodeExportMetricsJson(families, ENVELOPE, NOW);
    const raw = JSON.parse(text);
    const metrics = raw.resourceMetrics[0].scopeMetrics[0].metrics;
    const counter = metrics.find((m: any) => m.name === 'push_requests_total');
    assert.equal(counter.sum.aggregationTemporality, 2);
    assert.equal(typeof counter.sum.dataPoints[0].timeUnixNano, 'string');
    assert.equal(typeof counter.sum.dataPoints[0].startTimeUnixNano, 'string');
    const histogram = metrics.find((m: any) => m.name === 'push_latency_seconds');
    assert.deepEqual(histogram.histogram.dataPoints[0].bucketCounts, ['1', '1', '0', '1', '0', '1']);
    assert.equal(histogram.histogram.dataPoints[0].count, '4');
    assert.deepEqual(raw.resourceMetrics[0].resource.attributes.find((a: any) => a.key === 'replicas').value, {
      intValue: '3',
    });
    assert.ok(!/"[a-z]+_[a-z]+"\s*:/.test(text.replace(/"(key|name|description)":"[^"]*"/g, '')), 'no snake_case keys');
    assert.deepEqual(
      decodeJson(MetricsRequest, text),
      decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(families, ENVELOPE, NOW)),
    );
  });

  for (const [name, families] of [
    ['the push fixture', () => withoutSummaries(fixtureFamilies())],
    [
      'W1',
      () => {
        const registry = new Registry();
        buildW1(zerotelSink(registry));
        return registry.collect();
      },
    ],
  ] as const) {
    it(`${name}: decode-equal to OpenTelemetry JS's protobuf and JSON serializers`, () => {
      const snapshot = families();
      const otel = toOtelResourceMetrics(snapshot, ENVELOPE, NOW);
      const ours = decodeProtobuf(MetricsRequest, encodeExportMetricsRequest(snapshot, ENVELOPE, NOW));
      assert.deepEqual(ours, decodeProtobuf(MetricsRequest, ProtobufMetricsSerializer.serializeRequest(otel)!));
      const theirJson = new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(otel)!);
      assert.deepEqual(
        decodeJson(MetricsRequest, encodeExportMetricsJson(snapshot, ENVELOPE, NOW)),
        decodeJson(MetricsRequest, theirJson),
      );
    });
  }
});
