/**
 * Random `native` objects for histogram families of the differential fuzzer, and observations that stress
 * native bucket keys. Settings sit where client_golang's behaviour turns: bucket factors at 1 and at the
 * 2^(2^-n) schema boundaries (a few ulps either side), zero thresholds from "exact zeros only" through
 * subnormals to MAX_VALUE and +Inf, bucket limits small enough that every limit strategy runs. Malformed
 * objects, which both sides must refuse, are a small share. `min_reset_seconds` is absent, 0 or at least an
 * hour: a reset after it depends on the wall clock, so no fixture reaches one.
 */
import { NATIVE_BOUNDS } from '../../lib/metrics/native-bounds.js';
import { DEFAULT_NATIVE_ZERO_THRESHOLD } from '../../lib/metrics/native-schema.js';
import { fixtureNumber } from './fixture-number.js';
import type { RandomNative } from './random-fixture.js';

/** The PRNG helpers the generator shares. */
export interface Rng {
  float(): number;
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

const MAX = Number.MAX_VALUE;
const MIN_NORMAL = 2.2250738585072014e-308;

const bits = new DataView(new ArrayBuffer(8));

/** The double `n` representable steps above (n > 0) or below x, for a finite x > 0. */
export function ulps(x: number, n: number): number {
  bits.setFloat64(0, x);
  bits.setBigUint64(0, bits.getBigUint64(0) + BigInt(n));
  return bits.getFloat64(0);
}

/** Factors that leave native buckets off (<= 1). */
const OFF_FACTORS = [1, 0.999, 0.5, 0, -0, -1, -Infinity, 5e-324, ulps(1, -1)];
const COMMON_FACTORS = [
  1.0001,
  1.001,
  1.002,
  1.01,
  1.05,
  1.1,
  1.2,
  1.5,
  2,
  2.5,
  3,
  4,
  16,
  256,
  65536,
  1e30,
  1e300,
  MAX,
  Infinity,
  ulps(1, 1),
];

function bucketFactor(r: Rng): number {
  const roll = r.float();
  if (roll < 0.1) return r.pick(OFF_FACTORS);
  // 2^(2^n): where the schema changes (n = -8..4), and its neighbours a few ulps away.
  if (roll < 0.35) return ulps(2 ** (2 ** (r.int(13) - 8)), r.int(9) - 4);
  if (roll < 0.85) return r.pick(COMMON_FACTORS);
  return 1 + r.float() * 10 ** -r.int(12);
}

const ZERO_THRESHOLDS = [
  -1,
  -1,
  0,
  -0,
  5e-324,
  1e-310,
  MIN_NORMAL,
  ulps(MIN_NORMAL, -1),
  DEFAULT_NATIVE_ZERO_THRESHOLD,
  ulps(DEFAULT_NATIVE_ZERO_THRESHOLD, 1),
  1e-9,
  0.001,
  0.01,
  0.5,
  1,
  2,
  1e10,
  1e300,
  MAX,
  Infinity,
  -Infinity,
  -5,
  -1e-300,
];
const MAX_BUCKETS = [0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40, 160, 4294967295];
const MAX_ZERO_THRESHOLDS = [
  0,
  -1,
  1e-300,
  1e-9,
  1e-4,
  0.001,
  0.01,
  0.1,
  0.5,
  1,
  2,
  10,
  1e10,
  1e300,
  MAX,
  Infinity,
  -Infinity,
];
/** No reset within a run: 0 (never), or at least an hour. */
const MIN_RESET_SECONDS = [0, 3600, 3600.5, 86400, 1e6, 9e9];

/** A field name, sometimes spelled as Go's decoder still matches it (any case; K and ſ for k and s). */
function key(r: Rng, name: string): string {
  if (!r.chance(0.04)) return name;
  if (r.chance(0.5)) return name.toUpperCase();
  return name.replace('k', '\u212a').replace('s', '\u017f');
}

/** Field values both sides must refuse as a malformed fixture (in Go's decoder or its format check). */
const MALFORMED: readonly (readonly [string, string])[] = [
  ['bucket_factor', '"NaN"'],
  ['bucket_factor', '"2"'],
  ['bucket_factor', 'true'],
  ['bucket_factor', '1e400'],
  ['zero_threshold', '"NaN"'],
  ['max_zero_threshold', '"NaN"'],
  // Go reads max_buckets (a uint32) with ParseUint: only a plain unsigned integer literal in range.
  ['max_buckets', '-1'],
  ['max_buckets', '1.5'],
  ['max_buckets', '4.0'],
  ['max_buckets', '1e1'],
  ['max_buckets', '-0'],
  ['max_buckets', '4294967296'],
  ['max_buckets', '"NaN"'],
  ['max_buckets', '"+Inf"'],
  ['max_buckets', '"5"'],
  ['min_reset_seconds', '-1'],
  ['min_reset_seconds', '"+Inf"'],
  ['min_reset_seconds', '"NaN"'],
  ['min_reset_seconds', '1e10'],
  ['schema', '3'],
];
/** Whole objects that are no native object. */
const NOT_OBJECTS = ['[]', '1.1', '"native"', 'true'];

const folded = (k: string) => k.toLowerCase().replace('\u017f', 's');

/** A `native` object; `malformed` is the chance that it is one both sides must refuse. */
export function randomNative(r: Rng, malformed = 0.03): RandomNative {
  if (r.chance(0.02)) return { fields: [], raw: 'null' };
  let fields: [string, string][] = [[key(r, 'bucket_factor'), fixtureNumber(bucketFactor(r))]];
  if (r.chance(0.6)) fields.push([key(r, 'zero_threshold'), fixtureNumber(r.pick(ZERO_THRESHOLDS))]);
  if (r.chance(0.65)) fields.push([key(r, 'max_buckets'), String(r.pick(MAX_BUCKETS))]);
  if (r.chance(0.5)) fields.push([key(r, 'max_zero_threshold'), fixtureNumber(r.pick(MAX_ZERO_THRESHOLDS))]);
  if (r.chance(0.25)) fields.push([key(r, 'min_reset_seconds'), fixtureNumber(r.pick(MIN_RESET_SECONDS))]);
  if (r.chance(malformed)) {
    const roll = r.int(MALFORMED.length + 2);
    if (roll === MALFORMED.length) fields = fields.filter(([k]) => folded(k) !== 'bucket_factor');
    else if (roll > MALFORMED.length) return { fields, raw: r.pick(NOT_OBJECTS) };
    else {
      // Replaces a field of the same name: no duplicate keys (Go and JSON.parse keep different ones).
      const [name, value] = MALFORMED[roll]!;
      fields = fields.filter(([k]) => folded(k) !== name);
      fields.push([name, value]);
    }
  }
  // Field order does not matter to either decoder; shuffle it.
  for (let i = fields.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [fields[i], fields[j]] = [fields[j]!, fields[i]!];
  }
  return { fields };
}

/** Where one family's observations cluster: a median and a spread, so that buckets fill and limits trip. */
export interface ObservationScale {
  readonly median: number;
  readonly spread: number;
  /** The family's zero threshold as written, if any: values on and around it are observed too. */
  readonly threshold: number | undefined;
}

export function observationScale(r: Rng, native: RandomNative): ObservationScale {
  const threshold = native.fields.find(([k]) => folded(k) === 'zero_threshold')?.[1];
  const t = threshold === undefined ? undefined : Number(threshold);
  return {
    median: 10 ** (r.float() * 12 - 8),
    spread: r.pick([0.01, 0.3, 1, 3, 20]),
    threshold: t !== undefined && Number.isFinite(t) && t > 0 ? t : undefined,
  };
}

/** One observation that stresses native keys. */
export function nativeObservation(r: Rng, scale: ObservationScale): number {
  const sign = r.chance(0.2) ? -1 : 1;
  const roll = r.float();
  if (roll < 0.35) {
    // Log-normal around the family's median.
    const gauss = Math.sqrt(-2 * Math.log(1 - r.float())) * Math.cos(2 * Math.PI * r.float());
    return sign * scale.median * Math.exp(scale.spread * gauss);
  }
  if (roll < 0.5) {
    // Powers of two and their neighbours: Frexp's fraction is exactly 0.5 there.
    const exp = r.chance(0.7) ? r.int(80) - 40 : r.int(2098) - 1074;
    return sign * ulps(2 ** exp, r.pick([0, 0, 1, -1, 2, -2]));
  }
  if (roll < 0.62) {
    // A bucket bound of some schema, exactly or a step away.
    const schema = 1 + r.int(8);
    const bounds = NATIVE_BOUNDS[schema]!;
    return sign * ulps(bounds[r.int(bounds.length)]! * 2 ** (r.int(60) - 30), r.pick([0, 0, 1, -1]));
  }
  if (roll < 0.7) return r.pick([0, -0, NaN, Infinity, -Infinity, MAX, -MAX, ulps(MAX, -1)]);
  if (roll < 0.77)
    return sign * r.pick([5e-324, 1e-323, 1e-310, MIN_NORMAL, ulps(MIN_NORMAL, -1), ulps(MIN_NORMAL, 1), 2 ** -1070]);
  if (roll < 0.85 && scale.threshold !== undefined) {
    const t = scale.threshold;
    return sign * (t === MAX ? r.pick([MAX, ulps(MAX, -1)]) : ulps(t, r.int(3) - 1));
  }
  // Across the whole range of magnitudes.
  return sign * 10 ** (r.float() * 631 - 323);
}
