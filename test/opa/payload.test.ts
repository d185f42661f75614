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
import { buildStatusUpdate, familiesToJson, PluginManager, ZEROTEL_VERSION } from '../../lib/opa/payload.js';

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
    const json = Family.toObject(message, { longs: String, enums: String, defaults: false, arrays: false, json: true }) as {
      name: string;
    };
    out[json.name] = json;
  }
  return out;
}

describe('status payload: metrics.prometheus as OPA sends it', () => {
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
    assert.deepEqual(ours['zero_gauge'], { name: 'zero_gauge', help: '', type: 'GAUGE', metric: [{ gauge: { value: 0 } }] });
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
    assert.deepEqual((ours['sizes'] as any).metric[0].summary, { sampleCount: '1', sampleSum: 10, quantile: [{ quantile: 0.5, value: 10 }] });
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
    assert.deepEqual({ ...buckets[1], exemplar: undefined }, { cumulativeCount: '2', upperBound: 'Infinity', exemplar: undefined });
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

  it('builds the update with labels, plugins and metrics', () => {
    const plugins = new PluginManager({ id: 'instance-1', labels: { region: 'eu' } });
    plugins.update('status', { state: 'OK' });
    plugins.update('decision_logs', { state: 'ERROR', message: 'disk full' });
    const update = buildStatusUpdate({ labels: plugins.labels, plugins: plugins.all(), families: [] });
    assert.deepEqual(update, {
      labels: { region: 'eu', id: 'instance-1', version: ZEROTEL_VERSION },
      plugins: { decision_logs: { state: 'ERROR', message: 'disk full' }, status: { state: 'OK' } },
      metrics: { prometheus: {} },
    });
    assert.match(ZEROTEL_VERSION, /^\d+\.\d+\.\d+/);
  });

  it('tells listeners about changes only', () => {
    const plugins = new PluginManager();
    const seen: unknown[] = [];
    plugins.listen('test', (s) => seen.push(s));
    plugins.update('a', { state: 'NOT_READY' });
    plugins.update('a', { state: 'NOT_READY' });
    plugins.update('a', { state: 'OK' });
    plugins.update('a', { state: 'OK', message: '' });
    plugins.update('a', { state: 'OK', message: 'fine' });
    assert.deepEqual(seen, [{ a: { state: 'NOT_READY' } }, { a: { state: 'OK' } }, { a: { state: 'OK', message: 'fine' } }]);
    plugins.unlisten('test');
    plugins.update('a', { state: 'ERROR' });
    assert.equal(seen.length, 3);
    assert.throws(() => plugins.update('a', { state: 'BROKEN' as never }), /state must be one of/);
  });
});
