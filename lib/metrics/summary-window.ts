/**
 * The state machine behind a client_golang 1.14 summary with objectives: a sliding time window of
 * `ageBuckets` quantile streams, fed through a hot/cold pair of observation buffers.
 *
 * - Observations go to the hot buffer. It is handed over (swapped with the empty cold buffer and
 *   flushed) when it is full, when an observation arrives after the buffer's expiry time, and at
 *   every collection.
 * - Flushing inserts each cold value into every stream and adds it to `sum` and `count`, one value
 *   at a time in observation order, so the float sum is the same left-to-right sum as Go's.
 * - After a flush, streams rotate: while the hot buffer's expiry differs from the head stream's,
 *   the head stream is reset and the next stream in the ring becomes the head.
 * - Quantiles are read from the head stream only; when it holds nothing they are NaN.
 *
 * Time is in milliseconds and comes from the injectable `now` (monotonic `performance.now()` by
 * default). Go spawns a goroutine for the flush; doing it inline yields the same results.
 */

import { QuantileStream } from './quantile-stream.js';
import { GO_NAN, type NanKind, nanOfSum } from './go-float.js';

export const DEFAULT_MAX_AGE_MS = 10 * 60 * 1000;
export const DEFAULT_AGE_BUCKETS = 5;
export const DEFAULT_BUF_CAP = 500;

export interface SummaryWindowOptions {
  /** Length of the sliding window; 0 or absent means 10 minutes. Negative is an error. */
  maxAgeMs?: number;
  /** Number of streams the window is split into; 0 or absent means 5. */
  ageBuckets?: number;
  /** Capacity of each observation buffer; 0 or absent means 500. */
  bufCap?: number;
  /** Clock in milliseconds; must not go backwards. */
  now?: () => number;
}

export interface SummaryTotals {
  sum: number;
  count: number;
  /** Which NaN `sum` is when it is one (go-float.ts). */
  sumNanKind: NanKind;
}

function defaultNow(): number {
  return performance.now();
}

function checkCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined || value === 0) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`summary ${name} must be an integer between 0 and 4294967295, got ${value}`);
  }
  return value;
}

/**
 * Checks objectives as a summary needs them and returns them sorted by rank.
 * Go does not check ranks up front: a rank outside [0, 1] or NaN makes its scrape index out of
 * range (a panic) or return garbage, so such ranks are refused here at construction instead.
 */
export function validateObjectives(
  objectives: ReadonlyArray<readonly [rank: number, error: number]>,
): Array<readonly [number, number]> {
  const sorted = objectives.map((o) => {
    if (!Array.isArray(o) || o.length !== 2) {
      throw new TypeError('each summary objective must be a [rank, error] pair');
    }
    const [rank, error] = o;
    if (typeof rank !== 'number' || Number.isNaN(rank) || rank < 0 || rank > 1) {
      throw new RangeError(`summary objective rank must be a number in [0, 1], got ${String(rank)}`);
    }
    if (typeof error !== 'number') {
      throw new TypeError(`summary objective error for rank ${rank} must be a number, got ${String(error)}`);
    }
    return [rank, error] as const;
  });
  sorted.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) {
    // -0 and +0 are the same key in Go's objectives map.
    if (sorted[i]![0] === sorted[i - 1]![0]) {
      throw new RangeError(`summary objective rank ${sorted[i]![0]} is given more than once`);
    }
  }
  return sorted;
}

export class SummaryWindow {
  /** Objective ranks in increasing order; `collect` fills its output in this order. */
  readonly ranks: readonly number[];

  private readonly now: () => number;
  private readonly bufCap: number;
  private readonly streamDurationMs: number;

  private hotBuf: Float64Array;
  private hotLen = 0;
  private coldBuf: Float64Array;
  private coldLen = 0;

  private readonly streams: QuantileStream[] = [];
  private headStream: QuantileStream;
  private headStreamIdx = 0;
  private headStreamExpMs: number;
  private hotBufExpMs: number;

  private sum = 0;
  private sumNanKind: NanKind = GO_NAN;
  private count = 0;

  constructor(objectives: ReadonlyArray<readonly [rank: number, error: number]>, options: SummaryWindowOptions = {}) {
    const sorted = validateObjectives(objectives);
    this.ranks = sorted.map((o) => o[0]);

    let maxAgeMs = options.maxAgeMs ?? 0;
    if (typeof maxAgeMs !== 'number' || Number.isNaN(maxAgeMs) || maxAgeMs < 0) {
      throw new RangeError(`illegal summary max age: ${String(maxAgeMs)} ms (must not be negative)`);
    }
    if (maxAgeMs === 0) maxAgeMs = DEFAULT_MAX_AGE_MS;
    const ageBuckets = checkCount('ageBuckets', options.ageBuckets, DEFAULT_AGE_BUCKETS);
    this.bufCap = checkCount('bufCap', options.bufCap, DEFAULT_BUF_CAP);

    // Go divides an integer number of nanoseconds; do the same, then go back to milliseconds.
    const streamNs = Math.floor(Math.round(maxAgeMs * 1e6) / ageBuckets);
    if (!(streamNs > 0) || !Number.isFinite(streamNs)) {
      // In Go a zero stream duration makes the buffer-expiry loop spin forever.
      throw new RangeError(
        `summary max age ${maxAgeMs} ms split into ${ageBuckets} age buckets gives no usable stream duration`,
      );
    }
    this.streamDurationMs = streamNs / 1e6;

    this.now = options.now ?? defaultNow;
    this.hotBuf = new Float64Array(this.bufCap);
    this.coldBuf = new Float64Array(this.bufCap);

    this.headStreamExpMs = this.now() + this.streamDurationMs;
    this.hotBufExpMs = this.headStreamExpMs;
    for (let i = 0; i < ageBuckets; i++) this.streams.push(new QuantileStream(sorted));
    this.headStream = this.streams[0]!;
  }

  observe(value: number): void {
    const now = this.now();
    if (now > this.hotBufExpMs) this.flush(now);
    this.hotBuf[this.hotLen++] = value;
    if (this.hotLen === this.bufCap) this.flush(now);
  }

  /**
   * Brings the window up to date as a scrape does in Go (buffers swapped even when the hot one is
   * empty, which moves its expiry), writes one value per rank of `ranks` into `out` (NaN when the
   * head stream holds nothing) and returns the running sum and count.
   */
  collect(out: Float64Array): SummaryTotals {
    if (out.length < this.ranks.length) {
      throw new RangeError(`collect needs room for ${this.ranks.length} quantiles, got ${out.length}`);
    }
    this.flush(this.now());
    const head = this.headStream;
    const empty = head.count() === 0;
    for (let i = 0; i < this.ranks.length; i++) {
      out[i] = empty ? NaN : head.query(this.ranks[i]!);
    }
    return { sum: this.sum, count: this.count, sumNanKind: this.sumNanKind };
  }

  private flush(now: number): void {
    this.swapBufs(now);
    this.flushColdBuf();
  }

  private swapBufs(now: number): void {
    const buf = this.hotBuf;
    this.hotBuf = this.coldBuf;
    this.coldBuf = buf;
    this.coldLen = this.hotLen;
    this.hotLen = 0;
    while (now > this.hotBufExpMs) this.hotBufExpMs += this.streamDurationMs;
  }

  private flushColdBuf(): void {
    const cold = this.coldBuf;
    const streams = this.streams;
    for (let i = 0; i < this.coldLen; i++) {
      const v = cold[i]!;
      for (let s = 0; s < streams.length; s++) streams[s]!.insert(v);
      this.count++;
      const sum = this.sum + v;
      if (sum !== sum) this.sumNanKind = nanOfSum(this.sum, this.sumNanKind, v, GO_NAN);
      this.sum = sum;
    }
    this.coldLen = 0;
    this.maybeRotateStreams();
  }

  private maybeRotateStreams(): void {
    while (this.hotBufExpMs !== this.headStreamExpMs) {
      this.headStream.reset();
      this.headStreamIdx++;
      if (this.headStreamIdx >= this.streams.length) this.headStreamIdx = 0;
      this.headStream = this.streams[this.headStreamIdx]!;
      this.headStreamExpMs += this.streamDurationMs;
    }
  }
}
