import { MetricsError } from './errors.js';
import { type ExemplarLabels, makeExemplar } from './exemplar.js';
import { type ChildBase, type Labels, Metric, type MetricOptions } from './metric.js';
import { type Exemplar, type LabelSet, Series, type SeriesSnapshot } from './snapshot.js';

const TWO_TO_64 = 18446744073709551616;
const UINT64_MASK = (1n << 64n) - 1n;

/**
 * One counter series. Like client_golang, integral additions are summed apart from fractional ones and
 * the two are added at scrape time, so `inc()` stays exact however large the count grows. The integral
 * part is a uint64 in Go (wrapping at 2^64): a plain number while it is below 2^53, a bigint beyond.
 */
export class CounterChild implements ChildBase {
  /** Exact integral sum while below 2^53; Infinity once `wide` holds it. */
  private integral = 0;
  private wide = 0n;
  private fractional = 0;
  /** The latest exemplar, if any was recorded. */
  exemplar: Exemplar | null = null;
  readonly createdMs: number;

  constructor(
    readonly labels: LabelSet,
    private readonly metricName: string,
  ) {
    this.createdMs = Date.now();
  }

  /** Adds 1, or `value` (which must not be negative). */
  inc(value?: number): void {
    if (value === undefined && this.integral < Number.MAX_SAFE_INTEGER) this.integral++;
    else this.add(value ?? 1);
  }

  /** Adds a non-negative value; a negative one throws and changes nothing. */
  add(value: number): void {
    if (typeof value === 'number' && value >= 0) {
      if (value < TWO_TO_64 && Number.isInteger(value)) {
        const sum = this.integral + value;
        if (sum <= Number.MAX_SAFE_INTEGER) this.integral = sum;
        else this.addWide(value);
      } else {
        // No NaN kind to keep (go-float.ts): nothing negative is added, so no Inf + -Inf; a NaN is math.NaN().
        this.fractional += value;
      }
      return;
    }
    this.refuse(value);
    // NaN passes client_golang's check and poisons the float part; so it does here.
    this.fractional += value;
  }

  /** Adds a value and records an exemplar (e.g. `{ trace_id, span_id }`) for it. */
  addWithExemplar(value: number, exemplarLabels: ExemplarLabels): void {
    const exemplar = makeExemplar(this.metricName, value, exemplarLabels, Date.now());
    this.add(value);
    this.exemplar = exemplar;
  }

  /** The current value. */
  get(): number {
    const integral = this.integral === Infinity ? Number(this.wide) : this.integral;
    return this.fractional + integral;
  }

  /** Integral sums past 2^53 are kept exactly, wrapping at 2^64 as Go's uint64 does. */
  private addWide(value: number): void {
    if (this.integral !== Infinity) this.wide = BigInt(this.integral);
    this.integral = Infinity;
    this.wide = (this.wide + BigInt(value)) & UINT64_MASK;
  }

  private refuse(value: unknown): void {
    if (typeof value !== 'number') {
      throw new MetricsError('op', `${this.metricName}: counter value must be a number, got ${typeof value}`);
    }
    if (value < 0) {
      throw new MetricsError('op', `${this.metricName}: counter cannot decrease in value (add ${value})`);
    }
  }
}

/** A monotonically increasing value: requests served, bytes sent. */
export class Counter<L extends string = string> extends Metric<CounterChild, L> {
  constructor(options: MetricOptions<L>) {
    super('counter', options);
    this.registerWith(options);
  }

  /** Adds 1 or `value` to the unlabelled counter, or to the series named by `labels`. */
  inc(value?: number): void;
  inc(labels: Labels<L>, value?: number): void;
  inc(a?: number | Labels<L>, b?: number): void {
    if (typeof a === 'object' && a !== null) this.labels(a).inc(b);
    else this.unlabelled().inc(a);
  }

  /** Same as `inc(value)`, client_golang's name for it. */
  add(value: number): void {
    this.unlabelled().add(value);
  }

  addWithExemplar(value: number, exemplarLabels: ExemplarLabels): void {
    this.unlabelled().addWithExemplar(value, exemplarLabels);
  }

  /** The unlabelled counter's value. */
  get(): number {
    return this.unlabelled().get();
  }

  protected newChild(labels: LabelSet): CounterChild {
    return new CounterChild(labels, this.name);
  }

  protected snapshot(child: CounterChild): SeriesSnapshot {
    return new Series(child.labels, child.get(), 0, 0, null, null, child.exemplar, null, child.createdMs, undefined);
  }
}
