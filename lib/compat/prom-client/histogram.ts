/** prom-client's Histogram over the engine's histogram. */
import { format } from 'node:util';
import { DEFAULT_BUCKETS } from '../../metrics/buckets.js';
import { Histogram as EngineHistogram, HistogramChild } from '../../metrics/histogram.js';
import type { LabelSet } from '../../metrics/snapshot.js';
import { stringRecord } from './counter.js';
import { childOf, labelObjectOf } from './labels.js';
import { MetricBase, type Inner, type MetricConfiguration } from './metric-base.js';
import { childTimer, elapsedSince, timerStart } from './timer.js';
import type {
  CollectFunction,
  LabelValues,
  MetricObjectWithValues,
  MetricValueWithName,
  ObserveDataWithExemplar,
} from './types.js';

/** prom-client's check of an observed value. */
export function checkObservation(value: unknown): void {
  if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${format(value)}`);
}

class PromHistogramChild extends HistogramChild {
  declare owner: Histogram<string>;

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

class InnerHistogram extends EngineHistogram implements Inner<PromHistogramChild> {
  declare owner: Histogram<string>;
  declare bounds64: Float64Array | undefined;

  plainChild(): PromHistogramChild {
    return this.unlabelled() as PromHistogramChild;
  }
  protected override newChild(labels: LabelSet): HistogramChild {
    // Built lazily: the first child is made inside the engine's constructor, before this class's fields exist.
    this.bounds64 ??= Float64Array.from(this.upperBounds);
    const child = new PromHistogramChild(labels, this.bounds64, this.name);
    child.owner = this.owner;
    return child;
  }
}

export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T> {
  buckets?: number[];
  collect?: CollectFunction<Histogram<T>>;
}

export declare namespace Histogram {
  interface Internal<T extends string> {
    observe(value: number): void;
    startTimer(): (labels?: LabelValues<T>) => void;
  }
  interface Config {
    buckets?: number[];
  }
}

/** prom-client's default buckets are client_golang's. */
export { DEFAULT_BUCKETS };

export class Histogram<T extends string = string> extends MetricBase<T, PromHistogramChild> {
  readonly type = 'histogram';

  constructor(configuration: HistogramConfiguration<T>) {
    super(configuration);
  }

  /** The upper bounds, as prom-client names them. */
  get upperBounds(): readonly number[] {
    return (this.inner as InnerHistogram).upperBounds;
  }

  get buckets(): readonly number[] {
    return this.upperBounds;
  }

  protected override checkOptions(config: HistogramConfiguration<T>): void {
    if (this.labelNames.includes('le' as T)) throw new Error('le is a reserved label keyword');
    if (config.buckets !== undefined && !Array.isArray(config.buckets))
      throw new TypeError('buckets must be an array of numbers');
  }

  protected createInner(config: HistogramConfiguration<T>): InnerHistogram {
    const inner = new InnerHistogram({
      name: config.name,
      help: config.help,
      labelNames: this.labelNames,
      registers: [],
      buckets: config.buckets ?? DEFAULT_BUCKETS,
    });
    inner.owner = this as unknown as Histogram<string>;
    // The engine made an unlabelled histogram's child in its constructor, before the owner was known.
    if (this.labelNames.length === 0) inner.plainChild().owner = inner.owner;
    return inner;
  }

  private child(labels: LabelValues<T> | undefined): PromHistogramChild {
    return labels === undefined ? this.inner.plainChild() : childOf(this.inner, this.labelNames, labels);
  }

  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(observeData: ObserveDataWithExemplar<T>): void;
  observe(a: number | LabelValues<T> | ObserveDataWithExemplar<T>, b?: number): void {
    if (typeof a === 'object' && a !== null) {
      if (this.enableExemplars) {
        this.observeWithExemplar(a as ObserveDataWithExemplar<T>);
        return;
      }
      // The child checks the value, with prom-client's error.
      this.child(a as LabelValues<T>).observe(b!);
      return;
    }
    this.child(undefined).observe(a);
  }

  private observeWithExemplar({ labels = {}, value, exemplarLabels }: ObserveDataWithExemplar<T>): void {
    checkObservation(value);
    const child = this.child(labels);
    if (exemplarLabels === undefined || Object.keys(exemplarLabels).length === 0) child.observe(value);
    else child.observeWithExemplar(value, stringRecord(exemplarLabels));
  }

  override get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    return super.get();
  }

  /** Starts a timer; `end(labels?, exemplarLabels?)` observes the seconds elapsed with the labels merged. */
  startTimer(
    labels?: LabelValues<T>,
    exemplarLabels?: LabelValues<T>,
  ): (labels?: LabelValues<T>, exemplarLabels?: LabelValues<T>) => number {
    const start = timerStart();
    return (endLabels?: LabelValues<T>, endExemplarLabels?: LabelValues<T>) => {
      const value = elapsedSince(start);
      const merged = { ...labels, ...endLabels } as LabelValues<T>;
      if (this.enableExemplars)
        this.observe({ labels: merged, value, exemplarLabels: { ...exemplarLabels, ...endExemplarLabels } });
      else this.observe(merged, value);
      return value;
    };
  }

  /** Creates the series for these labels with every bucket at zero. */
  zero(labels: LabelValues<T>): void {
    this.child(labels);
  }

  labels(...values: string[]): Histogram.Internal<T>;
  labels(labels: LabelValues<T>): Histogram.Internal<T>;
  labels(...args: unknown[]): Histogram.Internal<T> {
    return this.childOfArgs(args);
  }

  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  remove(...args: unknown[]): void {
    this.removeArgs(args);
  }
}
