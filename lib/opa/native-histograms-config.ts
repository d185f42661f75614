/**
 * `server.metrics.native_histograms`: turns `http_request_duration_seconds` into a native histogram (client_golang
 * 1.14's sparse buckets, exposed over protobuf), optionally keeping its classic buckets beside them.
 */
import type { NativeHistogramOptions } from '../metrics/native-histogram.js';
import type { Reader } from './config-reader.js';

export interface NativeHistogramsConfig {
  /** `bucket_factor` (> 1): the most one bucket may grow over the previous one. */
  readonly bucketFactor: number;
  /** `zero_threshold`: -1 for exact zeros only; absent for client_golang's default (2^-128). */
  readonly zeroThreshold?: number;
  /** `max_buckets`: the bucket limit per series; absent or 0 for none. */
  readonly maxBuckets?: number;
  /** `min_reset_seconds`: when over the limit, reset a series at most this often. */
  readonly minResetSeconds?: number;
  /** `max_zero_threshold`: how far the limit may widen the zero bucket. */
  readonly maxZeroThreshold?: number;
  /** `keep_classic` (default false): keep the classic buckets too, for scrapers without native histograms. */
  readonly keepClassic: boolean;
}

const KEYS = [
  'bucket_factor',
  'zero_threshold',
  'max_buckets',
  'min_reset_seconds',
  'max_zero_threshold',
  'keep_classic',
];

/** Reads the object at `prefix`; records every problem in `r` and returns undefined when absent or invalid. */
export function readNativeHistograms(r: Reader, value: unknown, prefix: string): NativeHistogramsConfig | undefined {
  const o = r.object(value, prefix);
  if (o === undefined) return undefined;
  const before = r.problems.length;
  r.keys(o, prefix, KEYS);
  const bucketFactor = r.number(o, 'bucket_factor', prefix, { min: 1, max: 1e300, what: 'a number greater than 1' });
  if (o['bucket_factor'] === undefined) r.problems.push(`${prefix}.bucket_factor: required`);
  else if (bucketFactor === 1) r.problems.push(`${prefix}.bucket_factor: must be a number greater than 1, got 1`);
  const zeroThreshold = r.number(o, 'zero_threshold', prefix, {
    min: -1,
    what: '-1 (exact zeros only) or a number >= 0',
  });
  if (zeroThreshold !== undefined && zeroThreshold < 0 && zeroThreshold !== -1) {
    r.problems.push(`${prefix}.zero_threshold: must be -1 (exact zeros only) or a number >= 0, got ${zeroThreshold}`);
  }
  const maxBuckets = r.number(o, 'max_buckets', prefix, { min: 0, max: 0xffffffff, integer: true });
  const minResetSeconds = r.number(o, 'min_reset_seconds', prefix, { min: 0, max: 9e9 });
  const maxZeroThreshold = r.number(o, 'max_zero_threshold', prefix, { min: 0 });
  const keepClassic = r.boolean(o, 'keep_classic', prefix) ?? false;
  if (r.problems.length !== before || bucketFactor === undefined) return undefined;
  return {
    bucketFactor,
    ...(zeroThreshold !== undefined ? { zeroThreshold } : {}),
    ...(maxBuckets !== undefined ? { maxBuckets } : {}),
    ...(minResetSeconds !== undefined ? { minResetSeconds } : {}),
    ...(maxZeroThreshold !== undefined ? { maxZeroThreshold } : {}),
    keepClassic,
  };
}

/** The Histogram options the configuration stands for. */
export function nativeHistogramOptions(c: NativeHistogramsConfig): NativeHistogramOptions {
  return {
    nativeHistogramBucketFactor: c.bucketFactor,
    nativeHistogramZeroThreshold: c.zeroThreshold,
    nativeHistogramMaxBucketNumber: c.maxBuckets,
    nativeHistogramMinResetDuration: c.minResetSeconds === undefined ? undefined : c.minResetSeconds * 1000,
    nativeHistogramMaxZeroThreshold: c.maxZeroThreshold,
  };
}
