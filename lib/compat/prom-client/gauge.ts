/** prom-client's Gauge over the engine's gauge. */
import { format } from 'node:util';
import { Gauge as EngineGauge, GaugeChild } from '../../metrics/gauge.js';
import type { LabelSet } from '../../metrics/snapshot.js';
import { childOf, labelObjectOf } from './labels.js';
import { MetricBase, type Inner, type MetricConfiguration } from './metric-base.js';
import { childTimer, elapsedSince, timerStart } from './timer.js';
import type { CollectFunction, LabelValues, MetricObjectWithValues, MetricValue } from './types.js';

function checkNumber(value: unknown, what = 'Value'): void {
  if (typeof value !== 'number') throw new TypeError(`${what} is not a valid number: ${format(value)}`);
}

class PromGaugeChild extends GaugeChild {
  declare owner: Gauge<string>;

  override set(value: number): void {
    checkNumber(value);
    super.set(value);
  }
  override add(value: number): void {
    checkNumber(value, 'Delta');
    super.add(value);
  }

  /** A gauge's timer sets the elapsed seconds rather than observing them. */
  override startTimer(): (labels?: LabelValues<string>) => number {
    return childTimer(
      (s) => this.set(s),
      () => labelObjectOf(this.labels),
      { observe: (labels, seconds) => this.owner.set(labels as LabelValues<string>, seconds) },
    );
  }
}

class InnerGauge extends EngineGauge implements Inner<PromGaugeChild> {
  declare owner: Gauge<string>;

  plainChild(): PromGaugeChild {
    return this.unlabelled() as PromGaugeChild;
  }
  protected override newChild(labels: LabelSet): GaugeChild {
    const child = new PromGaugeChild(labels, this.name);
    child.owner = this.owner;
    return child;
  }
}

export interface GaugeConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: CollectFunction<Gauge<T>>;
}

export declare namespace Gauge {
  interface Internal<T extends string> {
    inc(value?: number): void;
    dec(value?: number): void;
    set(value: number): void;
    setToCurrentTime(): void;
    startTimer(): (labels?: LabelValues<T>) => number;
  }
}

export class Gauge<T extends string = string> extends MetricBase<T, PromGaugeChild> {
  readonly type = 'gauge';

  constructor(configuration: GaugeConfiguration<T>) {
    super(configuration);
  }

  protected createInner(config: MetricConfiguration<T>): InnerGauge {
    const inner = new InnerGauge({ name: config.name, help: config.help, labelNames: this.labelNames, registers: [] });
    inner.owner = this as unknown as Gauge<string>;
    // The engine made an unlabelled gauge's child in its constructor, before the owner was known.
    if (this.labelNames.length === 0) inner.plainChild().owner = inner.owner;
    return inner;
  }

  private child(labels: LabelValues<T> | undefined): PromGaugeChild {
    return labels === undefined ? this.inner.plainChild() : childOf(this.inner, this.labelNames, labels);
  }

  inc(labels: LabelValues<T>, value?: number): void;
  inc(value?: number): void;
  inc(a?: LabelValues<T> | number, b?: number): void {
    if (typeof a === 'object' && a !== null) this.child(a).inc(b ?? 1);
    else this.child(undefined).inc(a ?? 1);
  }

  dec(labels: LabelValues<T>, value?: number): void;
  dec(value?: number): void;
  dec(a?: LabelValues<T> | number, b?: number): void {
    if (typeof a === 'object' && a !== null) this.child(a).dec(b ?? 1);
    else this.child(undefined).dec(a ?? 1);
  }

  set(labels: LabelValues<T>, value: number): void;
  set(value: number): void;
  set(a: LabelValues<T> | number, b?: number): void {
    if (typeof a === 'object' && a !== null) this.child(a).set(b as number);
    else this.child(undefined).set(a);
  }

  override get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    return super.get();
  }

  setToCurrentTime(labels?: LabelValues<T>): void {
    this.child(labels).setToCurrentTime();
  }

  /** Starts a timer; `end(labels?)` sets the gauge (with the start and end labels merged) to the seconds elapsed. */
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number {
    const start = timerStart();
    return (endLabels?: LabelValues<T>) => {
      const seconds = elapsedSince(start);
      this.set(endLabels === undefined ? (labels ?? ({} as LabelValues<T>)) : { ...labels, ...endLabels }, seconds);
      return seconds;
    };
  }

  labels(...values: string[]): Gauge.Internal<T>;
  labels(labels: LabelValues<T>): Gauge.Internal<T>;
  labels(...args: unknown[]): Gauge.Internal<T> {
    return this.childOfArgs(args);
  }

  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  remove(...args: unknown[]): void {
    this.removeArgs(args);
  }
}
