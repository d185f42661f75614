import type { Collector } from './collector.js';
import { compareLabelValues } from './compare.js';
import { Descriptor } from './descriptor.js';
import { MetricsError } from './errors.js';
import { defaultRegistry, type Registry } from './registry.js';
import type { FamilySnapshot, LabelSet, MetricType, SeriesSnapshot } from './snapshot.js';
import { checkLabelValues } from './validate.js';

/** A label value as users pass it; numbers and booleans are turned into their string form. */
export type LabelValue = string | number | boolean;
/** Label values by name, as prom-client users write them. */
export type Labels<L extends string> = { readonly [K in L]?: LabelValue };

/** Options shared by every metric kind. */
export interface MetricOptions<L extends string = string> {
  /** Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  readonly name: string;
  /** Help text (may be empty). */
  readonly help: string;
  /** Variable label names, in the order `labels(...)` takes values. */
  readonly labelNames?: readonly L[];
  /** Labels with fixed values on every series. */
  readonly constLabels?: Readonly<Record<string, string>>;
  /** Registries to register with on construction; defaults to the default registry. `[]` registers nowhere. */
  readonly registers?: readonly Registry[];
  /** OpenMetrics unit (e.g. `seconds`); the name must end with `_<unit>` (before `_total` for counters). */
  readonly unit?: string;
  /**
   * Called before every scrape so the metric can update its values (prom-client's `collect`).
   * May return a promise; registries' async collection awaits it.
   */
  readonly collect?: (this: never) => void | Promise<void>;
  /**
   * Most series this metric may hold. Past it, a new label value combination gets a child that records
   * into nothing, and the refusal is counted in `zerotel_metric_series_dropped_total{metric}` on every
   * registry the metric is registered with: memory stays bounded whatever values arrive.
   */
  readonly maxSeries?: number;
}

/** The part of every child the family needs: its sorted label set. */
export interface ChildBase {
  readonly labels: LabelSet;
}

type Index = Map<string, unknown>;

/**
 * A metric family: the descriptor plus its children, one per label value combination.
 * `labels(...)` returns a cached child; an unlabelled metric has exactly one child, created up front.
 */
export abstract class Metric<Child extends ChildBase, L extends string = string> implements Collector {
  readonly descriptor: Descriptor;
  readonly trusted = true;
  readonly unit: string;
  protected readonly labelCount: number;
  /** Nested maps, one level per label value, leading to the child: lookups build no key strings. */
  private index: Index = new Map();
  private children: Child[] = [];
  private sortedChildren: Child[] | null = null;
  /** The single child of an unlabelled metric. */
  protected plain: Child | undefined = undefined;
  private readonly collectCallback: (() => void | Promise<void>) | undefined;
  /** The series limit, or Infinity. */
  readonly maxSeries: number;
  /** How many new label value combinations were refused by the series limit. */
  droppedSeries = 0;
  /** The child handed out once the limit is reached: it records, but is never exported. */
  private overflow: Child | undefined = undefined;

  protected constructor(
    readonly type: MetricType,
    options: MetricOptions<L>,
  ) {
    if (options === null || typeof options !== 'object') {
      throw new MetricsError('construct', `metric options must be an object, got ${String(options)}`);
    }
    const { name, help, labelNames = [], constLabels = {}, unit = '', collect, maxSeries = Infinity } = options;
    if (typeof name !== 'string')
      throw new MetricsError('construct', `metric name must be a string, got ${String(name)}`);
    if (!Array.isArray(labelNames)) {
      throw new MetricsError('construct', `${name}: labelNames must be an array of strings`);
    }
    if (constLabels === null || typeof constLabels !== 'object') {
      throw new MetricsError('construct', `${name}: constLabels must be an object of strings`);
    }
    if (collect !== undefined && typeof collect !== 'function') {
      throw new MetricsError('construct', `${name}: collect must be a function`);
    }
    checkUnit(type, name, unit);
    if (!(typeof maxSeries === 'number' && maxSeries >= 1 && (Number.isInteger(maxSeries) || maxSeries === Infinity))) {
      throw new MetricsError('construct', `${name}: maxSeries must be a positive integer, got ${String(maxSeries)}`);
    }
    this.maxSeries = maxSeries;
    this.descriptor = new Descriptor(name, help, [...labelNames], { ...constLabels });
    this.labelCount = labelNames.length;
    this.unit = unit;
    this.collectCallback = collect === undefined ? undefined : (collect as () => void).bind(this as never);
  }

  /** Registers with the registries named in the options (the default registry when none are named). */
  protected registerWith(options: MetricOptions<L>): void {
    if (this.labelCount === 0) this.plain = this.createChild([]);
    for (const registry of options.registers ?? [defaultRegistry]) registry.register(this);
  }

  get name(): string {
    return this.descriptor.name;
  }

  get help(): string {
    return this.descriptor.help;
  }

  /**
   * The child for these label values (positional, in `labelNames` order, or one object by name).
   * Created on first use, then cached: keep the returned child to skip even the lookup.
   */
  labels(...values: LabelValue[]): Child;
  labels(values: Labels<L>): Child;
  labels(...args: unknown[]): Child {
    const first = args[0];
    if (args.length === 1 && first !== null && typeof first === 'object') {
      return this.childFor(this.valuesOf(first as Labels<L>));
    }
    return this.childFor(args);
  }

  /** Removes the child with these label values; true when it existed. */
  remove(...values: LabelValue[]): boolean;
  remove(values: Labels<L>): boolean;
  remove(...args: unknown[]): boolean {
    const values =
      args.length === 1 && args[0] !== null && typeof args[0] === 'object'
        ? this.valuesOf(args[0] as Labels<L>)
        : args.map(String);
    const problem = checkLabelValues(this.labelCount, values);
    if (problem !== undefined) throw new MetricsError('op', `${this.name}: ${problem}`);
    const child = this.lookup(values as string[]);
    if (child === undefined) return false;
    let node = this.index;
    for (let i = 0; i < values.length - 1; i++) node = node.get(values[i] as string) as Index;
    node.delete(values[values.length - 1] as string);
    this.children.splice(this.children.indexOf(child), 1);
    this.sortedChildren = null;
    return true;
  }

  /** Drops every child; an unlabelled metric starts again from zero. */
  reset(): void {
    this.index = new Map();
    this.children = [];
    this.sortedChildren = null;
    this.overflow = undefined;
    if (this.labelCount === 0) this.plain = this.createChild([]);
  }

  describe(): readonly Descriptor[] {
    return [this.descriptor];
  }

  prepare(): void | Promise<void> {
    return this.collectCallback?.();
  }

  collect(out: FamilySnapshot[]): void {
    const children = this.sorted();
    if (children.length === 0) return;
    // Pushed, not preallocated: a large `new Array(n)` starts out in slow dictionary mode.
    const series: SeriesSnapshot[] = [];
    for (let i = 0; i < children.length; i++) series.push(this.snapshot(children[i]!));
    out.push({
      name: this.descriptor.name,
      help: this.descriptor.help,
      type: this.type,
      unit: this.unit,
      upperBounds: this.upperBoundsOrNull(),
      quantileRanks: this.quantileRanksOrNull(),
      series,
    });
  }

  /** The plain child, or a clear error when the metric has labels. */
  protected unlabelled(): Child {
    const plain = this.plain;
    if (plain !== undefined) return plain;
    throw new MetricsError(
      'op',
      `${this.name} has labels [${this.descriptor.labelNames.join(', ')}]: use labels(...) to pick a series`,
    );
  }

  protected abstract newChild(labels: LabelSet): Child;
  protected abstract snapshot(child: Child): SeriesSnapshot;
  protected upperBoundsOrNull(): readonly number[] | null {
    return null;
  }
  protected quantileRanksOrNull(): readonly number[] | null {
    return null;
  }

  /** Children sorted as client_golang sorts series; re-sorted only after children come or go. */
  private sorted(): Child[] {
    let sorted = this.sortedChildren;
    if (sorted === null) {
      sorted = this.children.slice();
      sorted.sort((a, b) => compareLabelValues(a.labels.values, b.labels.values));
      this.sortedChildren = sorted;
    }
    return sorted;
  }

  private childFor(values: readonly unknown[]): Child {
    const n = this.labelCount;
    if (values.length === n && n > 0) {
      let node: Index = this.index;
      for (let i = 0; i < n - 1; i++) {
        node = node.get(values[i] as string) as Index;
        if (node === undefined) return this.createChild(values);
      }
      const child = node.get(values[n - 1] as string) as Child | undefined;
      if (child !== undefined) return child;
    }
    return this.createChild(values);
  }

  private lookup(values: readonly string[]): Child | undefined {
    let node: unknown = this.index;
    for (const value of values) {
      if (node === undefined) return undefined;
      node = (node as Index).get(value);
    }
    return node as Child | undefined;
  }

  /** Slow path: normalise and validate the values, then find or create the child. */
  private createChild(raw: readonly unknown[]): Child {
    const values = raw.map(stringifyLabelValue);
    const problem = checkLabelValues(this.labelCount, values);
    if (problem !== undefined) throw new MetricsError('op', `${this.name}: ${problem}`);
    if (values.length > 0) {
      const existing = this.lookup(values as string[]);
      if (existing !== undefined) return existing;
    }
    if (this.children.length >= this.maxSeries) {
      this.droppedSeries++;
      return (this.overflow ??= this.newChild(this.descriptor.labelSet(values as string[])));
    }
    const child = this.newChild(this.descriptor.labelSet(values as string[]));
    if (values.length > 0) {
      let node = this.index;
      for (let i = 0; i < values.length - 1; i++) {
        let next = node.get(values[i] as string) as Index | undefined;
        if (next === undefined) {
          next = new Map();
          node.set(values[i] as string, next);
        }
        node = next;
      }
      node.set(values[values.length - 1] as string, child);
    }
    this.children.push(child);
    this.sortedChildren = null;
    return child;
  }

  /** Label values by name to declaration order; every name must be given, and no other. */
  private valuesOf(labels: Labels<L>): unknown[] {
    const names = this.descriptor.labelNames;
    let given = 0;
    for (const key in labels) if (Object.hasOwn(labels, key)) given++;
    if (given !== names.length) {
      throw new MetricsError(
        'op',
        `${this.name}: inconsistent label cardinality: expected ${names.length} label values but got ${given} in ${JSON.stringify(labels)}`,
      );
    }
    const values = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (!Object.hasOwn(labels, name)) {
        throw new MetricsError('op', `${this.name}: label name ${JSON.stringify(name)} missing in label map`);
      }
      values[i] = (labels as Record<string, unknown>)[name];
    }
    return values;
  }
}

function stringifyLabelValue(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function checkUnit(type: MetricType, name: string, unit: string): void {
  if (unit === '') return;
  if (typeof unit !== 'string' || !/^[a-zA-Z0-9_:]+$/.test(unit)) {
    throw new MetricsError('construct', `${name}: unit ${JSON.stringify(unit)} is not a valid unit`);
  }
  const base = type === 'counter' && name.endsWith('_total') ? name.slice(0, -6) : name;
  if (!base.endsWith('_' + unit)) {
    throw new MetricsError('construct', `${name}: a metric with unit ${JSON.stringify(unit)} must be named *_${unit}`);
  }
}
