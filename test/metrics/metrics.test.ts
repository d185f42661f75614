import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlreadyRegisteredError,
  Counter,
  Gauge,
  Histogram,
  MetricsError,
  Registry,
  Summary,
  exponentialBuckets,
  linearBuckets,
  formatText,
} from '../../lib/index.js';

const text = (registry: Registry) => formatText(registry.collect());

function fresh() {
  const registry = new Registry();
  return { registry, registers: [registry] };
}

function throwsStage(fn: () => unknown, stage: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof MetricsError, `expected a MetricsError, got ${String(error)}`);
    assert.equal(error.stage, stage);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('Counter', () => {
  it('keeps integral and fractional additions apart, as client_golang does', () => {
    const { registry, registers } = fresh();
    const c = new Counter({ name: 'c_total', help: 'h', registers });
    c.add(0.1);
    c.inc();
    c.add(0.1);
    // (0.1 + 0.1) + 1 = 1.2, where adding in order would give 1.2000000000000002.
    assert.equal(0.1 + 1 + 0.1, 1.2000000000000002);
    assert.equal(c.get(), 1.2);
    assert.equal(text(registry), '# HELP c_total h\n# TYPE c_total counter\nc_total 1.2\n');
  });

  it('refuses a decrease and non-numbers without changing the value', () => {
    const { registers } = fresh();
    const c = new Counter({ name: 'c_total', help: 'h', registers });
    c.add(5);
    throwsStage(() => c.add(-1), 'op', /c_total: counter cannot decrease/);
    throwsStage(() => c.add('3' as unknown as number), 'op', /must be a number/);
    assert.equal(c.get(), 5);
  });

  it('accepts NaN and +Inf as client_golang does', () => {
    const { registers } = fresh();
    const c = new Counter({ name: 'c_total', help: 'h', registers });
    c.add(Infinity);
    assert.equal(c.get(), Infinity);
    c.add(NaN);
    assert.ok(Number.isNaN(c.get()));
  });

  it('returns the same cached child for positional, object and numeric label values', () => {
    const { registry, registers } = fresh();
    const c = new Counter({ name: 'req_total', help: 'h', labelNames: ['code', 'method'] as const, registers });
    const child = c.labels('200', 'get');
    assert.equal(c.labels('200', 'get'), child);
    assert.equal(c.labels({ method: 'get', code: '200' }), child);
    assert.equal(c.labels(200, 'get'), child);
    child.inc();
    c.inc({ code: '200', method: 'get' }, 2);
    assert.equal(
      text(registry),
      '# HELP req_total h\n# TYPE req_total counter\nreq_total{code="200",method="get"} 3\n',
    );
  });

  it('names the problem with wrong label counts, missing and extra names', () => {
    const { registers } = fresh();
    const c = new Counter({ name: 'req_total', help: 'h', labelNames: ['code', 'method'], registers });
    throwsStage(() => c.labels('200'), 'op', /expected 2 label values but got 1/);
    throwsStage(() => c.labels({ code: '200', verb: 'get' } as never), 'op', /label name "method" missing/);
    throwsStage(
      () => c.labels({ code: '200', method: 'get', x: '1' } as never),
      'op',
      /expected 2 label values but got 3/,
    );
    throwsStage(() => c.inc(), 'op', /has labels \[code, method\]: use labels/);
    throwsStage(() => c.labels('\ud800', 'get'), 'op', /not valid UTF-8/);
  });

  it('treats prototype-ish names and values as ordinary labels', () => {
    const { registry, registers } = fresh();
    const c = new Counter({ name: 'p_total', help: 'h', labelNames: ['constructor', 'hasOwnProperty'], registers });
    c.labels('__proto__', 'toString').inc();
    c.labels({ constructor: 'constructor', hasOwnProperty: '__proto__' }).inc(2);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(
      text(registry),
      '# HELP p_total h\n# TYPE p_total counter\n' +
        'p_total{constructor="__proto__",hasOwnProperty="toString"} 1\n' +
        'p_total{constructor="constructor",hasOwnProperty="__proto__"} 2\n',
    );
  });

  it('removes one child and resets all', () => {
    const { registry, registers } = fresh();
    const c = new Counter({ name: 'r_total', help: 'h', labelNames: ['a'], registers });
    c.labels('x').inc();
    c.labels('y').inc();
    assert.equal(c.remove('x'), true);
    assert.equal(c.remove('x'), false);
    assert.equal(text(registry), '# HELP r_total h\n# TYPE r_total counter\nr_total{a="y"} 1\n');
    c.reset();
    assert.equal(text(registry), '');
    c.labels('x').inc(4);
    assert.equal(text(registry), '# HELP r_total h\n# TYPE r_total counter\nr_total{a="x"} 4\n');
  });

  it('registers with the default registry unless told otherwise, and refuses a duplicate', () => {
    const { registers } = fresh();
    new Counter({ name: 'dup_total', help: 'h', registers });
    assert.throws(() => new Counter({ name: 'dup_total', help: 'h', registers }), AlreadyRegisteredError);
  });
});

describe('Gauge', () => {
  it('sets, adds and subtracts', () => {
    const { registers } = fresh();
    const g = new Gauge({ name: 'g', help: 'h', registers });
    g.set(10);
    g.inc();
    g.dec(3);
    g.add(0.5);
    g.sub(0.25);
    assert.equal(g.get(), 8.25);
    throwsStage(() => g.set(undefined as unknown as number), 'op', /gauge value must be a number/);
    assert.equal(g.get(), 8.25);
  });

  it('sets the current time and timer durations', () => {
    const { registers } = fresh();
    const g = new Gauge({ name: 'g', help: 'h', labelNames: ['k'], registers });
    const before = Date.now() / 1000;
    g.setToCurrentTime({ k: 'now' });
    const now = g.labels('now').get();
    assert.ok(now >= before && now <= Date.now() / 1000);
    const end = g.startTimer({ k: 't' });
    const seconds = end();
    assert.equal(g.labels('t').get(), seconds);
    assert.ok(seconds >= 0 && seconds < 5);
  });
});

describe('Histogram', () => {
  it('counts values on a bound in that bucket, and NaN only in count and sum', () => {
    const { registry, registers } = fresh();
    const h = new Histogram({ name: 'h_seconds', help: 'h', buckets: [1, 2, Infinity], registers });
    for (const v of [1, 1.5, 2, 3]) h.observe(v);
    h.observe(NaN);
    assert.equal(
      text(registry),
      '# HELP h_seconds h\n# TYPE h_seconds histogram\n' +
        'h_seconds_bucket{le="1"} 1\nh_seconds_bucket{le="2"} 3\nh_seconds_bucket{le="+Inf"} 5\n' +
        'h_seconds_sum NaN\nh_seconds_count 5\n',
    );
  });

  it('fails where client_golang panics: unsorted buckets and a "le" label', () => {
    const { registers } = fresh();
    throwsStage(
      () => new Histogram({ name: 'a', help: 'h', buckets: [2, 1], registers }),
      'construct',
      /increasing order/,
    );
    const vec = new Histogram({ name: 'b', help: 'h', buckets: [2, 1], labelNames: ['x'], registers });
    throwsStage(() => vec.labels('1'), 'op', /increasing order/);
    throwsStage(
      () => new Histogram({ name: 'c', help: 'h', constLabels: { le: '1' }, registers }),
      'construct',
      /"le" is not allowed/,
    );
  });

  it('uses linear search for few buckets and binary search for many, with the same answers', () => {
    const { registry, registers } = fresh();
    const bounds = linearBuckets(0, 1, 40);
    const many = new Histogram({ name: 'many', help: 'h', buckets: bounds, registers });
    const few = new Histogram({ name: 'few', help: 'h', buckets: bounds.slice(0, 10), registers });
    for (const v of [-1, 0, 0.5, 5, 9, 9.5, 39, 40, NaN]) {
      many.observe(v);
      few.observe(v);
    }
    const families = registry.collect();
    const byName = Object.fromEntries(families.map((f) => [f.name, f.series[0]!.buckets!]));
    assert.deepEqual(Array.from(byName.many!).slice(0, 10), Array.from(byName.few!));
    assert.deepEqual(Array.from(byName.many!).slice(0, 3), [2, 3, 3]);
    assert.equal(byName.many![39], 7);
  });

  it('builds linear and exponential buckets, refusing nonsense', () => {
    assert.deepEqual(linearBuckets(1, 2, 3), [1, 3, 5]);
    assert.deepEqual(exponentialBuckets(1, 10, 3), [1, 10, 100]);
    assert.throws(() => exponentialBuckets(0, 2, 3), /positive start/);
    assert.throws(() => linearBuckets(1, 1, 0), /positive integer count/);
  });
});

describe('Summary', () => {
  it('refuses a "quantile" label at construction, and bad objectives', () => {
    const { registers } = fresh();
    throwsStage(
      () => new Summary({ name: 's', help: 'h', labelNames: ['quantile'], registers }),
      'construct',
      /"quantile" is not allowed/,
    );
    throwsStage(
      () => new Summary({ name: 's', help: 'h', objectives: { 1.5: 0.01 }, registers }),
      'construct',
      /rank 1.5 is not within/,
    );
  });

  it('without objectives writes only sum and count', () => {
    const { registry, registers } = fresh();
    const s = new Summary({ name: 's_seconds', help: 'h', registers });
    s.observe(1);
    s.observe(2.5);
    assert.equal(
      text(registry),
      '# HELP s_seconds h\n# TYPE s_seconds summary\ns_seconds_sum 3.5\ns_seconds_count 2\n',
    );
  });
});

describe('series limit (maxSeries)', () => {
  it('refuses new series past the limit, counts them, and keeps what was recorded', () => {
    const { registry, registers } = fresh();
    const c = new Counter({ name: 'hits_total', help: 'h', labelNames: ['user'], maxSeries: 2, registers });
    c.labels('a').inc();
    c.labels('b').inc(2);
    const overflow = c.labels('c');
    overflow.inc(100);
    c.labels('d').inc();
    c.labels('a').inc(); // existing series keep working
    assert.equal(c.droppedSeries, 2);
    assert.equal(
      text(registry),
      '# HELP hits_total h\n# TYPE hits_total counter\nhits_total{user="a"} 2\nhits_total{user="b"} 2\n' +
        '# HELP zerotel_metric_series_dropped_total New label value combinations refused because the metric reached its maxSeries limit.\n' +
        '# TYPE zerotel_metric_series_dropped_total counter\nzerotel_metric_series_dropped_total{metric="hits_total"} 2\n',
    );
    assert.equal(c.remove('b'), true);
    c.labels('e').inc(); // room again after a removal
    assert.match(text(registry), /hits_total\{user="e"\} 1/);
  });

  it('exports a zero count for a limited metric that never overflowed, and refuses a nonsense limit', () => {
    const { registry, registers } = fresh();
    new Gauge({ name: 'g', help: 'h', labelNames: ['k'], maxSeries: 10, registers });
    assert.match(text(registry), /^zerotel_metric_series_dropped_total\{metric="g"\} 0$/m);
    throwsStage(
      () => new Gauge({ name: 'g2', help: 'h', maxSeries: 0, registers }),
      'construct',
      /maxSeries must be a positive integer/,
    );
  });
});
