/**
 * The jsonpb writer (exposition/jsonpb.ts) against protobufjs decoding our protobuf output with
 * client_model's schema and writing it as protojson does.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { Counter } from '../../lib/metrics/counter.js';
import { Gauge } from '../../lib/metrics/gauge.js';
import { Histogram } from '../../lib/metrics/histogram.js';
import { Registry } from '../../lib/metrics/registry.js';
import { Summary } from '../../lib/metrics/summary.js';
import { encodeProtobuf } from '../../lib/exposition/protobuf.js';
import { encodeJsonpb, familiesToJson, formatJsonpb } from '../../lib/exposition/jsonpb.js';

const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));

/** Decodes delimited MetricFamily messages with our proto, as JSON the way protojson would write them. */
function decodeFamilies(bytes: Uint8Array): Record<string, unknown> {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_DIR}/${target}`;
  root.loadSync('metrics.proto', { keepCase: false });
  const Family = root.lookupType('io.prometheus.client.MetricFamily');
  const reader = protobuf.Reader.create(bytes);
  const out: Record<string, unknown> = {};
  while (reader.pos < reader.len) {
    const message = Family.decodeDelimited(reader);
    const json = Family.toObject(message, {
      longs: String,
      enums: String,
      defaults: false,
      arrays: false,
      json: true,
    }) as {
      name: string;
    };
    out[json.name] = json;
  }
  return out;
}

describe('jsonpb: MetricFamily as protobuf JSON, by name', () => {
  it('matches client_model MetricFamily JSON (camelCase, enum names, uint64 as strings)', () => {
    const registry = new Registry();
    const c = new Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['code'], registers: [registry] });
    c.labels('200').inc(3);
    c.labels('500').inc();
    new Gauge({ name: 'temperature', help: 'Degrees.', registers: [registry] }).set(-2.5);
    const zero = new Gauge({ name: 'zero_gauge', help: '', registers: [registry] });
    zero.set(0);
    const h = new Histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1], registers: [registry] });
    h.observe(0.05);
    h.observe(2);
    const s = new Summary({ name: 'sizes', help: 'Sizes.', objectives: { 0.5: 0.05 }, registers: [registry] });
    s.observe(10);
    const families = registry.collect();
    const ours = familiesToJson(families);
    const reference = decodeFamilies(encodeProtobuf(families));
    assert.deepEqual(JSON.parse(JSON.stringify(ours)), reference);

    // The shape, spelled out for one of each.
    assert.deepEqual(ours['requests_total'], {
      name: 'requests_total',
      help: 'Requests.',
      type: 'COUNTER',
      metric: [
        { label: [{ name: 'code', value: '200' }], counter: { value: 3 } },
        { label: [{ name: 'code', value: '500' }], counter: { value: 1 } },
      ],
    });
    assert.deepEqual(ours['zero_gauge'], {
      name: 'zero_gauge',
      help: '',
      type: 'GAUGE',
      metric: [{ gauge: { value: 0 } }],
    });
    assert.deepEqual(ours['latency_seconds'], {
      name: 'latency_seconds',
      help: 'Latency.',
      type: 'HISTOGRAM',
      metric: [
        {
          histogram: {
            sampleCount: '2',
            sampleSum: 2.05,
            bucket: [
              { cumulativeCount: '1', upperBound: 0.1 },
              { cumulativeCount: '1', upperBound: 1 },
            ],
          },
        },
      ],
    });
    assert.equal((ours['sizes'] as any).type, 'SUMMARY');
    assert.deepEqual((ours['sizes'] as any).metric[0].summary, {
      sampleCount: '1',
      sampleSum: 10,
      quantile: [{ quantile: 0.5, value: 10 }],
    });
  });

  it('writes exemplars with RFC 3339 timestamps, and the +Inf bucket only when it holds one', () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'd_seconds', help: 'D.', buckets: [1], registers: [registry] });
    h.observeWithExemplar(0.5, { trace_id: 'abc', span_id: 'def' });
    h.observeWithExemplar(5, { trace_id: 'x' });
    const json = familiesToJson(registry.collect())['d_seconds']!;
    const buckets = json.metric![0]!.histogram!.bucket!;
    assert.equal(buckets.length, 2);
    assert.deepEqual(buckets[0]!.exemplar!.label, [
      { name: 'span_id', value: 'def' },
      { name: 'trace_id', value: 'abc' },
    ]);
    assert.equal(buckets[0]!.exemplar!.value, 0.5);
    assert.match(buckets[0]!.exemplar!.timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    assert.deepEqual(
      { ...buckets[1], exemplar: undefined },
      { cumulativeCount: '2', upperBound: 'Infinity', exemplar: undefined },
    );
  });

  it('writes NaN and infinities as protojson strings and drops families without series', () => {
    const registry = new Registry();
    new Gauge({ name: 'nan_gauge', help: '', registers: [registry] }).set(NaN);
    new Gauge({ name: 'inf_gauge', help: '', registers: [registry] }).set(-Infinity);
    new Counter({ name: 'unused_total', help: '', labelNames: ['a'], registers: [registry] });
    const json = familiesToJson(registry.collect());
    assert.deepEqual(json['nan_gauge']!.metric, [{ gauge: { value: 'NaN' } }]);
    assert.deepEqual(json['inf_gauge']!.metric, [{ gauge: { value: '-Infinity' } }]);
    assert.equal(json['unused_total'], undefined);
  });

  it('formatJsonpb is the JSON text of familiesToJson, encodeJsonpb its UTF-8 bytes', () => {
    const registry = new Registry();
    new Counter({ name: 'hits_total', help: 'Hits "ä".', labelNames: ['path'], registers: [registry] })
      .labels('/ö\n')
      .inc(2);
    new Gauge({ name: 'g', help: '', registers: [registry] }).set(NaN);
    const families = registry.collect();
    const text = formatJsonpb(families);
    assert.equal(text, JSON.stringify(familiesToJson(families)));
    assert.deepEqual(JSON.parse(text), decodeFamilies(encodeProtobuf(families)));
    assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(encodeJsonpb(families)), text);
    assert.equal(formatJsonpb([]), '{}');
  });

  it('writes native histogram fields and series with their own bounds or ranks as the protobuf writer does', () => {
    const registry = new Registry();
    const native = new Histogram({
      name: 'native_seconds',
      help: 'N.',
      nativeHistogramBucketFactor: 1.1,
      registers: [registry],
    });
    for (const v of [0.3, 0.31, 5, -4, 0, 1e-300]) native.observe(v);
    for (const [env, buckets] of [
      ['a', [1]],
      ['b', [2, 3]],
    ] as const) {
      new Histogram({
        name: 'h',
        help: '',
        buckets: [...buckets],
        constLabels: { env },
        registers: [registry],
      }).observe(2.5);
    }
    for (const [env, objectives] of [
      ['a', { 0.5: 0.05 }],
      ['b', { 0.9: 0.01, 0.99: 0.001 }],
    ] as const) {
      new Summary({ name: 's', help: '', objectives, constLabels: { env }, registers: [registry] }).observe(2);
    }
    const families = registry.collect();
    const ours = familiesToJson(families);
    assert.deepEqual(JSON.parse(JSON.stringify(ours)), decodeFamilies(encodeProtobuf(families)));
    const histogram = ours['native_seconds']!.metric![0]!.histogram!;
    assert.equal(typeof histogram.schema, 'number');
    assert.equal(histogram.zeroCount, '2'); // 0 and 1e-300, inside the default zero bucket
    assert.ok(histogram.positiveSpan!.length > 0 && histogram.positiveDelta!.length > 0);
    assert.deepEqual(
      ours['h']!.metric!.map((m) => m.histogram!.bucket!.map((b) => b.upperBound)),
      [[1], [2, 3]],
    );
    assert.deepEqual(
      ours['s']!.metric!.map((m) => m.summary!.quantile!.map((q) => q.quantile)),
      [[0.5], [0.9, 0.99]],
    );
  });

  it('keeps a family named __proto__ as a family', () => {
    const registry = new Registry();
    new Gauge({ name: '__proto__', help: 'Odd but valid.', registers: [registry] }).set(1);
    const json = familiesToJson(registry.collect());
    assert.equal(Object.getPrototypeOf(json), Object.prototype);
    assert.deepEqual(Object.keys(json), ['__proto__']);
    assert.equal(
      formatJsonpb(registry.collect()),
      '{"__proto__":{"name":"__proto__","help":"Odd but valid.","type":"GAUGE","metric":[{"gauge":{"value":1}}]}}',
    );
  });
});
