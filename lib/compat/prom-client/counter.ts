/** prom-client's Counter over the engine's counter. */
import { format } from 'node:util';
import { Counter as EngineCounter, CounterChild } from '../../metrics/counter.js';
import type { LabelSet } from '../../metrics/snapshot.js';
import { childOf } from './labels.js';
import { MetricBase, type Inner, type MetricConfiguration } from './metric-base.js';
import type {
  CollectFunction,
  IncreaseDataWithExemplar,
  LabelValues,
  MetricObjectWithValues,
  MetricValue,
} from './types.js';

/** prom-client's checks of an increment, with its errors. */
function checkIncrement(value: unknown): void {
  if (value && !Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${format(value)}`);
  if ((value as number) < 0) throw new Error('It is not possible to decrease a counter');
}

class PromCounterChild extends CounterChild {
  override inc(value?: number): void {
    if (value !== undefined) checkIncrement(value);
    super.inc(value === null ? undefined : value);
  }
}

class InnerCounter extends EngineCounter implements Inner<PromCounterChild> {
  plainChild(): PromCounterChild {
    return this.unlabelled() as PromCounterChild;
  }
  protected override newChild(labels: LabelSet): CounterChild {
    return new PromCounterChild(labels, this.name);
  }
}

export interface CounterConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: CollectFunction<Counter<T>>;
}

export declare namespace Counter {
  interface Internal {
    inc(value?: number): void;
  }
}

export class Counter<T extends string = string> extends MetricBase<T, PromCounterChild> {
  readonly type = 'counter';

  constructor(configuration: CounterConfiguration<T>) {
    super(configuration);
  }

  protected createInner(config: MetricConfiguration<T>): InnerCounter {
    return new InnerCounter({ name: config.name, help: config.help, labelNames: this.labelNames, registers: [] });
  }

  inc(labels: LabelValues<T>, value?: number): void;
  inc(value?: number): void;
  inc(incData: IncreaseDataWithExemplar<T>): void;
  inc(a?: LabelValues<T> | number | IncreaseDataWithExemplar<T>, b?: number): void {
    if (typeof a === 'object' && a !== null) {
      if (this.enableExemplars) {
        this.incWithExemplar(a as IncreaseDataWithExemplar<T>);
        return;
      }
      // The child checks the value (null counts as none), with prom-client's errors.
      childOf(this.inner, this.labelNames, a as LabelValues<T>).inc(b);
      return;
    }
    this.child(undefined).inc(a);
  }

  private incWithExemplar({ labels = {}, value = 1, exemplarLabels }: IncreaseDataWithExemplar<T>): void {
    checkIncrement(value);
    const child = this.child(labels);
    if (exemplarLabels === undefined || Object.keys(exemplarLabels).length === 0) child.inc(value);
    else child.addWithExemplar(value, stringRecord(exemplarLabels));
  }

  private child(labels: LabelValues<T> | undefined): PromCounterChild {
    return labels === undefined ? this.inner.plainChild() : childOf(this.inner, this.labelNames, labels);
  }

  override get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    return super.get();
  }

  labels(...values: string[]): Counter.Internal;
  labels(labels: LabelValues<T>): Counter.Internal;
  labels(...args: unknown[]): Counter.Internal {
    return this.childOfArgs(args);
  }

  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  remove(...args: unknown[]): void {
    this.removeArgs(args);
  }
}

/** Exemplar label values as strings (prom-client takes numbers too). */
export function stringRecord(labels: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (v !== undefined) out[k] = String(v);
  return out;
}
