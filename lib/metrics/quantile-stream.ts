/**
 * Targeted quantile stream: a port of the `quantile` package of beorn7/perks, the algorithm
 * (Cormode, Korn, Muthukrishnan, Srivastava: "Effective Computation of Biased Quantiles over Data
 * Streams") that client_golang uses for summaries with objectives.
 *
 * The port keeps every floating-point operation in the same order as the Go code, and it sorts
 * the insert buffer with the same algorithm as Go 1.19's `sort.Sort` (pattern-defeating quicksort).
 * The sort matters for exactness: values that compare neither less nor greater (NaN against
 * anything, -0 against +0) end up in an order that depends on the sorting algorithm, and that
 * order shows in the results.
 *
 * Storage is struct-of-arrays on Float64Array; nothing is allocated per inserted value except when
 * the sample list outgrows its capacity.
 */

/** Values are buffered and merged into the summary list once this many are pending (as in perks). */
export const STREAM_BUFFER_CAPACITY = 500;

export class QuantileStream {
  /** Target ranks and their allowed absolute errors, in the caller's order. */
  private readonly ranks: Float64Array;
  private readonly errors: Float64Array;

  /** Insert buffer: raw values, width 1 and delta 0 each. */
  private readonly buf = new Float64Array(STREAM_BUFFER_CAPACITY);
  private bufLen = 0;
  private sorted = true;

  /** Total width of the summary list (number of values merged so far). */
  private n = 0;
  /** Summary list: value, width (g) and delta of each tuple, sorted by value. */
  private values: Float64Array;
  private widths: Float64Array;
  private deltas: Float64Array;
  private len = 0;

  constructor(targets: ReadonlyArray<readonly [rank: number, error: number]>) {
    this.ranks = new Float64Array(targets.length);
    this.errors = new Float64Array(targets.length);
    for (let i = 0; i < targets.length; i++) {
      this.ranks[i] = targets[i]![0];
      this.errors[i] = targets[i]![1];
    }
    this.values = new Float64Array(64);
    this.widths = new Float64Array(64);
    this.deltas = new Float64Array(64);
  }

  /** Number of values inserted since construction or the last reset. */
  count(): number {
    return this.bufLen + Math.trunc(this.n);
  }

  /** Adds one value. */
  insert(v: number): void {
    this.buf[this.bufLen++] = v;
    this.sorted = false;
    if (this.bufLen === STREAM_BUFFER_CAPACITY) this.flush();
  }

  /** Empties the stream, keeping its memory. */
  reset(): void {
    this.len = 0;
    this.n = 0;
    this.bufLen = 0;
  }

  /**
   * The value at rank `q`. Only meaningful for a rank that is one of the targets. Returns 0 for an
   * empty stream. Before the first merge the answer comes straight from the sorted buffer.
   */
  query(q: number): number {
    if (this.len === 0) {
      const l = this.bufLen;
      if (l === 0) return 0;
      let i = Math.ceil(l * q);
      if (i > 0) i -= 1;
      this.maybeSort();
      return this.buf[i]!;
    }
    this.flush();
    return this.queryList(q);
  }

  /** The error bound allowed at rank `r` given the current total width (the targeted invariant). */
  private invariant(r: number): number {
    const n = this.n;
    let m = Number.MAX_VALUE;
    for (let k = 0; k < this.ranks.length; k++) {
      const quantile = this.ranks[k]!;
      const epsilon = this.errors[k]!;
      let f: number;
      if (quantile * n <= r) {
        f = (2 * epsilon * r) / quantile;
      } else {
        f = (2 * epsilon * (n - r)) / (1 - quantile);
      }
      // NaN never wins, exactly as the `<` comparison in the original.
      if (f < m) m = f;
    }
    return m;
  }

  private maybeSort(): void {
    if (!this.sorted) {
      this.sorted = true;
      goSort(this.buf, this.bufLen);
    }
  }

  private flush(): void {
    this.maybeSort();
    this.merge();
    this.bufLen = 0;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const v = new Float64Array(cap);
    const w = new Float64Array(cap);
    const d = new Float64Array(cap);
    v.set(this.values);
    w.set(this.widths);
    d.set(this.deltas);
    this.values = v;
    this.widths = w;
    this.deltas = d;
  }

  /** Merges the (sorted) buffer into the summary list, then compresses the list. */
  private merge(): void {
    let r = 0;
    let i = 0;
    const buf = this.buf;
    for (let s = 0; s < this.bufLen; s++) {
      const sv = buf[s]!;
      let inserted = false;
      for (; i < this.len; i++) {
        if (this.values[i]! > sv) {
          if (this.len === this.values.length) this.grow();
          const values = this.values;
          const widths = this.widths;
          const deltas = this.deltas;
          values.copyWithin(i + 1, i, this.len);
          widths.copyWithin(i + 1, i, this.len);
          deltas.copyWithin(i + 1, i, this.len);
          this.len++;
          values[i] = sv;
          widths[i] = 1;
          // A buffered sample carries delta 0.
          deltas[i] = Math.max(0, Math.floor(this.invariant(r)) - 1);
          i++;
          inserted = true;
          break;
        }
        r += this.widths[i]!;
      }
      if (!inserted) {
        if (this.len === this.values.length) this.grow();
        this.values[this.len] = sv;
        this.widths[this.len] = 1;
        this.deltas[this.len] = 0;
        this.len++;
        i++;
      }
      this.n += 1;
      r += 1;
    }
    this.compress();
  }

  private compress(): void {
    if (this.len < 2) return;
    const values = this.values;
    const widths = this.widths;
    const deltas = this.deltas;
    let xi = this.len - 1;
    let xValue = values[xi]!;
    let xWidth = widths[xi]!;
    let xDelta = deltas[xi]!;
    let r = this.n - 1 - xWidth;

    for (let i = this.len - 2; i >= 0; i--) {
      const cWidth = widths[i]!;
      if (cWidth + xWidth + xDelta <= this.invariant(r)) {
        // Fold tuple i into x and remove it.
        xWidth += cWidth;
        values[xi] = xValue;
        widths[xi] = xWidth;
        deltas[xi] = xDelta;
        values.copyWithin(i, i + 1, this.len);
        widths.copyWithin(i, i + 1, this.len);
        deltas.copyWithin(i, i + 1, this.len);
        this.len--;
        xi -= 1;
      } else {
        xValue = values[i]!;
        xWidth = cWidth;
        xDelta = deltas[i]!;
        xi = i;
      }
      r -= cWidth;
    }
  }

  private queryList(q: number): number {
    let t = Math.ceil(q * this.n);
    t += Math.ceil(this.invariant(t) / 2);
    const values = this.values;
    const widths = this.widths;
    const deltas = this.deltas;
    let p = 0;
    let r = 0;
    for (let c = 1; c < this.len; c++) {
      r += widths[p]!;
      if (r + widths[c]! + deltas[c]! > t) return values[p]!;
      p = c;
    }
    return values[p]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Go 1.19 sort.Sort (pdqsort) over data[0:n] with Less(i, j) = data[i] < data[j].
// Sorting a Float64Array natively would order NaN and -0/+0 differently; this reproduces Go's
// element moves one for one. Multiple results are passed through module-level variables so that
// the sort allocates nothing.
// ---------------------------------------------------------------------------------------------

const MAX_INSERTION = 12;
const SHORTEST_NINTHER = 50;
const MAX_SWAPS = 4 * 3;
const SHORTEST_SHIFTING = 50;
const MAX_STEPS = 5;

const HINT_UNKNOWN = 0;
const HINT_INCREASING = 1;
const HINT_DECREASING = 2;

let pivotSwaps = 0;
let pivotHint = HINT_UNKNOWN;
let partitionWasSorted = false;

function bitLen(x: number): number {
  return 32 - Math.clz32(x);
}

/** Sorts `data[0:n]` exactly as Go 1.19's `sort.Sort` would sort a slice with `<` as Less. */
export function goSort(data: Float64Array, n: number): void {
  if (n <= 1) return;
  pdqsort(data, 0, n, bitLen(n));
}

function swap(d: Float64Array, i: number, j: number): void {
  const t = d[i]!;
  d[i] = d[j]!;
  d[j] = t;
}

function insertionSort(d: Float64Array, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && d[j]! < d[j - 1]!; j--) swap(d, j, j - 1);
  }
}

function siftDown(d: Float64Array, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && d[first + child]! < d[first + child + 1]!) child++;
    if (!(d[first + root]! < d[first + child]!)) return;
    swap(d, first + root, first + child);
    root = child;
  }
}

function heapSort(d: Float64Array, a: number, b: number): void {
  const first = a;
  const hi = b - a;
  for (let i = (hi - 1) >> 1; i >= 0; i--) siftDown(d, i, hi, first);
  for (let i = hi - 1; i >= 0; i--) {
    swap(d, first, first + i);
    siftDown(d, 0, i, first);
  }
}

function pdqsort(d: Float64Array, a: number, b: number, limit: number): void {
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= MAX_INSERTION) {
      insertionSort(d, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(d, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(d, a, b);
      limit--;
    }

    let pivot = choosePivot(d, a, b);
    let hint = pivotHint;
    if (hint === HINT_DECREASING) {
      reverseRange(d, a, b);
      pivot = b - 1 - (pivot - a);
      hint = HINT_INCREASING;
    }

    if (wasBalanced && wasPartitioned && hint === HINT_INCREASING) {
      if (partialInsertionSort(d, a, b)) return;
    }

    if (a > 0 && !(d[a - 1]! < d[pivot]!)) {
      a = partitionEqual(d, a, b, pivot);
      continue;
    }

    const mid = partition(d, a, b, pivot);
    wasPartitioned = partitionWasSorted;

    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = length >> 3;
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(d, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(d, mid + 1, b, limit);
      b = mid;
    }
  }
}

function partition(d: Float64Array, a: number, b: number, pivot: number): number {
  swap(d, a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && d[i]! < d[a]!) i++;
  while (i <= j && !(d[j]! < d[a]!)) j--;
  if (i > j) {
    swap(d, j, a);
    partitionWasSorted = true;
    return j;
  }
  swap(d, i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && d[i]! < d[a]!) i++;
    while (i <= j && !(d[j]! < d[a]!)) j--;
    if (i > j) break;
    swap(d, i, j);
    i++;
    j--;
  }
  swap(d, j, a);
  partitionWasSorted = false;
  return j;
}

function partitionEqual(d: Float64Array, a: number, b: number, pivot: number): number {
  swap(d, a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !(d[a]! < d[i]!)) i++;
    while (i <= j && d[a]! < d[j]!) j--;
    if (i > j) break;
    swap(d, i, j);
    i++;
    j--;
  }
  return i;
}

function partialInsertionSort(d: Float64Array, a: number, b: number): boolean {
  let i = a + 1;
  for (let step = 0; step < MAX_STEPS; step++) {
    while (i < b && !(d[i]! < d[i - 1]!)) i++;
    if (i === b) return true;
    if (b - a < SHORTEST_SHIFTING) return false;
    swap(d, i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!(d[j]! < d[j - 1]!)) break;
        swap(d, j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!(d[j]! < d[j - 1]!)) break;
        swap(d, j, j - 1);
      }
    }
  }
  return false;
}

/** 64-bit xorshift state as two unsigned 32-bit halves. */
let xsHi = 0;
let xsLo = 0;

/** Advances the xorshift state (<<13, >>17, <<5) and returns its low 32 bits. */
function xorshiftNext(): number {
  let hi = xsHi;
  let lo = xsLo;
  // x ^= x << 13
  let sh = ((hi << 13) | (lo >>> 19)) >>> 0;
  let sl = (lo << 13) >>> 0;
  hi = (hi ^ sh) >>> 0;
  lo = (lo ^ sl) >>> 0;
  // x ^= x >> 17
  sl = ((lo >>> 17) | (hi << 15)) >>> 0;
  sh = hi >>> 17;
  hi = (hi ^ sh) >>> 0;
  lo = (lo ^ sl) >>> 0;
  // x ^= x << 5
  sh = ((hi << 5) | (lo >>> 27)) >>> 0;
  sl = (lo << 5) >>> 0;
  hi = (hi ^ sh) >>> 0;
  lo = (lo ^ sl) >>> 0;
  xsHi = hi;
  xsLo = lo;
  return lo;
}

function breakPatterns(d: Float64Array, a: number, b: number): void {
  const length = b - a;
  if (length >= 8) {
    xsHi = 0;
    xsLo = length >>> 0;
    // A power of two no larger than 2^31 here, so the mask only needs the low 32 bits.
    const mask = 2 ** bitLen(length) - 1;
    const base = a + (length >> 2) * 2;
    for (let idx = base - 1; idx <= base + 1; idx++) {
      let other = (xorshiftNext() & mask) >>> 0;
      if (other >= length) other -= length;
      swap(d, idx, a + other);
    }
  }
}

function choosePivot(d: Float64Array, a: number, b: number): number {
  const l = b - a;
  pivotSwaps = 0;
  let i = a + (l >> 2) * 1;
  let j = a + (l >> 2) * 2;
  let k = a + (l >> 2) * 3;
  if (l >= 8) {
    if (l >= SHORTEST_NINTHER) {
      i = median(d, i - 1, i, i + 1);
      j = median(d, j - 1, j, j + 1);
      k = median(d, k - 1, k, k + 1);
    }
    j = median(d, i, j, k);
  }
  pivotHint = pivotSwaps === 0 ? HINT_INCREASING : pivotSwaps === MAX_SWAPS ? HINT_DECREASING : HINT_UNKNOWN;
  return j;
}

/** Index of the median of d[a], d[b], d[c], counting the comparisons that found a pair out of order. */
function median(d: Float64Array, a: number, b: number, c: number): number {
  let t: number;
  if (d[b]! < d[a]!) {
    pivotSwaps++;
    t = a;
    a = b;
    b = t;
  }
  if (d[c]! < d[b]!) {
    pivotSwaps++;
    t = b;
    b = c;
    c = t;
  }
  if (d[b]! < d[a]!) {
    pivotSwaps++;
    b = a;
  }
  return b;
}

function reverseRange(d: Float64Array, a: number, b: number): void {
  let i = a;
  let j = b - 1;
  while (i < j) {
    swap(d, i, j);
    i++;
    j--;
  }
}
