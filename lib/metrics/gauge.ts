import { MetricsError } from './errors.js';
import { type ChildBase, type Labels, Metric, type MetricOptions } from './metric.js';
import { type LabelSet, Series, type SeriesSnapshot } from './snapshot.js';
import { startTimer } from './timer.js';
import { GO_NAN, NEGATED_GO_NAN, type NanKind, nanOfSum } from './go-float.js';

/** One gauge series: a value that goes up and down. */
export class GaugeChild implements ChildBase {
  private value = 0;
  /** Which NaN `value` is when it is one (go-float.ts); written by this class only. */
  nanKind: NanKind = GO_NAN;

  constructor(
    readonly labels: LabelSet,
    private readonly metricName: string,
  ) {}

  set(value: number): void {
    if (typeof value !== 'number') this.refuse(value);
    this.value = value;
    if (value !== value) this.nanKind = GO_NAN;
  }

  /** Adds 1, or `value`. */
  inc(value?: number): void {
    this.add(value === undefined ? 1 : value);
  }

  /** Subtracts 1, or `value`. */
  dec(value?: number): void {
    if (value === undefined) this.add(-1);
    else this.sub(value);
  }

  add(value: number): void {
    if (typeof value !== 'number') this.refuse(value);
    const sum = this.value + value;
    if (sum !== sum) this.nanKind = nanOfSum(this.value, this.nanKind, value, GO_NAN);
    this.value = sum;
  }

  /** As Go's `Add(-value)`: the same sum, and a NaN argument negated. */
  sub(value: number): void {
    if (typeof value !== 'number') this.refuse(value);
    const sum = this.value - value;
    if (sum !== sum) this.nanKind = nanOfSum(this.value, this.nanKind, value, NEGATED_GO_NAN);
    this.value = sum;
  }

  /** Sets the gauge to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.value = Date.now() / 1000;
  }

  /** Starts a timer; calling the returned function sets the gauge to the elapsed seconds and returns them. */
  startTimer(): () => number {
    return startTimer((seconds) => (this.value = seconds));
  }

  get(): number {
    return this.value;
  }

  private refuse(value: unknown): never {
    throw new MetricsError('op', `${this.metricName}: gauge value must be a number, got ${typeof value}`);
  }
}

/** A value that can go up and down: temperatures, queue sizes, in-flight requests. */
export class Gauge<L extends string = string> extends Metric<GaugeChild, L> {
  constructor(options: MetricOptions<L>) {
    super('gauge', options);
    this.registerWith(options);
  }

  set(value: number): void;
  set(labels: Labels<L>, value: number): void;
  set(a: number | Labels<L>, b?: number): void {
    if (typeof a === 'object' && a !== null) this.labels(a).set(b as number);
    else this.unlabelled().set(a);
  }

  inc(value?: number): void;
  inc(labels: Labels<L>, value?: number): void;
  inc(a?: number | Labels<L>, b?: number): void {
    if (typeof a === 'object' && a !== null) this.labels(a).inc(b);
    else this.unlabelled().inc(a);
  }

  dec(value?: number): void;
  dec(labels: Labels<L>, value?: number): void;
  dec(a?: number | Labels<L>, b?: number): void {
    if (typeof a === 'object' && a !== null) this.labels(a).dec(b);
    else this.unlabelled().dec(a);
  }

  add(value: number): void {
    this.unlabelled().add(value);
  }

  sub(value: number): void {
    this.unlabelled().sub(value);
  }

  setToCurrentTime(labels?: Labels<L>): void {
    (labels === undefined ? this.unlabelled() : this.labels(labels)).setToCurrentTime();
  }

  startTimer(labels?: Labels<L>): () => number {
    return (labels === undefined ? this.unlabelled() : this.labels(labels)).startTimer();
  }

  get(): number {
    return this.unlabelled().get();
  }

  protected newChild(labels: LabelSet): GaugeChild {
    return new GaugeChild(labels, this.name);
  }

  protected snapshot(child: GaugeChild): SeriesSnapshot {
    return new Series(
      child.labels,
      child.get(),
      0,
      0,
      null,
      null,
      null,
      null,
      undefined,
      undefined,
      null,
      child.nanKind,
    );
  }
}
