/** Histogram bucket helpers, with client_golang's defaults and rules. */

/** client_golang's DefBuckets: tuned for network service latencies in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** `count` buckets, the first at `start`, each `width` above the previous one. */
export function linearBuckets(start: number, width: number, count: number): number[] {
  if (!(count >= 1) || !Number.isInteger(count)) {
    throw new RangeError(`linearBuckets needs a positive integer count, got ${count}`);
  }
  const buckets = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    buckets[i] = start;
    start += width;
  }
  return buckets;
}

/** `count` buckets, the first at `start`, each `factor` times the previous one. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (!(count >= 1) || !Number.isInteger(count)) {
    throw new RangeError(`exponentialBuckets needs a positive integer count, got ${count}`);
  }
  if (!(start > 0)) throw new RangeError(`exponentialBuckets needs a positive start, got ${start}`);
  if (!(factor > 1)) throw new RangeError(`exponentialBuckets needs a factor greater than 1, got ${factor}`);
  const buckets = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    buckets[i] = start;
    start *= factor;
  }
  return buckets;
}

/**
 * Normalises histogram upper bounds as client_golang does: default when empty, a trailing +Inf dropped.
 * Returns the bounds and, when they are not strictly increasing, the problem (thrown where Go panics).
 */
export function normalizeBuckets(buckets: readonly number[] | undefined): {
  bounds: readonly number[];
  problem: string | undefined;
} {
  if (buckets === undefined || buckets.length === 0) return { bounds: DEFAULT_BUCKETS, problem: undefined };
  for (const b of buckets) {
    if (typeof b !== 'number') {
      return { bounds: [], problem: `histogram bucket ${JSON.stringify(b)} is not a number` };
    }
  }
  // client_golang's order: every adjacent pair is checked (a trailing +Inf included, so [1, +Inf, +Inf]
  // is refused), and only then is a trailing +Inf dropped. A NaN bound passes: no comparison with it holds.
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i - 1]! >= buckets[i]!) {
      return {
        bounds: buckets.slice(),
        problem: `histogram buckets must be in increasing order: ${buckets[i - 1]} >= ${buckets[i]}`,
      };
    }
  }
  let bounds = buckets.slice();
  if (bounds[bounds.length - 1] === Infinity) bounds = bounds.slice(0, -1);
  return { bounds: Object.freeze(bounds), problem: undefined };
}
