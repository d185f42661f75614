/**
 * prom-client's Summary over the engine's summary. Quantiles come from client_golang's targeted-quantile
 * stream, not prom-client's t-digest: each percentile gets an allowed error of a tenth of its distance to
 * the nearer end (0.5 +/- 0.05, 0.9 +/- 0.01, 0.99 +/- 0.001), the objectives Go programs commonly use.
 */
import { Summary as EngineSummary, SummaryChild } from '../../metrics/summary.js';
import type { LabelSet } from '../../metrics/snapshot.js';
import { checkObservation } from './histogram.js';
import { childOf, labelObjectOf } from './labels.js';
import { MetricBase, type Inner, type MetricConfiguration } from './metric-base.js';
import { childTimer, elapsedSince, timerStart } from './timer.js';
import type { CollectFunction, LabelValues, MetricObjectWithValues, MetricValueWithName } from './types.js';

export const DEFAULT_PERCENTILES: readonly number[] = [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999];

/** Without maxAgeSeconds prom-client keeps every observation: a window longer than any process lives. */
const FOREVER_SECONDS = 1e9;

class PromSummaryChild extends SummaryChild {
  declare owner: Summary<string>;

  override observe(value: number): void {
    checkObservation(value);
    super.observe(value);
  }

  override startTimer(): (labels?: LabelValues<string>) => number {
    return childTimer(
      (s) => this.observe(s),
      () => labelObjectOf(this.labels),
      this.owner,
    );
  }
}

class InnerSummary extends EngineSummary implements Inner<PromSummaryChild> {
  declare owner: Summary<string>;

  plainChild(): PromSummaryChild {
    return this.unlabelled() as PromSummaryChild;
  }
  protected override newChild(labels: LabelSet): SummaryChild {
    const child = new PromSummaryChild(labels, this as unknown as EngineSummary<string>);
    child.owner = this.owner;
    return child;
  }
}

export interface SummaryConfiguration<T extends string> extends MetricConfiguration<T> {
  percentiles?: number[];
  maxAgeSeconds?: number;
  ageBuckets?: number;
  /** Accepted for compatibility: the engine's window drops aged buckets as it rotates. */
  pruneAgedBuckets?: boolean;
  /** Accepted for compatibility: the quantile stream compresses as client_golang's does. */
  compressCount?: number;
  collect?: CollectFunction<Summary<T>>;
}

export declare namespace Summary {
  interface Internal<T extends string> {
    observe(value: number): void;
    startTimer(): (labels?: LabelValues<T>) => number;
  }
  interface Config {
    percentiles?: number[];
  }
}

/** The allowed error of a percentile: a tenth of its distance to 0 or 1, whichever is nearer. */
export function objectiveError(rank: number): number {
  return Math.min(rank, 1 - rank) / 10;
}

export class Summary<T extends string = string> extends MetricBase<T, PromSummaryChild> {
  readonly type = 'summary';

  constructor(configuration: SummaryConfiguration<T>) {
    super(configuration);
  }

  protected override checkOptions(config: SummaryConfiguration<T>): void {
    if (this.labelNames.includes('quantile' as T)) throw new Error('quantile is a reserved label keyword');
    const percentiles = config.percentiles ?? DEFAULT_PERCENTILES;
    if (!Array.isArray(percentiles) || percentiles.some((p) => !(typeof p === 'number' && p >= 0 && p <= 1))) {
      throw new TypeError(`percentiles must be numbers within [0, 1], got ${JSON.stringify(config.percentiles)}`);
    }
  }

  protected createInner(config: SummaryConfiguration<T>): InnerSummary {
    const objectives = new Map<number, number>();
    for (const p of config.percentiles ?? DEFAULT_PERCENTILES) objectives.set(p, objectiveError(p));
    const inner = new InnerSummary({
      name: config.name,
      help: config.help,
      labelNames: this.labelNames,
      registers: [],
      objectives,
      maxAgeSeconds: config.maxAgeSeconds ?? FOREVER_SECONDS,
      ...(config.ageBuckets === undefined ? {} : { ageBuckets: config.ageBuckets }),
    });
    inner.owner = this as unknown as Summary<string>;
    if (this.labelNames.length === 0) inner.plainChild().owner = inner.owner;
    return inner;
  }

  private child(labels: LabelValues<T> | undefined): PromSummaryChild {
    return labels === undefined ? this.inner.plainChild() : childOf(this.inner, this.labelNames, labels);
  }

  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(a: number | LabelValues<T>, b?: number): void {
    // The child checks the value, with prom-client's error.
    if (typeof a === 'object' && a !== null) this.child(a).observe(b!);
    else this.child(undefined).observe(a);
  }

  override get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    return super.get();
  }

  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number {
    const start = timerStart();
    return (endLabels?: LabelValues<T>) => {
      const value = elapsedSince(start);
      this.observe({ ...labels, ...endLabels } as LabelValues<T>, value);
      return value;
    };
  }

  labels(...values: string[]): Summary.Internal<T>;
  labels(labels: LabelValues<T>): Summary.Internal<T>;
  labels(...args: unknown[]): Summary.Internal<T> {
    return this.childOfArgs(args);
  }

  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  remove(...args: unknown[]): void {
    this.removeArgs(args);
  }
}
