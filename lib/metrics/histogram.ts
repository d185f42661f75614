import { normalizeBuckets } from './buckets.js';
import { MetricsError, type MetricsStage } from './errors.js';
import { type ExemplarLabels, makeExemplar } from './exemplar.js';
import { type ChildBase, type Labels, Metric, type MetricOptions } from './metric.js';
import { NativeBuckets, NativeConfig, type NativeHistogramOptions } from './native-histogram.js';
import { type Exemplar, type LabelSet, Series, type SeriesSnapshot } from './snapshot.js';
import { startTimer } from './timer.js';
import { GO_NAN, type NanKind, nanOfSum } from './go-float.js';

/** Above this many buckets a binary search beats a linear scan. */
const LINEAR_SEARCH_MAX = 24;

const NO_BOUNDS: readonly number[] = Object.freeze([]);

/** One histogram series: a count per bucket (not cumulative; summed at scrape time), sum and count. */
export class HistogramChild implements ChildBase {
  private readonly counts: Float64Array;
  private sum = 0;
  /** Which NaN `sum` is when it is one (go-float.ts). */
  private sumNanKind: NanKind = GO_NAN;
  private count = 0;
  /** Exemplar per bucket, the last slot for +Inf; allocated on the first exemplar. */
  private exemplars: (Exemplar | undefined)[] | null = null;
  readonly createdMs: number;
  /** A linear scan finds what Go's binary search finds only for sorted bounds: NaN bounds take the search. */
  private readonly linearMax: number;

  /**
   * @param bounds the family's upper bounds as a Float64Array: the public bounds array is frozen, and V8
   *   reads frozen arrays several times slower, on the hottest path there is.
   */
  constructor(
    readonly labels: LabelSet,
    private readonly bounds: Float64Array,
    private readonly metricName: string,
    /** The native buckets, or null when the family has native histograms off. */
    private readonly native: NativeBuckets | null = null,
  ) {
    this.counts = new Float64Array(bounds.length);
    this.createdMs = Date.now();
    this.linearMax = bounds.some(Number.isNaN) ? -1 : LINEAR_SEARCH_MAX;
  }

  /** Records one observation. Values on a bound fall in that bucket (`le` is inclusive). */
  observe(value: number): void {
    if (typeof value !== 'number') {
      throw new MetricsError('op', `${this.metricName}: observed value must be a number, got ${typeof value}`);
    }
    const i = this.bucketIndex(value);
    if (i < this.counts.length) this.counts[i]!++;
    const sum = this.sum + value;
    if (sum !== sum) this.sumNanKind = nanOfSum(this.sum, this.sumNanKind, value, GO_NAN);
    this.sum = sum;
    this.count++;
    const native = this.native;
    if (native !== null && value === value && native.observe(value)) this.restartWith(value, i);
  }

  /** The native bucket limit's reset: everything is forgotten except the observation that triggered it. */
  private restartWith(value: number, bucket: number): void {
    this.counts.fill(0);
    if (bucket < this.counts.length) this.counts[bucket] = 1;
    this.sum = 0;
    this.sum += value;
    this.count = 1;
    this.native!.restartWith(value);
  }

  /** Records an observation with an exemplar (e.g. `{ trace_id, span_id }`) for its bucket. */
  observeWithExemplar(value: number, exemplarLabels: ExemplarLabels): void {
    const exemplar = makeExemplar(this.metricName, value, exemplarLabels, Date.now());
    this.observe(value);
    this.exemplars ??= new Array<Exemplar | undefined>(this.bounds.length + 1).fill(undefined);
    this.exemplars[this.bucketIndex(value)] = exemplar;
  }

  /** Starts a timer; the returned function observes the elapsed seconds and returns them. */
  startTimer(): () => number {
    return startTimer((seconds) => this.observe(seconds));
  }

  /** Cumulative bucket counts, sum and count, as a scrape sees them. */
  snapshot(): SeriesSnapshot {
    const counts = this.counts;
    // A small plain array of doubles allocates several times faster than a typed array.
    const cumulative: number[] = [];
    let running = 0;
    for (let i = 0; i < counts.length; i++) {
      running += counts[i]!;
      cumulative.push(running);
    }
    const exemplars = this.exemplars === null ? null : this.exemplars.slice();
    const native = this.native === null ? null : this.native.snapshot();
    return new Series(
      this.labels,
      0,
      this.sum,
      this.count,
      cumulative,
      null,
      null,
      exemplars,
      this.createdMs,
      undefined,
      native,
      this.sumNanKind,
    );
  }

  /** The first bucket whose bound is >= value; the bucket count for NaN and values above every bound. */
  private bucketIndex(value: number): number {
    const bounds = this.bounds;
    const n = bounds.length;
    if (n <= this.linearMax) {
      let i = 0;
      while (i < n && !(bounds[i]! >= value)) i++;
      return i;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid]! >= value) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Options of a histogram: upper bounds of its buckets (default: client_golang's DefBuckets; none when native
 * buckets are on and no buckets are given), and client_golang's native histogram options.
 */
export interface HistogramOptions<L extends string = string> extends MetricOptions<L>, NativeHistogramOptions {
  readonly buckets?: readonly number[] | undefined;
}

/** Counts observations in configurable buckets, with their sum and count. */
export class Histogram<L extends string = string> extends Metric<HistogramChild, L> {
  readonly upperBounds: readonly number[];
  private readonly searchBounds: Float64Array;
  /** Native histogram settings, or null when off. */
  private readonly native: NativeConfig | null;
  /** Why children cannot be created, found once; thrown where client_golang panics. */
  private readonly childProblem: string | undefined;

  constructor(options: HistogramOptions<L>) {
    super('histogram', options);
    this.native = NativeConfig.from(options, this.name);
    // As in Go: with native buckets on, no buckets given means no classic buckets (rather than the defaults).
    const classicOff = this.native !== null && (options.buckets === undefined || options.buckets.length === 0);
    const { bounds, problem } = classicOff
      ? { bounds: NO_BOUNDS, problem: undefined }
      : normalizeBuckets(options.buckets);
    this.upperBounds = bounds;
    this.searchBounds = Float64Array.from(bounds);
    const d = this.descriptor;
    this.childProblem =
      // An invalid descriptor carries no const label pairs in client_golang: only variable names are seen.
      d.labelNames.includes('le') || (d.problem === undefined && d.constNames.includes('le'))
        ? `"le" is not allowed as label name in histograms`
        : problem;
    this.registerWith(options);
  }

  observe(value: number): void;
  observe(labels: Labels<L>, value: number): void;
  observe(a: number | Labels<L>, b?: number): void {
    if (typeof a === 'object' && a !== null) this.labels(a).observe(b as number);
    else this.unlabelled().observe(a);
  }

  observeWithExemplar(value: number, exemplarLabels: ExemplarLabels): void {
    this.unlabelled().observeWithExemplar(value, exemplarLabels);
  }

  startTimer(labels?: Labels<L>): () => number {
    return (labels === undefined ? this.unlabelled() : this.labels(labels)).startTimer();
  }

  protected newChild(labels: LabelSet): HistogramChild {
    if (this.childProblem !== undefined) {
      // client_golang creates an unlabelled histogram's series on construction, a vector's on first use.
      const stage: MetricsStage = this.labelCount === 0 ? 'construct' : 'op';
      throw new MetricsError(stage, `${this.name}: ${this.childProblem}`);
    }
    const native = this.native === null ? null : new NativeBuckets(this.native);
    return new HistogramChild(labels, this.searchBounds, this.name, native);
  }

  protected snapshot(child: HistogramChild): SeriesSnapshot {
    return child.snapshot();
  }

  protected override upperBoundsOrNull(): readonly number[] {
    return this.upperBounds;
  }
}
