/**
 * What every compat metric shares: prom-client's option checks and errors, registration by name in
 * compat registries, and its source (user collect callback, then the engine metric's snapshot).
 */
import type { Metric as EngineMetric } from '../../metrics/metric.js';
import type { FamilySnapshot } from '../../metrics/snapshot.js';
import { familyValues, type JsonMetric } from './json.js';
import { valuesOfArgs } from './labels.js';
import { Registry } from './registry.js';
import { SOURCE, type FamilySource, type Sourced } from './source.js';
import { PROMETHEUS_CONTENT_TYPE, type Aggregator, type CollectFunction } from './types.js';
import { validateLabelName, validateMetricName } from './validation.js';

export interface MetricConfiguration<T extends string> {
  name: string;
  help: string;
  labelNames?: T[] | readonly T[];
  registers?: Registry<any>[];
  aggregator?: Aggregator;
  collect?: CollectFunction<any>;
  enableExemplars?: boolean;
}

/** The engine side of a compat metric: the engine metric, with its unlabelled child reachable. */
export interface Inner<C> extends EngineMetric<any, string> {
  plainChild(): C;
}

export abstract class MetricBase<T extends string, C> implements Sourced {
  readonly name: string;
  readonly help: string;
  readonly labelNames: T[];
  readonly registers: Registry<any>[];
  readonly aggregator: Aggregator;
  readonly enableExemplars: boolean;
  collect?: CollectFunction<any>;
  abstract readonly type: string;
  /** Holds the values; created once the options are checked. */
  protected readonly inner: Inner<C>;
  readonly [SOURCE]: FamilySource;

  protected constructor(config: MetricConfiguration<T>) {
    if (config === null || typeof config !== 'object') throw new TypeError('constructor expected a config object');
    if (!config.help) throw new Error('Missing mandatory help parameter');
    if (!config.name) throw new Error('Missing mandatory name parameter');
    if (!validateMetricName(config.name)) throw new Error('Invalid metric name');
    const labelNames = config.labelNames ?? [];
    if (!Array.isArray(labelNames) || !validateLabelName(labelNames as string[])) throw new Error('Invalid label name');
    if (config.collect && typeof config.collect !== 'function') {
      throw new Error('Optional "collect" parameter must be a function');
    }
    // Checked when aggregating, as prom-client does: users may add their own to `aggregators` first.
    const aggregator = config.aggregator ?? 'sum';
    this.name = config.name;
    this.help = config.help;
    this.labelNames = [...labelNames];
    this.aggregator = aggregator;
    this.enableExemplars = config.enableExemplars === true;
    this.registers = config.registers ?? [Registry.globalRegistry];
    if (config.collect) this.collect = config.collect;
    this.checkOptions(config);
    this.inner = this.createInner(config);
    this[SOURCE] = {
      prepare: () => this.collect?.call(this),
      collect: (out: FamilySnapshot[]) => this.inner.collect(out),
    };
    for (const register of this.registers) {
      if (this.enableExemplars && register.contentType === PROMETHEUS_CONTENT_TYPE) {
        throw new TypeError('Exemplars are supported only on OpenMetrics registries');
      }
    }
    for (const register of this.registers) register.registerMetric(this);
  }

  /** Type-specific checks, before the engine metric is created. */
  protected checkOptions(_config: MetricConfiguration<T>): void {}

  protected abstract createInner(config: MetricConfiguration<T>): Inner<C>;

  /** The values as prom-client reports them (running the collect callback first). */
  async get(): Promise<any> {
    if (this.collect) {
      const v = this.collect();
      if (v instanceof Promise) await v;
    }
    const out: FamilySnapshot[] = [];
    this.inner.collect(out);
    const result: JsonMetric = {
      name: this.name,
      help: this.help,
      type: this.type,
      values: out.length === 0 ? [] : familyValues(out[0]!),
      aggregator: this.aggregator,
    };
    return result;
  }

  /** The child named by `labels(...)`'s arguments: positional values, or one object by name. */
  protected childOfArgs(args: readonly unknown[]): C {
    const values = valuesOfArgs(this.labelNames, args);
    return values.length === 0 ? this.inner.plainChild() : (this.inner.labels(...values) as C);
  }

  /** Removes the series named by `remove(...)`'s arguments. */
  protected removeArgs(args: readonly unknown[]): void {
    const values = valuesOfArgs(this.labelNames, args);
    // The one series of an unlabelled metric starts again from zero.
    if (values.length === 0) this.inner.reset();
    else this.inner.remove(...values);
  }

  /** Drops every series; an unlabelled metric starts again from zero. */
  reset(): void {
    this.inner.reset();
  }
}
