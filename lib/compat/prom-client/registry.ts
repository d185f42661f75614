/**
 * prom-client's Registry over the engine: metrics are kept by name as prom-client keeps them, but a
 * scrape gathers engine snapshots from each metric's source, sorts them as client_golang does, and hands
 * them to the engine's writers. Default labels are merged into cached label sets, not re-formatted per scrape.
 */
import { compareUtf8 } from '../../metrics/compare.js';
import { LabelSet, Series, type FamilySnapshot, type SeriesSnapshot } from '../../metrics/snapshot.js';
import { encodeOpenMetrics } from '../../exposition/openmetrics.js';
import { encodeText } from '../../exposition/text.js';
import { familyFromJson, type JsonMetric } from './json.js';
import { hasSource, releaseOne, retain, SOURCE, type FamilySource } from './source.js';
import { SeriesCache } from './series-cache.js';
import { bytesToString } from './text.js';
import {
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  type MetricObject,
  type MetricObjectWithValues,
  type MetricValue,
  type OpenMetricsContentType,
  type PrometheusContentType,
  type RegistryContentType,
} from './types.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Anything prom-client lets you register: its metric classes, or an object with `name` and `get()`. */
export interface RegistrableMetric {
  readonly name: string;
  get(): Promise<unknown> | unknown;
  reset?(): void;
  readonly type?: unknown;
  readonly aggregator?: unknown;
}

/** Sources of objects registered without one: read through their `get()`. */
const jsonSources = new WeakMap<object, FamilySource>();

function jsonSourceOf(metric: RegistrableMetric): FamilySource {
  let source = jsonSources.get(metric);
  if (source === undefined) {
    let latest: FamilySnapshot | undefined;
    const cache = new SeriesCache();
    source = {
      async prepare() {
        latest = familyFromJson((await metric.get()) as JsonMetric, cache);
      },
      collect(out) {
        if (latest !== undefined) out.push(latest);
        latest = undefined;
      },
    };
    jsonSources.set(metric, source);
  }
  return source;
}

export function sourceOf(metric: RegistrableMetric): FamilySource {
  return hasSource(metric) ? metric[SOURCE] : jsonSourceOf(metric);
}

export class Registry<BoundRegistryContentType extends RegistryContentType = PrometheusContentType> {
  static get PROMETHEUS_CONTENT_TYPE(): PrometheusContentType {
    return PROMETHEUS_CONTENT_TYPE;
  }

  static get OPENMETRICS_CONTENT_TYPE(): OpenMetricsContentType {
    return OPENMETRICS_CONTENT_TYPE;
  }

  /** The registry metrics register with when their options name none (prom-client's `register`). */
  static globalRegistry: Registry;

  private byName = new Map<string, RegistrableMetric>();
  private defaultLabels: Record<string, string> = {};
  private defaultNames: string[] = [];
  /** Series label set -> the same merged with the default labels; rebuilt when the defaults change. */
  private mergedLabels = new WeakMap<LabelSet, LabelSet>();
  private type: RegistryContentType;

  constructor(regContentType: BoundRegistryContentType = PROMETHEUS_CONTENT_TYPE as BoundRegistryContentType) {
    if (regContentType !== PROMETHEUS_CONTENT_TYPE && regContentType !== OPENMETRICS_CONTENT_TYPE) {
      throw new TypeError(`Content type ${regContentType} is unsupported`);
    }
    this.type = regContentType;
  }

  /** The exposition of every registered metric, in this registry's content type. */
  async metrics(): Promise<string> {
    return this.format(await this.gather(this.byName));
  }

  /** The exposition of one metric. */
  async getSingleMetricAsString(name: string): Promise<string> {
    const metric = this.byName.get(name);
    if (metric === undefined) throw new Error(`No metric named ${JSON.stringify(name)} is registered`);
    return this.format(await this.gather(new Map([[name, metric]])));
  }

  registerMetric(metric: RegistrableMetric): void {
    if (metric === null || typeof metric !== 'object' || typeof metric.name !== 'string') {
      throw new TypeError('registerMetric expects a metric with a name');
    }
    const existing = this.byName.get(metric.name);
    if (existing === metric) return;
    if (existing !== undefined) throw new Error(`A metric with the name ${metric.name} has already been registered.`);
    this.byName.set(metric.name, metric);
    retain(sourceOf(metric));
  }

  /** Removes every metric and the default labels. */
  clear(): void {
    const metrics = [...this.byName.values()];
    this.byName = new Map();
    this.setDefaultLabels({});
    for (const metric of metrics) releaseOne(sourceOf(metric));
  }

  resetMetrics(): void {
    for (const metric of this.byName.values()) metric.reset?.();
  }

  async getMetricsAsJSON(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    const items = (await Promise.all([...this.byName.values()].map((m) => m.get()))) as JsonMetric[];
    const names = Object.keys(this.defaultLabels);
    if (names.length > 0) {
      for (const item of items) {
        for (const value of item.values ?? []) {
          const labels = { ...value.labels };
          for (const n of names) labels[n] = labels[n] || this.defaultLabels[n]!;
          value.labels = labels;
        }
      }
    }
    return items as unknown as MetricObjectWithValues<MetricValue<string>>[];
  }

  getMetricsAsArray(): MetricObject[] {
    return [...this.byName.values()] as unknown as MetricObject[];
  }

  removeSingleMetric(name: string): void {
    const metric = this.byName.get(name);
    if (metric === undefined) return;
    this.byName.delete(name);
    releaseOne(sourceOf(metric));
  }

  getSingleMetric<T extends string>(name: string): import('./index.js').Metric<T> | undefined {
    return this.byName.get(name) as import('./index.js').Metric<T> | undefined;
  }

  /** Labels added to every series that does not carry them already. */
  setDefaultLabels(labels: object): void {
    if (labels === null || typeof labels !== 'object') throw new TypeError('default labels must be an object');
    const copy: Record<string, string> = {};
    for (const [name, value] of Object.entries(labels)) {
      if (!LABEL_NAME.test(name)) throw new TypeError(`Invalid default label name ${JSON.stringify(name)}`);
      if (value !== undefined) copy[name] = String(value);
    }
    this.defaultLabels = copy;
    this.defaultNames = Object.keys(copy).sort(compareUtf8);
    this.mergedLabels = new WeakMap();
  }

  get contentType(): BoundRegistryContentType {
    return this.type as BoundRegistryContentType;
  }

  setContentType(contentType: BoundRegistryContentType): void {
    if (contentType !== PROMETHEUS_CONTENT_TYPE && contentType !== OPENMETRICS_CONTENT_TYPE) {
      throw new Error(`Content type ${contentType} is unsupported`);
    }
    this.type = contentType;
  }

  /** A new registry holding the metrics of all given registries, which must share one content type. */
  static merge(registers: Registry<any>[]): Registry<any> {
    const type = registers[0]!.contentType;
    for (const reg of registers) {
      if (reg.contentType !== type) throw new Error('Registers can only be merged if they have the same content type');
    }
    const merged = new Registry(type);
    for (const reg of registers) for (const metric of reg.byName.values()) merged.registerMetric(metric);
    return merged;
  }

  /** The `aggregator` of a registered family (for the cluster aggregator); `sum` unless set. */
  aggregatorOf(name: string): string {
    const aggregator = this.byName.get(name)?.aggregator;
    return typeof aggregator === 'string' ? aggregator : 'sum';
  }

  /** Snapshots of the given metrics, sorted by name, with the default labels merged in. */
  async gather(metrics: ReadonlyMap<string, RegistrableMetric> = this.byName): Promise<FamilySnapshot[]> {
    const sources: FamilySource[] = [];
    const seen = new Set<FamilySource>();
    let pending: Promise<void>[] | undefined;
    for (const metric of metrics.values()) {
      const source = sourceOf(metric);
      if (seen.has(source)) continue;
      seen.add(source);
      sources.push(source);
      const result = source.prepare();
      if (result !== undefined) (pending ??= []).push(result);
    }
    if (pending !== undefined) await Promise.all(pending);
    const families: FamilySnapshot[] = [];
    const scratch: FamilySnapshot[] = [];
    for (const source of sources) {
      scratch.length = 0;
      source.collect(scratch);
      for (const family of scratch) {
        // A shared source (the default metrics) yields families this registry may not list.
        const metric = metrics.get(family.name);
        if (metric !== undefined && family.series.length > 0 && sourceOf(metric) === source) families.push(family);
      }
    }
    families.sort((a, b) => compareUtf8(a.name, b.name));
    return this.defaultNames.length === 0 ? families : families.map((f) => this.withDefaults(f));
  }

  /** Writes families in this registry's content type. */
  format(families: readonly FamilySnapshot[]): string {
    return bytesToString(this.type === OPENMETRICS_CONTENT_TYPE ? encodeOpenMetrics(families) : encodeText(families));
  }

  private withDefaults(family: FamilySnapshot): FamilySnapshot {
    // Every field carries over (native buckets, NaN kind, a series' own bounds); only the labels change.
    const series: SeriesSnapshot[] = family.series.map((s) => {
      const merged = new Series(
        this.merged(s.labels),
        s.value,
        s.sum,
        s.count,
        s.buckets,
        s.quantiles,
        s.exemplar,
        s.bucketExemplars,
        s.createdMs,
        s.timestampMs,
        s.native ?? null,
        s.nanKind,
      );
      return s.ownRanks === undefined ? merged : { ...merged, ownRanks: s.ownRanks };
    });
    return { ...family, series };
  }

  private merged(labels: LabelSet): LabelSet {
    let merged = this.mergedLabels.get(labels);
    if (merged === undefined) {
      const byName = new Map<string, string>();
      for (const n of this.defaultNames) byName.set(n, this.defaultLabels[n]!);
      // The series' own labels win over the defaults, as in prom-client.
      for (let i = 0; i < labels.names.length; i++) byName.set(labels.names[i]!, labels.values[i]!);
      const names = [...byName.keys()].sort(compareUtf8);
      merged = new LabelSet(
        names,
        names.map((n) => byName.get(n)!),
      );
      this.mergedLabels.set(labels, merged);
    }
    return merged;
  }
}

Registry.globalRegistry = new Registry();
