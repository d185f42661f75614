/**
 * Native histograms where the golden fixtures cannot reach: resets after nativeHistogramMinResetDuration depend on
 * the clock, so they run here with an injected one; and options that client_golang would misread are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, MetricsError, Registry, encodeProtobuf } from '../../lib/metrics/index.js';
import type { NativeHistogramOptions } from '../../lib/metrics/native-histogram.js';
import type { SeriesSnapshot } from '../../lib/metrics/snapshot.js';
import { FixtureFormatError, parseFixture } from '../../lib/fixture/fixture.js';
import { runFixture } from '../../lib/fixture/run.js';
import { NATIVE_BOUNDS } from '../../lib/metrics/native-bounds.js';
import { bucketKey } from '../../lib/metrics/native-schema.js';
import { SparseCounts } from '../../lib/metrics/native-buckets.js';
import { mulberry32 } from '../../bench/workloads.js';

/** A histogram in its own registry with a clock the test moves by hand. */
function withClock(options: NativeHistogramOptions & { buckets?: number[] }) {
  const clock = { ms: 1_000_000 };
  const registry = new Registry();
  const histogram = new Histogram({
    name: 'h_seconds',
    help: 'h',
    registers: [registry],
    nativeHistogramNow: () => clock.ms,
    ...options,
  });
  const series = (): SeriesSnapshot => registry.collect()[0]!.series[0]!;
  return { clock, registry, histogram, series };
}

describe('native histogram resets after nativeHistogramMinResetDuration (injected clock)', () => {
  const options = {
    nativeHistogramBucketFactor: 1.1,
    nativeHistogramMaxBucketNumber: 3,
    nativeHistogramMinResetDuration: 60_000,
    buckets: [1, 10],
  };

  it('before the duration, the limit halves the schema instead of resetting', () => {
    const { clock, histogram, series } = withClock(options);
    for (const v of [1, 2, 4]) histogram.observe(v);
    assert.equal(series().native!.schema, 3);
    clock.ms += 59_999;
    histogram.observe(8); // a fourth bucket: over the limit, reset not yet due
    const s = series();
    assert.equal(s.count, 4);
    assert.equal(s.sum, 15);
    assert.ok(s.native!.schema < 3, `schema ${s.native!.schema} should have been lowered`);
  });

  it('once the duration has passed, everything but the triggering observation is forgotten', () => {
    const { clock, registry, histogram, series } = withClock(options);
    for (const v of [0.5, 2, 4, -3]) histogram.observe(v); // 4 buckets: the limit halves (reset not yet due)
    assert.ok(series().native!.schema < 3);
    clock.ms += 60_000;
    histogram.observe(0.25); // a new bucket, still over the limit, now due: reset
    const s = series();
    assert.equal(s.count, 1);
    assert.equal(s.sum, 0.25);
    assert.deepEqual(Array.from(s.buckets!), [1, 1]);
    assert.equal(s.native!.schema, 3, 'the schema is back to the configured one');

    // The reset series encodes exactly as a fresh histogram that saw only 0.25.
    const fresh = withClock(options);
    fresh.histogram.observe(0.25);
    assert.deepEqual(encodeProtobuf(registry.collect()), encodeProtobuf(fresh.registry.collect()));

    // The next reset is due a full duration after this one, not after construction.
    for (const v of [2, 4, 8]) histogram.observe(v);
    clock.ms += 59_999;
    histogram.observe(16);
    assert.equal(series().count, 5, 'no second reset within the duration');
    clock.ms += 1;
    histogram.observe(32);
    assert.equal(series().count, 1, 'a second reset once the duration has passed again');
    assert.equal(series().sum, 32);
  });

  it('a zero duration never resets', () => {
    const { clock, histogram, series } = withClock({ ...options, nativeHistogramMinResetDuration: 0 });
    for (let i = 0; i < 40; i++) {
      clock.ms += 3_600_000;
      histogram.observe(2 ** i);
    }
    assert.equal(series().count, 40);
  });

  it('every labelled series keeps its own reset time', () => {
    const clock = { ms: 0 };
    const registry = new Registry();
    const h = new Histogram({
      name: 'l_seconds',
      help: 'h',
      labelNames: ['k'],
      registers: [registry],
      nativeHistogramNow: () => clock.ms,
      ...options,
    });
    h.labels('a').observe(1);
    clock.ms = 50_000;
    h.labels('b').observe(1); // b's reset clock starts here
    clock.ms = 70_000;
    for (const v of [2, 4, 8]) {
      h.labels('a').observe(v);
      h.labels('b').observe(v);
    }
    const [a, b] = registry.collect()[0]!.series;
    assert.equal(a!.count, 1, 'a was created 70 s ago: reset');
    assert.equal(b!.count, 4, 'b was created 20 s ago: no reset');
  });
});

describe('native histogram options', () => {
  const make = (o: NativeHistogramOptions & { buckets?: number[] }) =>
    new Histogram({ name: 'o_seconds', help: 'h', registers: [], ...o });

  it('a factor of 1 or less leaves native buckets off and the default classic buckets on', () => {
    const registry = new Registry();
    new Histogram({ name: 'off_seconds', help: 'h', registers: [registry], nativeHistogramBucketFactor: 1 }).observe(
      0.3,
    );
    const s = registry.collect()[0]!;
    assert.equal(s.upperBounds!.length, 11);
    assert.equal(s.series[0]!.native ?? null, null);
  });

  it('with native buckets on and no buckets given there are no classic buckets', () => {
    assert.deepEqual(make({ nativeHistogramBucketFactor: 1.1 }).upperBounds, []);
    assert.deepEqual(make({ nativeHistogramBucketFactor: 1.1, buckets: [1, 2] }).upperBounds, [1, 2]);
  });

  it('refuses options of the wrong kind with an error naming the option', () => {
    const refused = (o: object, pattern: RegExp) =>
      assert.throws(
        () => make(o as NativeHistogramOptions),
        (e: unknown) => e instanceof MetricsError && e.stage === 'construct' && pattern.test(e.message),
      );
    refused({ nativeHistogramBucketFactor: 'fast' }, /nativeHistogramBucketFactor must be a number/);
    refused({ nativeHistogramBucketFactor: NaN }, /nativeHistogramBucketFactor must be a number/);
    refused(
      { nativeHistogramBucketFactor: 1.1, nativeHistogramMaxBucketNumber: -1 },
      /nativeHistogramMaxBucketNumber must be an integer/,
    );
    refused(
      { nativeHistogramBucketFactor: 1.1, nativeHistogramMaxBucketNumber: 1.5 },
      /nativeHistogramMaxBucketNumber must be an integer/,
    );
    refused(
      { nativeHistogramBucketFactor: 1.1, nativeHistogramMinResetDuration: -5 },
      /nativeHistogramMinResetDuration must not be negative/,
    );
    refused(
      { nativeHistogramBucketFactor: 1.1, nativeHistogramZeroThreshold: '0' },
      /nativeHistogramZeroThreshold must be a number/,
    );
    refused({ nativeHistogramBucketFactor: 1.1, nativeHistogramNow: 5 }, /nativeHistogramNow must be a function/);
  });
});

describe("the fixture format's native object", () => {
  const fixture = (family: object) =>
    JSON.stringify({ families: [{ name: 'f_seconds', help: 'h', type: 'histogram', ...family }] });

  it('maps each field to the histogram option of the same meaning', () => {
    const parsed = parseFixture(
      fixture({
        native: {
          bucket_factor: 2,
          zero_threshold: -1,
          max_buckets: 7,
          min_reset_seconds: 1.5,
          max_zero_threshold: 0.25,
        },
        ops: [{ op: 'observe', value: 0 }],
      }),
    );
    assert.deepEqual(parsed.families[0]!.native, {
      bucketFactor: 2,
      zeroThreshold: -1,
      maxBuckets: 7,
      minResetSeconds: 1.5,
      maxZeroThreshold: 0.25,
    });
    const outcome = runFixture(parsed);
    assert.ok(outcome.ok);
    const native = outcome.families[0]!.series[0]!.native!;
    assert.equal(native.schema, 0);
    assert.equal(native.zeroThreshold, 0, 'zero_threshold -1 is a zero bucket for exact zeros');
    assert.equal(native.zeroCount, 1);
  });

  it('refuses a malformed native object with the path of the problem', () => {
    const refused = (family: object, pattern: RegExp) =>
      assert.throws(
        () => parseFixture(fixture(family)),
        (e: unknown) => e instanceof FixtureFormatError && pattern.test(e.message),
      );
    refused({ native: {} }, /families\[0\]\.native\.bucket_factor: required/);
    refused({ native: { bucket_factor: 2, schema: 3 } }, /families\[0\]\.native: unknown field "schema"/);
    refused({ native: { bucket_factor: '2' } }, /families\[0\]\.native\.bucket_factor: expected a number/);
    refused({ native: { bucket_factor: 2, max_buckets: -1 } }, /native\.max_buckets: expected an integer/);
    refused(
      { native: { bucket_factor: 2, min_reset_seconds: -1 } },
      /native\.min_reset_seconds: expected a number of seconds/,
    );
    refused({ type: 'summary', native: { bucket_factor: 2 } }, /only a histogram takes native settings/);
    refused({ native: { bucket_factor: 'NaN' } }, /native\.bucket_factor: must not be NaN/);
    refused({ native: { bucket_factor: 2, zero_threshold: 'NaN' } }, /native\.zero_threshold: must not be NaN/);
  });
});

describe('bucketKey', () => {
  // Go's own procedure, step by step: Frexp, then sort.SearchFloat64s over the schema's bounds (schema > 0).
  const frexp = (x: number): [number, number] => {
    let exp = Math.floor(Math.log2(x)) + 1;
    let frac = x / 2 ** exp;
    while (frac >= 1) {
      frac /= 2;
      exp++;
    }
    while (frac < 0.5) {
      frac *= 2;
      exp--;
    }
    return [frac, exp];
  };
  const searched = (abs: number, schema: number): number => {
    const [frac, exp] = frexp(abs);
    const bounds = NATIVE_BOUNDS[schema]!;
    let i = 0;
    while (i < bounds.length && bounds[i]! < frac) i++;
    return i + (exp - 1) * bounds.length;
  };

  it('equals a binary search over the bounds for 20,000 values per schema 1..8 and on every bound', () => {
    const r = mulberry32(15);
    for (let schema = 1; schema <= 8; schema++) {
      const values: number[] = [];
      for (let i = 0; i < 20_000; i++) values.push(2 ** (r() * 80 - 40) * (1 + r()));
      for (const b of NATIVE_BOUNDS[schema]!)
        values.push(b, b * 2, b * 2 ** -30, b * (1 + 2 ** -52), b * (1 - 2 ** -53));
      for (const v of values) {
        // Only values whose Frexp the model computes exactly (normal, not near MAX_VALUE).
        assert.equal(bucketKey(v, schema), searched(v, schema), `value ${v} at schema ${schema}`);
      }
    }
  });
});

describe('SparseCounts', () => {
  it('keeps counts, order and size the same whether keys sit in the dense window or in the map', () => {
    const r = mulberry32(7);
    for (const spread of [10, 300, 5_000, 2_000_000]) {
      const counts = new SparseCounts();
      const model = new Map<number, number>();
      for (let i = 0; i < 3000; i++) {
        const key = Math.floor((r() - 0.5) * spread);
        const created = counts.add(key, 1);
        assert.equal(created, !model.has(key));
        model.set(key, (model.get(key) ?? 0) + 1);
        if (i % 500 === 499) {
          const smallest = Math.min(...model.keys());
          assert.equal(counts.smallestKey(), smallest);
          assert.equal(counts.take(smallest), model.get(smallest));
          model.delete(smallest);
        }
      }
      const seen: [number, number][] = [];
      counts.forEach((key, count) => seen.push([key, count]));
      assert.deepEqual(
        seen,
        [...model.entries()].sort((a, b) => a[0] - b[0]),
        `spread ${spread}`,
      );
      assert.equal(counts.size, model.size);
      counts.clear();
      assert.equal(counts.size, 0);
      assert.equal(counts.smallestKey(), undefined);
    }
  });
});
