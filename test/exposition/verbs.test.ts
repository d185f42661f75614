/**
 * The exposition verbs: `encodeX` gives bytes, `formatX` a string. The names they replaced (writeText,
 * writeOpenMetrics, writeProtobuf, formatGo, and formatOpenMetrics given a number) stay as deprecated
 * aliases that scripts import from the root entry and from zerotel/metrics: they must give exactly what
 * the new names give.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as root from '../../lib/index.js';
import * as metrics from '../../lib/metrics/index.js';
import { Counter, Gauge, Histogram, Registry, Summary, type FamilySnapshot } from '../../lib/metrics/index.js';

/** Every metric type, with labels that need escaping, exemplars, a native histogram and a timestamped series. */
function sampleFamilies(): FamilySnapshot[] {
  const registry = new Registry();
  const requests = new Counter({
    name: 'requests_total',
    help: 'Requests "by" code\\n.',
    labelNames: ['code'],
    registers: [registry],
  });
  requests.labels('200').inc(3);
  requests.labels('5"0\n0').addWithExemplar(1.5, { trace_id: 'abc' });
  new Counter({ name: 'plain_counter', help: 'No _total.', registers: [registry] }).inc();
  const gauge = new Gauge({ name: 'temperature_celsius', help: 'Degrees.', unit: 'celsius', registers: [registry] });
  gauge.set(-2.5e-7);
  const latency = new Histogram({
    name: 'latency_seconds',
    help: 'Latency.',
    buckets: [0.001, 0.5, 1e6],
    labelNames: ['route'],
    registers: [registry],
  });
  latency.labels('/ä').observe(0.25);
  latency.labels('/ä').observeWithExemplar(2e6, { trace_id: 'inf' });
  const native = new Histogram({
    name: 'native_seconds',
    help: 'Native.',
    nativeHistogramBucketFactor: 1.1,
    registers: [registry],
  });
  native.observe(0.3);
  native.observe(-4);
  const summary = new Summary({
    name: 'sizes_bytes',
    help: 'Sizes.',
    objectives: { 0.5: 0.05, 0.99: 0.001 },
    registers: [registry],
  });
  for (let i = 1; i <= 100; i++) summary.observe(i);
  new Summary({ name: 'empty_summary', help: 'No observations.', registers: [registry] });
  const families = registry.collect();
  families.push({
    name: 'stamped',
    help: 'A const metric with a timestamp.',
    type: 'untyped',
    unit: '',
    upperBounds: null,
    quantileRanks: null,
    series: [metrics.series(new metrics.LabelSet(['a'], ['b']), { value: NaN, timestampMs: 1_700_000_000_123 })],
  });
  return families;
}

const FLOATS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e-4,
  9.9999e-5,
  123456.789,
  1e6,
  -1e6,
  1e21,
  5e-324,
  Number.MAX_VALUE,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53 + 2,
  1 / 3,
];

describe('exposition verbs', () => {
  const families = sampleFamilies();

  it('formatX is the UTF-8 text of encodeX', () => {
    const decode = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    assert.equal(metrics.formatText(families), decode(metrics.encodeText(families)));
    assert.equal(metrics.formatOpenMetrics(families), decode(metrics.encodeOpenMetrics(families)));
    assert.equal(
      metrics.formatOpenMetrics(families, { created: true }),
      decode(metrics.encodeOpenMetrics(families, { created: true })),
    );
    assert.match(metrics.formatText(families), /^latency_seconds_bucket\{route="\/ä",le="\+Inf"\} 2$/m);
    assert.match(metrics.formatOpenMetrics(families), /^# UNIT temperature_celsius celsius$/m);
  });

  it('the deprecated aliases return exactly what the new names return', () => {
    assert.equal(metrics.writeText(families), metrics.formatText(families));
    assert.equal(metrics.writeOpenMetrics(families), metrics.formatOpenMetrics(families));
    assert.equal(
      metrics.writeOpenMetrics(families, { created: true }),
      metrics.formatOpenMetrics(families, { created: true }),
    );
    const encoded = metrics.encodeProtobuf(families);
    const written = metrics.writeProtobuf(families);
    assert.ok(written instanceof Uint8Array);
    assert.ok(encoded.length > 0);
    assert.deepEqual(written, encoded);
  });

  it('the float formatters keep their old names, and formatOpenMetrics still formats a number', () => {
    for (const value of FLOATS) {
      assert.equal(metrics.formatGo(value), metrics.formatGoFloat(value), String(value));
      assert.equal(metrics.formatOpenMetrics(value), metrics.formatOpenMetricsFloat(value), String(value));
    }
    assert.equal(metrics.formatGoFloat(1e6), '1e+06');
    assert.equal(metrics.formatOpenMetricsFloat(1), '1.0');
    assert.equal(metrics.formatOpenMetrics(-0), '0.0');
  });

  it('formatOpenMetrics names what it got when it is neither families nor a number', () => {
    const call = metrics.formatOpenMetrics as (value: unknown) => string;
    assert.throws(() => call('1.5'), {
      name: 'TypeError',
      message: /formatOpenMetrics: expected an array of metric families, got string/,
    });
    assert.throws(() => call(null), { name: 'TypeError', message: /got null/ });
  });

  it('the root entry exports the same functions, old names and new', () => {
    const names = [
      'encodeText',
      'formatText',
      'writeText',
      'encodeOpenMetrics',
      'formatOpenMetrics',
      'writeOpenMetrics',
      'encodeProtobuf',
      'writeProtobuf',
      'formatGoFloat',
      'formatOpenMetricsFloat',
      'formatGo',
    ] as const;
    for (const name of names) {
      assert.equal(typeof metrics[name], 'function', name);
      assert.equal(root[name], metrics[name], name);
    }
  });
});
