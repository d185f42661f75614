/**
 * The exponential bucket schema of native histograms, as client_golang 1.14 computes it: which schema a bucket
 * factor gives, which bucket key a value falls in, and a bucket's upper bound. Keys must match Go's exactly, so
 * everything here works on the bits of the double (Go's `math.Frexp`) rather than on logarithms.
 */
import { NATIVE_BOUNDS } from './native-bounds.js';

/** client_golang's DefNativeHistogramZeroThreshold: 2^-128. */
export const DEFAULT_NATIVE_ZERO_THRESHOLD = 2.938735877055719e-39;

/** The lowest resolution the bucket limit may fall back to. */
export const MIN_SCHEMA = -4;

/**
 * The largest schema n in -4..8 with 2^(2^-n) <= bucketFactor (factor > 1). Factors below 2^(2^-8) still give 8.
 */
export function pickSchema(bucketFactor: number): number {
  if (!(bucketFactor > 1)) throw new RangeError(`bucket factor ${bucketFactor} is <= 1`);
  const floor = Math.floor(Math.log2(Math.log2(bucketFactor)));
  if (floor <= -8) return 8;
  if (floor >= 4) return -4;
  return 0 - floor; // not -floor: schema 0 must not be -0
}

// One scratch double and its two 32-bit words (little-endian: index 1 is the sign/exponent word).
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const TWO_52 = 4503599627370496;

/**
 * The bucket key of a positive finite value (an absolute value; +Inf is passed as MAX_VALUE by the caller), as
 * client_golang's `histogramCounts.observe` computes it. Key 0 is the bucket whose upper bound is 1.
 */
export function bucketKey(abs: number, schema: number): number {
  // Go's math.Frexp: abs = frac * 2^exp with frac in [0.5, 1); Frexp(0) = (0, 0).
  if (abs === 0) return schema > 0 ? -NATIVE_BOUNDS[schema]!.length : 0;
  scratch[0] = abs;
  let hi = words[1]!;
  let biased = (hi >>> 20) & 0x7ff;
  let exp: number;
  if (biased === 0) {
    // Subnormal: scale into the normal range first, as Frexp does.
    scratch[0] = abs * TWO_52;
    hi = words[1]!;
    biased = (hi >>> 20) & 0x7ff;
    exp = biased - 1022 - 52;
  } else {
    exp = biased - 1022;
  }
  if (schema > 0) {
    // frac: the same mantissa with the exponent of [0.5, 1).
    words[1] = (hi & 0x800fffff) | (1022 << 20);
    const frac = scratch[0]!;
    const bounds = NATIVE_BOUNDS[schema]!;
    // sort.SearchFloat64s: the first index whose bound is >= frac.
    let lo = 0;
    let up = bounds.length;
    while (lo < up) {
      const mid = (lo + up) >>> 1;
      if (bounds[mid]! < frac) lo = mid + 1;
      else up = mid;
    }
    return lo + (exp - 1) * bounds.length;
  }
  // frac === 0.5 exactly when the mantissa bits are all zero.
  let key = (hi & 0xfffff) === 0 && words[0] === 0 ? exp - 1 : exp;
  if (schema < 0) {
    const div = 2 ** -schema;
    // Go's integer division truncates toward zero (also for negative keys).
    key = Math.trunc((key + div - 1) / div);
  }
  return key;
}

/** `frac * 2^exp` rounded once, as Go's math.Ldexp, also where 2^exp alone would overflow or underflow. */
function ldexp(frac: number, exp: number): number {
  if (exp > 1023) return frac * 2 * 2 ** (exp - 1);
  if (exp < -1022) return frac * 2 ** (exp + 64) * 2 ** -64;
  return frac * 2 ** exp;
}

/**
 * The upper bound of the bucket with this key (client_golang's `getLe`), used when the zero bucket widens.
 * The last finite bucket's bound is MAX_VALUE, not +Inf: the bucket above it holds the ±Inf observations.
 */
export function bucketUpperBound(key: number, schema: number): number {
  if (schema < 0) {
    const exp = key * 2 ** -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const bounds = NATIVE_BOUNDS[schema]!;
  const n = bounds.length;
  const frac = bounds[key & (n - 1)]!;
  const exp = Math.floor(key / n) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}
