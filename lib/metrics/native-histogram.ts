/**
 * The native (sparse, exponential-bucket) part of a histogram series, with client_golang 1.14's rules: the zero
 * bucket, bucket keys by schema, and the strategy that keeps the number of populated buckets under a limit
 * (reset after a minimum duration, else widen the zero bucket, else halve the resolution).
 *
 * Go keeps two copies of the counts (hot and cold) so observations never lock; the copies always hold the same
 * set of keys with the totals in the hot one, so one copy with totals behaves identically here.
 */
import { MetricsError } from './errors.js';
import { makeSpans, type NativeSpans, SparseCounts } from './native-buckets.js';
import { bucketKey, bucketUpperBound, DEFAULT_NATIVE_ZERO_THRESHOLD, MIN_SCHEMA, pickSchema } from './native-schema.js';

/** client_golang's HistogramOpts.NativeHistogram* fields, under their Go meanings. */
export interface NativeHistogramOptions {
  /**
   * Upper bound for the growth factor from one bucket to the next; > 1 turns native buckets on (the schema is
   * the highest resolution whose factor does not exceed it). 1 or less (the default) means no native buckets.
   */
  readonly nativeHistogramBucketFactor?: number | undefined;
  /**
   * Observations with an absolute value up to this go to the zero bucket. 0 (default) means 2^-128;
   * a negative value (NATIVE_ZERO_THRESHOLD_ZERO) means only exact zeros.
   */
  readonly nativeHistogramZeroThreshold?: number | undefined;
  /** Most populated buckets before the limit strategy applies; 0 (default) means no limit. */
  readonly nativeHistogramMaxBucketNumber?: number | undefined;
  /** Milliseconds since the last reset after which the limit resets the histogram instead; 0 never resets. */
  readonly nativeHistogramMinResetDuration?: number | undefined;
  /** How far the limit may widen the zero bucket; 0 (default) never widens it. */
  readonly nativeHistogramMaxZeroThreshold?: number | undefined;
  /** The clock (ms) for NativeHistogramMinResetDuration; Date.now by default. For tests. */
  readonly nativeHistogramNow?: () => number;
}

/** client_golang's NativeHistogramZeroThresholdZero: a zero bucket for exact zeros only. */
export const NATIVE_ZERO_THRESHOLD_ZERO = -1;

/** The validated native settings of a histogram family, shared by its series. */
export class NativeConfig {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly maxBuckets: number;
  readonly minResetMs: number;
  readonly maxZeroThreshold: number;
  readonly now: () => number;

  private constructor(options: NativeHistogramOptions, factor: number, name: string) {
    const number = (key: keyof NativeHistogramOptions, fallback: number): number => {
      const v = options[key] ?? fallback;
      if (typeof v !== 'number' || Number.isNaN(v)) {
        throw new MetricsError('construct', `${name}: ${key} must be a number, got ${String(v)}`);
      }
      return v;
    };
    this.schema = pickSchema(factor);
    const zero = number('nativeHistogramZeroThreshold', 0);
    this.zeroThreshold = zero > 0 ? zero : zero === 0 ? DEFAULT_NATIVE_ZERO_THRESHOLD : 0;
    const max = number('nativeHistogramMaxBucketNumber', 0);
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new MetricsError(
        'construct',
        `${name}: nativeHistogramMaxBucketNumber must be an integer in 0..2^32-1, got ${max}`,
      );
    }
    this.maxBuckets = max;
    const reset = number('nativeHistogramMinResetDuration', 0);
    if (!(reset >= 0)) {
      throw new MetricsError(
        'construct',
        `${name}: nativeHistogramMinResetDuration must not be negative, got ${reset}`,
      );
    }
    this.minResetMs = reset;
    this.maxZeroThreshold = number('nativeHistogramMaxZeroThreshold', 0);
    const now = options.nativeHistogramNow ?? Date.now;
    if (typeof now !== 'function')
      throw new MetricsError('construct', `${name}: nativeHistogramNow must be a function`);
    this.now = now;
  }

  /** The family's native settings, or null when its bucket factor leaves native buckets off. */
  static from(options: NativeHistogramOptions, name: string): NativeConfig | null {
    const factor = options.nativeHistogramBucketFactor ?? 0;
    if (typeof factor !== 'number' || Number.isNaN(factor)) {
      throw new MetricsError(
        'construct',
        `${name}: nativeHistogramBucketFactor must be a number, got ${String(factor)}`,
      );
    }
    return factor > 1 ? new NativeConfig(options, factor, name) : null;
  }
}

/** The native fields of one series at scrape time. */
export interface NativeSnapshot {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly negative: NativeSpans;
  readonly positive: NativeSpans;
}

/** The native buckets of one series. */
export class NativeBuckets {
  private schema: number;
  private zeroThreshold: number;
  private zeroCount = 0;
  private readonly positive = new SparseCounts();
  private readonly negative = new SparseCounts();
  private lastResetMs: number;
  /** The config's bucket limit, kept here: the hot path reads it on every observation. */
  private readonly maxBuckets: number;

  constructor(private readonly config: NativeConfig) {
    this.maxBuckets = config.maxBuckets;
    this.schema = config.schema;
    this.zeroThreshold = config.zeroThreshold;
    this.lastResetMs = config.now();
  }

  /**
   * Counts a non-NaN observation. Returns true when the bucket limit asks for a reset of the whole series;
   * the caller then clears its classic counts and calls `restartWith(v)`.
   */
  observe(v: number): boolean {
    this.count(v);
    // Go checks after every observation: a strategy that did not get under the limit is tried again.
    return this.maxBuckets !== 0 && this.overLimit() && this.limit();
  }

  /** Adds `v` to its bucket or to the zero bucket. */
  private count(v: number): void {
    const threshold = this.zeroThreshold;
    // Go compares ±Inf as ±MAX_VALUE: a zero bucket reaching MAX_VALUE takes the infinities too.
    if (v > threshold && (v !== Infinity || threshold < Number.MAX_VALUE))
      this.positive.add(bucketKey(v, this.schema), 1);
    else if (v < -threshold && (v !== -Infinity || threshold < Number.MAX_VALUE))
      this.negative.add(bucketKey(-v, this.schema), 1);
    else this.zeroCount++;
  }

  private overLimit(): boolean {
    return this.positive.size + this.negative.size > this.maxBuckets;
  }

  /** The limit strategy, in Go's order; true when the series must reset. */
  private limit(): boolean {
    const { minResetMs, now } = this.config;
    if (minResetMs !== 0 && now() - this.lastResetMs >= minResetMs) return true;
    if (this.widenZeroBucket()) return false;
    this.halveResolution();
    return false;
  }

  /** Empties the native buckets and counts `v` again, after the caller reset the classic part. */
  restartWith(v: number): void {
    this.schema = this.config.schema;
    this.zeroThreshold = this.config.zeroThreshold;
    this.zeroCount = 0;
    this.positive.clear();
    this.negative.clear();
    // Go counts the observation again into the fresh counts without re-checking the limit.
    this.count(v);
    this.lastResetMs = this.config.now();
  }

  /** Moves the bucket(s) nearest zero into the zero bucket, unless that passes the maximum zero threshold. */
  private widenZeroBucket(): boolean {
    const max = this.config.maxZeroThreshold;
    if (this.zeroThreshold >= max) return false;
    const positive = this.positive.smallestKey();
    const negative = this.negative.smallestKey();
    const key = Math.min(positive ?? 0x7fffffff, negative ?? 0x7fffffff);
    if (key === 0x7fffffff) return false;
    const threshold = bucketUpperBound(key, this.schema);
    if (threshold > max) return false;
    this.zeroThreshold = threshold;
    this.zeroCount += this.negative.take(key) + this.positive.take(key);
    return true;
  }

  /** Merges pairs of neighbouring buckets by lowering the schema, down to schema -4. */
  private halveResolution(): void {
    if (this.schema === MIN_SCHEMA) return;
    this.schema--;
    halve(this.positive);
    halve(this.negative);
  }

  snapshot(): NativeSnapshot {
    return {
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      negative: makeSpans(this.negative),
      positive: makeSpans(this.positive),
    };
  }
}

/**
 * Re-keys buckets for the next lower schema as Go does (`if key > 0 {key++}; key /= 2`): positive keys 2k-1 and
 * 2k merge into k; keys <= 0 are halved rounding toward zero (so -1 joins 0), Go's integer division.
 */
function halve(counts: SparseCounts): void {
  const entries: number[] = [];
  counts.forEach((key, count) => entries.push(key, count));
  counts.clear();
  for (let i = 0; i < entries.length; i += 2) {
    const key = entries[i]!;
    counts.add(Math.trunc((key > 0 ? key + 1 : key) / 2), entries[i + 1]!);
  }
}
