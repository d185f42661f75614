/**
 * The populated buckets of one sign of a native histogram: a count per integer key, and how many keys are
 * populated (the bucket limit counts them). Keys cluster (latencies span a few powers of two), so counts live
 * in a dense window of keys that grows as needed. A window that would grow past DENSE_MAX_SLOTS, or to more than
 * DENSE_SLOTS_PER_BUCKET slots per populated bucket (observations orders of magnitude apart at a high schema),
 * moves to a Map instead: memory stays proportional to the populated buckets, as with Go's map.
 */

const DENSE_INITIAL_SLOTS = 64;
const DENSE_MAX_SLOTS = 4096;
const DENSE_SLOTS_PER_BUCKET = 16;

export class SparseCounts {
  /** Count per key `offset + i`; null once moved to the map. */
  private dense: Float64Array | null = null;
  private offset = 0;
  private map: Map<number, number> | null = null;
  /** Number of populated keys. */
  size = 0;

  /** Adds `n` (> 0) to the bucket of `key`; returns true when the bucket was created. */
  add(key: number, n: number): boolean {
    const dense = this.dense;
    if (dense !== null) {
      const i = key - this.offset;
      if (i >= 0 && i < dense.length) {
        const was = dense[i]!;
        dense[i] = was + n;
        if (was !== 0) return false;
        this.size++;
        return true;
      }
    }
    return this.addSlow(key, n);
  }

  private addSlow(key: number, n: number): boolean {
    if (this.map === null) {
      if (this.dense === null) {
        this.dense = new Float64Array(DENSE_INITIAL_SLOTS);
        this.offset = key - (DENSE_INITIAL_SLOTS >> 1);
      } else if (!this.grow(key)) {
        this.toMap();
        return this.addSlow(key, n);
      }
      return this.add(key, n);
    }
    const was = this.map.get(key);
    this.map.set(key, (was ?? 0) + n);
    if (was !== undefined) return false;
    this.size++;
    return true;
  }

  /** Widens the window to take `key`; false when it would grow too large or too sparse. */
  private grow(key: number): boolean {
    const old = this.dense!;
    const low = Math.min(this.offset, key);
    const high = Math.max(this.offset + old.length, key + 1);
    let slots = old.length;
    while (slots < high - low) slots *= 2;
    if (
      slots > DENSE_MAX_SLOTS ||
      slots > DENSE_SLOTS_PER_BUCKET * (this.size + DENSE_INITIAL_SLOTS / DENSE_SLOTS_PER_BUCKET)
    ) {
      return false;
    }
    // Leave headroom on the side that grew, so a drifting key range doesn't regrow on every step.
    const offset = key < this.offset ? high - slots : low;
    const next = new Float64Array(slots);
    next.set(old, this.offset - offset);
    this.dense = next;
    this.offset = offset;
    return true;
  }

  private toMap(): void {
    const map = new Map<number, number>();
    this.forEach((key, count) => map.set(key, count));
    this.map = map;
    this.dense = null;
  }

  /** Calls `fn` for every populated key, in increasing key order. */
  forEach(fn: (key: number, count: number) => void): void {
    const dense = this.dense;
    if (dense !== null) {
      for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) fn(this.offset + i, dense[i]!);
      return;
    }
    if (this.map === null) return;
    const keys = [...this.map.keys()].sort((a, b) => a - b);
    for (const key of keys) fn(key, this.map.get(key)!);
  }

  /** Removes the bucket of `key`; returns its count (0 when it was not populated). */
  take(key: number): number {
    let count = 0;
    if (this.dense !== null) {
      const i = key - this.offset;
      if (i >= 0 && i < this.dense.length) {
        count = this.dense[i]!;
        this.dense[i] = 0;
      }
    } else if (this.map !== null) {
      count = this.map.get(key) ?? 0;
      this.map.delete(key);
    }
    if (count !== 0) this.size--;
    return count;
  }

  /** The smallest populated key, or undefined when none. */
  smallestKey(): number | undefined {
    let smallest: number | undefined;
    this.forEach((key) => {
      smallest ??= key;
    });
    return smallest;
  }

  /** Removes every bucket. */
  clear(): void {
    this.dense = null;
    this.map = null;
    this.offset = 0;
    this.size = 0;
  }
}

/** Spans and deltas of one sign, as the protobuf exposition carries them. */
export interface NativeSpans {
  /** Per span: the gap to the previous span's end (or the first key), as sint32. */
  readonly offsets: readonly number[];
  /** Per span: how many consecutive buckets it covers. */
  readonly lengths: readonly number[];
  /** Per bucket: its count minus the previous bucket's (the first minus zero). */
  readonly deltas: readonly number[];
}

/** No buckets. Not frozen: a frozen object has another hidden class, and the writer would see two shapes. */
export const NO_SPANS: NativeSpans = { offsets: [], lengths: [], deltas: [] };

/**
 * Encodes populated buckets as client_golang's `makeBuckets` does: a new span starts at the first bucket and
 * after any gap of more than two keys; gaps of one or two keys are filled with empty buckets inside the span.
 */
export function makeSpans(counts: SparseCounts): NativeSpans {
  if (counts.size === 0) return NO_SPANS;
  const offsets: number[] = [];
  const lengths: number[] = [];
  const deltas: number[] = [];
  let previous = 0;
  let nextKey = 0;
  counts.forEach((key, count) => {
    const gap = key - nextKey;
    if (lengths.length === 0 || gap > 2) {
      offsets.push(gap);
      lengths.push(0);
    } else if (gap > 0) {
      // Empty buckets inside the span: the first one's delta brings the count down to 0.
      deltas.push(previous === 0 ? 0 : -previous);
      if (gap === 2) deltas.push(0);
      lengths[lengths.length - 1]! += gap;
      previous = 0;
    }
    lengths[lengths.length - 1]!++;
    deltas.push(count - previous);
    previous = count;
    nextKey = key + 1;
  });
  return { offsets, lengths, deltas };
}
