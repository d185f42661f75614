/**
 * The same operations through prom-client and through zerotel/prom-client: equal samples (modulo
 * formatting and order), equal `get()` values, equal errors, and the registry's methods.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as prom from 'prom-client';
import * as compat from '../../lib/compat/prom-client/index.js';
import { parseHeaders, parseSamples, sortedEntries } from './samples.js';

type Lib = any;

/** A workload touching every metric kind and label form prom-client documents. */
function scenario(lib: Lib, registry: Lib): void {
  const registers = [registry];
  const c = new lib.Counter({
    name: 'http_requests_total',
    help: 'Requests.',
    labelNames: ['method', 'code'],
    registers,
  });
  c.inc({ method: 'GET', code: 200 });
  c.inc({ method: 'GET', code: 200 }, 4);
  c.labels('POST', '500').inc();
  c.labels({ method: 'PUT', code: '201' }).inc(2.5);
  const plain = new lib.Counter({ name: 'plain_total', help: 'Plain.', registers });
  plain.inc();
  plain.inc(10);
  const g = new lib.Gauge({
    name: 'queue_size',
    help: 'Queue "size".\nSecond line \\ here.',
    labelNames: ['queue'],
    registers,
  });
  g.set({ queue: 'a' }, 10);
  g.inc({ queue: 'a' });
  g.dec({ queue: 'a' }, 3);
  g.labels('b').set(-1.5);
  g.labels('c').inc(7);
  g.labels('c').dec();
  const collected = new lib.Gauge({
    name: 'collected',
    help: 'Set by collect.',
    registers,
    collect() {
      this.set(99);
    },
  });
  void collected;
  const asyncCollected = new lib.Gauge({
    name: 'collected_async',
    help: 'Set by an async collect.',
    registers,
    async collect() {
      await new Promise((r) => setImmediate(r));
      this.set(5);
    },
  });
  void asyncCollected;
  const h = new lib.Histogram({
    name: 'latency_seconds',
    help: 'Latency.',
    labelNames: ['route'],
    buckets: [0.1, 0.5, 1, 5],
    registers,
  });
  for (const v of [0.05, 0.1, 0.3, 0.7, 2, 9]) h.observe({ route: '/a' }, v);
  h.labels('/b').observe(0.5);
  h.zero({ route: '/zero' });
  const hp = new lib.Histogram({
    name: 'plain_seconds',
    help: 'Plain histogram.',
    registers,
    buckets: lib.linearBuckets(0.5, 0.5, 4),
  });
  hp.observe(1);
  hp.observe(3);
  const s = new lib.Summary({
    name: 'sizes_bytes',
    help: 'Sizes.',
    labelNames: ['kind'],
    percentiles: [0.5],
    registers,
  });
  for (let i = 1; i <= 9; i++) s.observe({ kind: 'x' }, i);
  s.labels('y').observe(4);
}

describe('zerotel/prom-client against prom-client 15', () => {
  it('writes the same samples, help and types as prom-client for the same operations', async () => {
    const p = new prom.Registry();
    const z = new compat.Registry();
    scenario(prom, p);
    scenario(compat, z);
    const [pText, zText] = [await p.metrics(), await z.metrics()];
    assert.deepEqual(sortedEntries(parseSamples(zText)), sortedEntries(parseSamples(pText)));
    assert.deepEqual([...parseHeaders(zText)].sort(), [...parseHeaders(pText)].sort());
  });

  it('sorts families and series as client_golang does', async () => {
    const z = new compat.Registry();
    scenario(compat, z);
    const text = await z.metrics();
    const names = [...parseHeaders(text).keys()];
    assert.deepEqual(names, [...names].sort());
    assert.match(
      text,
      /http_requests_total\{code="200",method="GET"\} 5\nhttp_requests_total\{code="201",method="PUT"\} 2\.5\n/,
    );
  });

  it('returns the same get() values as prom-client (order aside; label values as strings)', async () => {
    const p = new prom.Registry();
    const z = new compat.Registry();
    scenario(prom, p);
    scenario(compat, z);
    const normal = (metric: any) => ({
      ...metric,
      values: metric.values
        .map((v: any) => ({
          value: v.value,
          metricName: v.metricName,
          labels: Object.fromEntries(
            Object.entries(v.labels)
              .map(([k, x]) => [k, String(x)])
              .sort(),
          ),
        }))
        .sort((a: any, b: any) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    });
    for (const name of [
      'http_requests_total',
      'plain_total',
      'queue_size',
      'latency_seconds',
      'plain_seconds',
      'collected',
      'collected_async',
    ]) {
      const [pm, zm] = [await p.getSingleMetric(name)!.get(), await z.getSingleMetric(name)!.get()];
      assert.deepEqual(normal(zm), normal(pm), name);
    }
    const pJson = await p.getMetricsAsJSON();
    const zJson = await z.getMetricsAsJSON();
    assert.deepEqual(
      zJson.map((m) => [m.name, m.type, m.aggregator]),
      pJson.map((m) => [m.name, m.type, m.aggregator]),
    );
  });

  it('throws prom-client errors for the same mistakes', () => {
    const mistakes: [string, (lib: Lib, r: Lib) => unknown][] = [
      ['no help', (lib, r) => new lib.Counter({ name: 'x', registers: [r] })],
      ['no name', (lib, r) => new lib.Counter({ help: 'x', registers: [r] })],
      ['bad name', (lib, r) => new lib.Counter({ name: '1x', help: 'x', registers: [r] })],
      ['bad label', (lib, r) => new lib.Counter({ name: 'x', help: 'x', labelNames: ['a-b'], registers: [r] })],
      ['bad collect', (lib, r) => new lib.Counter({ name: 'x', help: 'x', collect: 5, registers: [r] })],
      ['le label', (lib, r) => new lib.Histogram({ name: 'x', help: 'x', labelNames: ['le'], registers: [r] })],
      [
        'quantile label',
        (lib, r) => new lib.Summary({ name: 'x', help: 'x', labelNames: ['quantile'], registers: [r] }),
      ],
      [
        'duplicate',
        (lib, r) => [
          new lib.Counter({ name: 'x', help: 'x', registers: [r] }),
          new lib.Gauge({ name: 'x', help: 'x', registers: [r] }),
        ],
      ],
      ['negative', (lib, r) => new lib.Counter({ name: 'x', help: 'x', registers: [r] }).inc(-1)],
      [
        'negative child',
        (lib, r) => new lib.Counter({ name: 'x', help: 'x', labelNames: ['a'], registers: [r] }).labels('v').inc(-1),
      ],
      ['infinite', (lib, r) => new lib.Counter({ name: 'x', help: 'x', registers: [r] }).inc(Infinity)],
      [
        'label on an unlabelled metric',
        (lib, r) => new lib.Gauge({ name: 'x', help: 'x', registers: [r] }).set({ y: 1 }, 2),
      ],
      [
        'unknown label',
        (lib, r) => new lib.Counter({ name: 'x', help: 'x', labelNames: ['a'], registers: [r] }).inc({ b: 1 }),
      ],
      [
        'label count',
        (lib, r) => new lib.Counter({ name: 'x', help: 'x', labelNames: ['a', 'b'], registers: [r] }).labels('only'),
      ],
      ['observe Infinity', (lib, r) => new lib.Histogram({ name: 'x', help: 'x', registers: [r] }).observe(Infinity)],
      ['summary -Infinity', (lib, r) => new lib.Summary({ name: 'x', help: 'x', registers: [r] }).observe(-Infinity)],
      [
        'labelled observe NaN',
        (lib, r) =>
          new lib.Histogram({ name: 'x', help: 'x', labelNames: ['a'], registers: [r] }).observe({ a: 1 }, NaN),
      ],
      ['gauge string', (lib, r) => new lib.Gauge({ name: 'x', help: 'x', registers: [r] }).set('1')],
      [
        'exemplars on text registry',
        (lib, r) => new lib.Counter({ name: 'x', help: 'x', enableExemplars: true, registers: [r] }),
      ],
      ['content type', (lib) => new lib.Registry('text/html')],
      ['linear buckets', (lib) => lib.linearBuckets(0, 1, 0)],
      ['exponential buckets', (lib) => lib.exponentialBuckets(0, 2, 3)],
    ];
    for (const [what, mistake] of mistakes) {
      let expected: Error | undefined;
      try {
        mistake(prom, new prom.Registry());
      } catch (error) {
        expected = error as Error;
      }
      assert.ok(expected, `prom-client throws for ${what}`);
      assert.throws(
        () => mistake(compat, new compat.Registry()),
        (error: Error) => {
          assert.equal(error.constructor.name, expected!.constructor.name, what);
          assert.equal(error.message, expected!.message, what);
          return true;
        },
      );
    }
  });

  it('startTimer end(labels) merges labels, on the metric and on a child', async () => {
    const z = new compat.Registry();
    const h = new compat.Histogram({ name: 'op_seconds', help: 'Op.', labelNames: ['op', 'status'], registers: [z] });
    h.startTimer({ op: 'read' })({ status: 'ok' });
    h.labels({ op: 'write', status: 'pending' }).startTimer()({ status: 'done' } as never);
    const g = new compat.Gauge({ name: 'last_seconds', help: 'Last.', labelNames: ['op'], registers: [z] });
    const seconds = g.startTimer()({ op: 'sync' });
    const gl = new compat.Gauge({ name: 'child_seconds', help: 'Child.', labelNames: ['op', 'k'], registers: [z] });
    const own = gl.labels({ op: 'a', k: 'x' }).startTimer()();
    const merged = gl.labels({ op: 'a', k: 'x' }).startTimer()({ k: 'y' } as never);
    const s = new compat.Summary({ name: 'op_summary_seconds', help: 'Op.', labelNames: ['op'], registers: [z] });
    s.startTimer()({ op: 'x' });
    const samples = parseSamples(await z.metrics());
    assert.equal(samples.get('op_seconds_count{op="read",status="ok"}'), 1);
    assert.equal(samples.get('op_seconds_count{op="write",status="done"}'), 1);
    assert.equal(samples.get('last_seconds{op="sync"}'), seconds);
    assert.equal(samples.get('child_seconds{k="x",op="a"}'), own);
    assert.equal(samples.get('child_seconds{k="y",op="a"}'), merged);
    assert.equal(samples.get('op_summary_seconds_count{op="x"}'), 1);
  });

  it('records exemplars in the object forms and writes them in OpenMetrics', async () => {
    const z = new compat.Registry(compat.Registry.OPENMETRICS_CONTENT_TYPE);
    const c = new compat.Counter({
      name: 'ex_total',
      help: 'Ex.',
      labelNames: ['m'],
      enableExemplars: true,
      registers: [z],
    });
    c.inc({ labels: { m: 'GET' }, value: 2, exemplarLabels: { trace_id: 'abc' } as never });
    c.inc({ labels: { m: 'GET' } });
    const h = new compat.Histogram({
      name: 'ex_seconds',
      help: 'Ex.',
      enableExemplars: true,
      buckets: [1],
      registers: [z],
    });
    h.observe({ value: 0.5, exemplarLabels: { trace_id: 'def' } });
    const text = await z.metrics();
    assert.match(text, /^ex_total\{m="GET"\} 3\.0 # \{trace_id="abc"\} 2\.0 \S+$/m);
    assert.match(text, /^ex_seconds_bucket\{le="1\.0"\} 1 # \{trace_id="def"\} 0\.5 \S+$/m);
    assert.ok(text.endsWith('# EOF\n'));
    assert.equal(z.contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  });

  it('offers the registry methods prom-client documents', async () => {
    const a = new compat.Registry();
    const b = new compat.Registry();
    const ca = new compat.Counter({ name: 'a_total', help: 'A.', registers: [a] });
    const gb = new compat.Gauge({ name: 'b', help: 'B.', labelNames: ['x'], registers: [b] });
    ca.inc(3);
    gb.set({ x: 'q' }, 2);
    assert.equal(a.getSingleMetric('a_total'), ca);
    assert.equal(await a.getSingleMetricAsString('a_total'), '# HELP a_total A.\n# TYPE a_total counter\na_total 3\n');
    const merged = compat.Registry.merge([a, b]);
    assert.deepEqual(
      merged.getMetricsAsArray().map((m) => m.name),
      ['a_total', 'b'],
    );
    const other = new compat.Registry();
    new compat.Counter({ name: 'a_total', help: 'Another A.', registers: [other] });
    assert.throws(
      () => compat.Registry.merge([a, other]),
      /A metric with the name a_total has already been registered\./,
    );
    b.setDefaultLabels({ service: 'api', x: 'ignored' });
    assert.equal(await b.metrics(), '# HELP b B.\n# TYPE b gauge\nb{service="api",x="q"} 2\n');
    assert.deepEqual((await b.getMetricsAsJSON())[0]!.values, [{ value: 2, labels: { x: 'q', service: 'api' } }]);
    a.resetMetrics();
    assert.equal(await a.metrics(), '# HELP a_total A.\n# TYPE a_total counter\na_total 0\n');
    a.removeSingleMetric('a_total');
    assert.equal(a.getSingleMetric('a_total'), undefined);
    assert.equal(await a.metrics(), '');
    b.clear();
    assert.deepEqual(b.getMetricsAsArray(), []);
    assert.throws(() => b.setContentType('text/html' as never), /Content type text\/html is unsupported/);
    b.setContentType(compat.openMetricsContentType as never);
    assert.equal(b.contentType, compat.Registry.OPENMETRICS_CONTENT_TYPE);
    assert.equal(compat.prometheusContentType, prom.prometheusContentType);
    assert.equal(compat.contentType, prom.register.contentType);
    assert.equal(compat.validateMetricName('a:b_c'), true);
    assert.equal(compat.validateLabelName(['ok', '1bad']), false);
    assert.deepEqual(compat.linearBuckets(0.1, 0.2, 4), prom.linearBuckets(0.1, 0.2, 4));
    assert.deepEqual(compat.exponentialBuckets(0.1, 3, 4), prom.exponentialBuckets(0.1, 3, 4));
  });

  it('remove() and reset() drop series; labels() by values or object finds the same series', async () => {
    const z = new compat.Registry();
    const c = new compat.Counter({ name: 'r_total', help: 'R.', labelNames: ['a', 'b'], registers: [z] });
    c.labels('1', '2').inc();
    c.labels({ b: '2', a: '1' }).inc();
    c.inc({ a: '3', b: '4' });
    assert.deepEqual(
      (await c.get()).values.map((v) => v.value),
      [2, 1],
    );
    c.remove('1', '2');
    c.remove({ a: '3', b: '4' });
    assert.deepEqual((await c.get()).values, []);
    c.inc({ a: 'x', b: 'y' });
    c.reset();
    assert.deepEqual((await c.get()).values, []);
    const plain = new compat.Counter({ name: 'plain_r_total', help: 'R.', registers: [z] });
    plain.inc(5);
    plain.remove();
    plain.inc();
    assert.deepEqual((await plain.get()).values, [{ value: 1, labels: {} }]);
  });

  it('registers any object with prom-client’s get() shape, prom-client’s own metrics included', async () => {
    const z = new compat.Registry();
    const foreign = new prom.Histogram({
      name: 'foreign_seconds',
      help: 'From prom-client.',
      labelNames: ['x'],
      buckets: [1, 2],
      registers: [],
    });
    foreign.observe({ x: 'a' }, 1.5);
    z.registerMetric(foreign as never);
    z.registerMetric({
      name: 'hand_made',
      get: async () => ({
        name: 'hand_made',
        help: 'Hand made.',
        type: 'gauge',
        aggregator: 'sum',
        values: [{ value: 3, labels: { b: 'y', a: 'x' } }],
      }),
    });
    assert.equal(
      await z.metrics(),
      [
        '# HELP foreign_seconds From prom-client.',
        '# TYPE foreign_seconds histogram',
        'foreign_seconds_bucket{x="a",le="1"} 0',
        'foreign_seconds_bucket{x="a",le="2"} 1',
        'foreign_seconds_bucket{x="a",le="+Inf"} 1',
        'foreign_seconds_sum{x="a"} 1.5',
        'foreign_seconds_count{x="a"} 1',
        '# HELP hand_made Hand made.',
        '# TYPE hand_made gauge',
        'hand_made{a="x",b="y"} 3',
        '',
      ].join('\n'),
    );
  });

  it('refuses label values that are not strings or numbers, naming the label', () => {
    const c = new compat.Counter({
      name: 'v_total',
      help: 'V.',
      labelNames: ['x', 'y'],
      registers: [new compat.Registry()],
    });
    const one = new compat.Counter({
      name: 'w_total',
      help: 'W.',
      labelNames: ['x'],
      registers: [new compat.Registry()],
    });
    assert.throws(
      () => one.inc({ x: {} as never }),
      /^TypeError: label "x" has a value of type object: label values are strings or numbers$/,
    );
    assert.throws(() => c.inc({ x: 'a', y: [] as never }), /label value \[\] is not a string/);
    assert.throws(() => c.inc({ x: 'a', y: '\ud800' }), /is not valid UTF-8/);
  });

  it('returns non-ASCII help and label values intact', async () => {
    const z = new compat.Registry();
    new compat.Gauge({ name: 'temp_celsius', help: 'Température °C ✓.', labelNames: ['city'], registers: [z] }).set(
      { city: 'Zürich 🏔' },
      21.5,
    );
    assert.equal(
      await z.metrics(),
      '# HELP temp_celsius Température °C ✓.\n# TYPE temp_celsius gauge\ntemp_celsius{city="Zürich 🏔"} 21.5\n',
    );
  });

  it('sets gauges to the current time, on the metric and on a child', async () => {
    const g = new compat.Gauge({
      name: 'now_seconds',
      help: 'Now.',
      labelNames: ['k'],
      registers: [new compat.Registry()],
    });
    const before = Date.now() / 1000;
    g.setToCurrentTime({ k: 'a' });
    g.labels('b').setToCurrentTime();
    for (const v of (await g.get()).values) assert.ok(v.value >= before && v.value <= Date.now() / 1000 + 1);
    assert.equal((await g.get()).values.length, 2);
  });
});
