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
  // Go's Log2, not Math.log2: the two differ in the last bit, and near 2^(2^-n) that moves the floor.
  const floor = Math.floor(goLog2(goLog2(bucketFactor)));
  if (floor <= -8) return 8;
  if (floor >= 4) return -4;
  return 0 - floor; // not -floor: schema 0 must not be -0
}

// One scratch double and its two 32-bit words (little-endian: index 1 is the sign/exponent word).
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const TWO_52 = 4503599627370496;
/** 2^-exp for the Frexp exponents of normal doubles, exp = -1021..1024, at index exp + 1021 (all exact). */
const POW2_NEG = Float64Array.from({ length: 2046 }, (_, i) => 2 ** -(i - 1021));

/** Go's math.Log2 for x > 0 (on amd64): exact for powers of two, else Log(frac) / ln 2 + exp. */
export function goLog2(x: number): number {
  if (!(x > 0) || x === Infinity) return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
  // Frexp: x = frac * 2^exp, frac in [0.5, 1); subnormals are normalised first.
  const scaled = x < 2.2250738585072014e-308 ? x * TWO_52 : x;
  scratch[0] = scaled;
  const exp = ((words[1]! >>> 20) & 0x7ff) - 1022 - (scaled === x ? 0 : 52);
  words[1] = (words[1]! & 0x800fffff) | 0x3fe00000;
  const frac = scratch[0]!;
  if (frac === 0.5) return exp - 1;
  return goLog(frac) * LOG2_E + exp;
}

/** Go's 1/Ln2 constant, rounded once from the exact quotient. */
const LOG2_E = 1.4426950408889634;

/**
 * Go's math.Log for a normal x > 0 as its amd64 assembly computes it (FDLIBM's e_log, step for step; the
 * assembly doubles f1 when f1 <= sqrt(2)/2, where the portable Go code needs f1 < sqrt(2)/2).
 */
function goLog(x: number): number {
  scratch[0] = x;
  let k = ((words[1]! >>> 20) & 0x7ff) - 1022;
  words[1] = (words[1]! & 0x800fffff) | 0x3fe00000;
  let f1 = scratch[0]!;
  if (f1 <= 0.7071067811865476) {
    k -= 1;
    f1 *= 2;
  }
  const f = f1 - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 =
    s2 *
    (6.66666666666673513e-1 +
      s4 * (2.857142874366239149e-1 + s4 * (1.818357216161805012e-1 + s4 * 1.479819860511658591e-1)));
  const t2 = s4 * (3.999999999940941908e-1 + s4 * (2.222219843214978396e-1 + s4 * 1.531383769920937332e-1));
  const r = t1 + t2;
  const hfsq = 0.5 * f * f;
  return k * 6.9314718036912381649e-1 - (hfsq - (s * (hfsq + r) + k * 1.90821492927058770002e-10) - f);
}

/**
 * Per schema s > 0: the bounds with a 1 appended (above every fraction), and for each of the 2^(s+1) equal
 * slices of [0.5, 1) the first bound at or above the slice's start. A slice (2^-(s+2) wide) is narrower than
 * the narrowest bucket (0.5 * (2^(2^-s) - 1) > 0.34 * 2^-s), so it holds at most one bound: the key is the
 * slice's entry or the next, decided by one comparison instead of a binary search. Built from the exact table.
 */
const PADDED: Float64Array[] = [];
const SLICES: Uint16Array[] = [];
for (let schema = 1; schema < NATIVE_BOUNDS.length; schema++) {
  const bounds = NATIVE_BOUNDS[schema]!;
  const padded = new Float64Array(bounds.length + 1);
  padded.set(bounds);
  padded[bounds.length] = 1;
  const slices = new Uint16Array(2 << schema);
  let j = 0;
  for (let m = 0; m < slices.length; m++) {
    const start = 0.5 + m * 2 ** -(schema + 2);
    while (j < bounds.length && bounds[j]! < start) j++;
    slices[m] = j;
  }
  PADDED[schema] = padded;
  SLICES[schema] = slices;
}

/**
 * The bucket key of a positive value (an absolute value), as client_golang's `histogramCounts.observe` computes
 * it: key 0 is the bucket whose upper bound is 1; +Inf is one key above MAX_VALUE's.
 */
export function bucketKey(abs: number, schema: number): number {
  // Go's math.Frexp: abs = frac * 2^exp with frac in [0.5, 1).
  scratch[0] = abs;
  const hi = words[1]!;
  const biased = (hi >>> 20) & 0x7ff;
  if (biased === 0 || biased === 0x7ff) return rareKey(abs, schema);
  return schema > 0 ? fineKey(abs, hi, biased - 1022, schema) : coarseKey(hi, biased - 1022, schema);
}

/** Schemas > 0, for a normal value `abs` with high word `hi` and Frexp exponent `exp`. */
function fineKey(abs: number, hi: number, exp: number, schema: number): number {
  const j = SLICES[schema]![(hi & 0xfffff) >>> (19 - schema)]!;
  // frac = abs / 2^exp, exact (a power-of-two scaling into [0.5, 1)); a multiplication, because rewriting the
  // exponent bits in `scratch` and reading it back stalls the CPU's store forwarding on the hot path.
  const frac = abs * POW2_NEG[exp + 1021]!;
  // sort.SearchFloat64s: the first index whose bound is >= frac.
  return (frac <= PADDED[schema]![j]! ? j : j + 1) + (exp - 1) * (1 << schema);
}

/** Schemas <= 0: the exponent, one lower when frac is exactly 0.5, divided by 2^-schema rounding up. */
function coarseKey(hi: number, exp: number, schema: number): number {
  let key = (hi & 0xfffff) === 0 && words[0] === 0 ? exp - 1 : exp;
  if (schema < 0) {
    const div = 2 ** -schema;
    // Go's integer division truncates toward zero (also for negative keys).
    key = Math.trunc((key + div - 1) / div);
  }
  return key;
}

/** Keys of zero (Frexp(0) = (0, 0)), subnormals (normalised first, as Frexp does) and +Inf. */
function rareKey(abs: number, schema: number): number {
  if (abs === Infinity) return bucketKey(Number.MAX_VALUE, schema) + 1;
  if (abs === 0) return schema > 0 ? -(1 << schema) : 0;
  const scaled = abs * TWO_52;
  scratch[0] = scaled;
  const hi = words[1]!;
  const exp = ((hi >>> 20) & 0x7ff) - 1022;
  // The scaled value's fraction is abs's; only the exponent moves by 52.
  return schema > 0 ? fineKey(scaled, hi, exp, schema) - 52 * (1 << schema) : coarseKey(hi, exp - 52, schema);
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
