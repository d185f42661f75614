import { MetricsError, type MetricsStage } from './errors.js';
import { type ChildBase, type Labels, Metric, type MetricOptions } from './metric.js';
import { type LabelSet, Series, type SeriesSnapshot } from './snapshot.js';
import { SummaryWindow } from './summary-window.js';
import { startTimer } from './timer.js';
import { GO_NAN, type NanKind, nanOfSum } from './go-float.js';

/** client_golang's defaults for the sliding window of a summary's quantiles. */
export const DEFAULT_MAX_AGE_SECONDS = 600;
export const DEFAULT_AGE_BUCKETS = 5;
export const DEFAULT_BUF_CAP = 500;

/** One summary series: sum and count, plus streaming quantiles over a sliding window when objectives are set. */
export class SummaryChild implements ChildBase {
  private sum = 0;
  /** Which NaN `sum` is when it is one (go-float.ts); the window keeps its own. */
  private sumNanKind: NanKind = GO_NAN;
  private count = 0;
  private readonly window: SummaryWindow | null;
  readonly createdMs: number;

  constructor(
    readonly labels: LabelSet,
    private readonly metric: Summary<string>,
  ) {
    this.window = metric.objectives.length === 0 ? null : metric.newWindow();
    this.createdMs = Date.now();
  }

  /** Records one observation. */
  observe(value: number): void {
    if (typeof value !== 'number') {
      throw new MetricsError('op', `${this.metric.name}: observed value must be a number, got ${typeof value}`);
    }
    if (this.window !== null) {
      this.window.observe(value);
    } else {
      const sum = this.sum + value;
      if (sum !== sum) this.sumNanKind = nanOfSum(this.sum, this.sumNanKind, value, GO_NAN);
      this.sum = sum;
      this.count++;
    }
  }

  /** Starts a timer; the returned function observes the elapsed seconds and returns them. */
  startTimer(): () => number {
    return startTimer((seconds) => this.observe(seconds));
  }

  snapshot(): SeriesSnapshot {
    if (this.window === null) {
      return new Series(
        this.labels,
        0,
        this.sum,
        this.count,
        null,
        null,
        null,
        null,
        this.createdMs,
        undefined,
        null,
        this.sumNanKind,
      );
    }
    const quantiles = new Float64Array(this.metric.objectives.length);
    const { sum, count, sumNanKind } = this.window.collect(quantiles);
    return new Series(
      this.labels,
      0,
      sum,
      count,
      null,
      quantiles,
      null,
      null,
      this.createdMs,
      undefined,
      null,
      sumNanKind,
    );
  }
}

/** Options of a summary, as client_golang's SummaryOpts. */
export interface SummaryOptions<L extends string = string> extends MetricOptions<L> {
  /** Quantile rank -> allowed absolute error, e.g. `{ 0.5: 0.05, 0.99: 0.001 }`. None: only sum and count. */
  readonly objectives?: Readonly<Record<string, number>> | ReadonlyMap<number, number> | undefined;
  /** How long observations count towards quantiles (default 600 s). */
  readonly maxAgeSeconds?: number;
  /** How many buckets the window rotates through (default 5). */
  readonly ageBuckets?: number;
  /** Observations buffered before they are merged into the streams (default 500). */
  readonly bufCap?: number;
}

/** Observations summarised as sum, count and streaming quantiles (client_golang's targeted-quantile summary). */
export class Summary<L extends string = string> extends Metric<SummaryChild, L> {
  /** Sorted objectives: [rank, allowed error]. */
  readonly objectives: ReadonlyArray<readonly [number, number]>;
  readonly quantileRanks: readonly number[];
  private readonly maxAgeMs: number;
  private readonly ageBuckets: number;
  private readonly bufCap: number;
  private readonly childProblem: string | undefined;

  constructor(options: SummaryOptions<L>) {
    super('summary', options);
    const d = this.descriptor;
    if (d.labelNames.includes('quantile')) {
      throw new MetricsError('construct', `${this.name}: "quantile" is not allowed as label name in summaries`);
    }
    this.objectives = parseObjectives(this.name, options.objectives);
    this.quantileRanks = Object.freeze(this.objectives.map(([rank]) => rank));
    const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    this.maxAgeMs = (maxAgeSeconds === 0 ? DEFAULT_MAX_AGE_SECONDS : maxAgeSeconds) * 1000;
    this.ageBuckets = options.ageBuckets || DEFAULT_AGE_BUCKETS;
    this.bufCap = options.bufCap || DEFAULT_BUF_CAP;
    // An invalid descriptor carries no const label pairs in client_golang, so the reserved-name check
    // cannot see them: the descriptor's own problem is reported at register instead.
    this.childProblem =
      d.problem === undefined && d.constNames.includes('quantile')
        ? `"quantile" is not allowed as label name in summaries`
        : !(maxAgeSeconds >= 0)
          ? `illegal max age maxAgeSeconds=${maxAgeSeconds}`
          : !(Number.isInteger(this.ageBuckets) && this.ageBuckets > 0)
            ? `ageBuckets must be a positive integer, got ${options.ageBuckets}`
            : !(Number.isInteger(this.bufCap) && this.bufCap > 0)
              ? `bufCap must be a positive integer, got ${options.bufCap}`
              : undefined;
    this.registerWith(options);
  }

  observe(value: number): void;
  observe(labels: Labels<L>, value: number): void;
  observe(a: number | Labels<L>, b?: number): void {
    if (typeof a === 'object' && a !== null) this.labels(a).observe(b as number);
    else this.unlabelled().observe(a);
  }

  startTimer(labels?: Labels<L>): () => number {
    return (labels === undefined ? this.unlabelled() : this.labels(labels)).startTimer();
  }

  /** A fresh quantile window with this summary's settings (one per child). */
  newWindow(): SummaryWindow {
    return new SummaryWindow(this.objectives, {
      maxAgeMs: this.maxAgeMs,
      ageBuckets: this.ageBuckets,
      bufCap: this.bufCap,
    });
  }

  protected newChild(labels: LabelSet): SummaryChild {
    if (this.childProblem !== undefined) {
      // client_golang creates an unlabelled summary's series on construction, a vector's on first use.
      const stage: MetricsStage = this.labelCount === 0 ? 'construct' : 'op';
      throw new MetricsError(stage, `${this.name}: ${this.childProblem}`);
    }
    return new SummaryChild(labels, this as unknown as Summary<string>);
  }

  protected snapshot(child: SummaryChild): SeriesSnapshot {
    return child.snapshot();
  }

  protected override quantileRanksOrNull(): readonly number[] | null {
    return this.quantileRanks.length === 0 ? null : this.quantileRanks;
  }
}

function parseObjectives(
  name: string,
  objectives: SummaryOptions['objectives'],
): ReadonlyArray<readonly [number, number]> {
  if (objectives === undefined) return [];
  const entries: [number, number][] =
    objectives instanceof Map
      ? [...objectives.entries()]
      : Object.entries(objectives as Record<string, number>).map(([k, v]) => [Number(k), v]);
  for (const [rank, error] of entries) {
    if (!(rank >= 0 && rank <= 1)) {
      throw new MetricsError('construct', `${name}: objective rank ${rank} is not within [0, 1]`);
    }
    // Any error is accepted, as client_golang does: the targeted invariant just grows or shrinks with it.
    if (typeof error !== 'number') {
      throw new MetricsError(
        'construct',
        `${name}: objective error for rank ${rank} must be a number, got ${typeof error}`,
      );
    }
  }
  entries.sort((a, b) => a[0] - b[0]);
  return Object.freeze(entries.map((e) => Object.freeze(e)));
}
