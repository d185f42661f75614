/**
 * prom-client's collectDefaultMetrics on zerotel's runtime collectors: the nodejs_* set and prom-client's
 * process_* set, one family per registered metric (so getSingleMetric and removeSingleMetric work as in
 * prom-client), all read from one shared source per call that samples once per scrape.
 */
import { NodejsCollector } from '../../runtime/nodejs.js';
import { PromClientProcessCollector } from '../../runtime/process-prom-client.js';
import type { FamilySnapshot } from '../../metrics/snapshot.js';
import { familyValues } from './json.js';
import { Registry } from './registry.js';
import { SOURCE, type FamilySource, type Sourced } from './source.js';
import type { Aggregator, RegistryContentType } from './types.js';

export interface DefaultMetricsCollectorConfiguration<T extends RegistryContentType> {
  register?: Registry<T>;
  prefix?: string;
  gcDurationBuckets?: number[];
  eventLoopMonitoringPrecision?: number;
  labels?: object;
}

/** prom-client's aggregators for the default metrics that do not sum across cluster workers. */
const AGGREGATORS: Readonly<Record<string, Aggregator>> = {
  process_start_time_seconds: 'omit',
  nodejs_version_info: 'first',
  nodejs_eventloop_lag_seconds: 'average',
  nodejs_eventloop_lag_min_seconds: 'min',
  nodejs_eventloop_lag_max_seconds: 'max',
  nodejs_eventloop_lag_mean_seconds: 'average',
  nodejs_eventloop_lag_stddev_seconds: 'average',
  nodejs_eventloop_lag_p50_seconds: 'average',
  nodejs_eventloop_lag_p90_seconds: 'average',
  nodejs_eventloop_lag_p99_seconds: 'average',
};

const COUNTERS = new Set([
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
]);

/** One default metric family as a registered metric. */
class DefaultMetric implements Sourced {
  readonly type: string;
  readonly aggregator: Aggregator;
  readonly [SOURCE]: FamilySource;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    unprefixed: string,
    source: FamilySource,
  ) {
    this[SOURCE] = source;
    this.type = COUNTERS.has(unprefixed)
      ? 'counter'
      : unprefixed === 'nodejs_gc_duration_seconds'
        ? 'histogram'
        : 'gauge';
    this.aggregator = AGGREGATORS[unprefixed] ?? 'sum';
  }

  async get(): Promise<{ name: string; help: string; type: string; values: unknown[]; aggregator: Aggregator }> {
    await this[SOURCE].prepare();
    const out: FamilySnapshot[] = [];
    this[SOURCE].collect(out);
    const family = out.find((f) => f.name === this.name);
    const values = family === undefined ? [] : familyValues(family);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** Runtime values cannot be reset; prom-client's resetMetrics() would zero them until the next scrape. */
  reset(): void {}
}

export function collectDefaultMetrics<T extends RegistryContentType>(
  config?: DefaultMetricsCollectorConfiguration<T> | null,
): void {
  if (config !== null && config !== undefined && typeof config !== 'object') {
    throw new TypeError('config must be null, undefined, or an object');
  }
  const registry: Registry<any> = config?.register ?? Registry.globalRegistry;
  const prefix = config?.prefix ?? '';
  const constLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(config?.labels ?? {})) constLabels[k] = String(v);
  const options = { prefix, constLabels };
  const processCollector = new PromClientProcessCollector(options);
  const nodejs = new NodejsCollector({
    ...options,
    eventLoopResolutionMs: config?.eventLoopMonitoringPrecision ?? 10,
    ...(config?.gcDurationBuckets === undefined ? {} : { gcDurationBuckets: config.gcDurationBuckets }),
  });
  // One sample serves every family read in the same turn of the event loop: the lag figures are reset
  // by each sample, so 35 get() calls must not take 35 samples.
  let sample: FamilySnapshot[] | undefined;
  const source: FamilySource = {
    prepare() {},
    collect(out) {
      if (sample === undefined) {
        sample = [];
        processCollector.collect(sample);
        nodejs.collect(sample);
        setImmediate(() => (sample = undefined));
      }
      for (const family of sample) out.push(family);
    },
    release() {
      nodejs.stop();
      processCollector.stop();
    },
  };
  const labelNames = Object.keys(constLabels);
  const registered: DefaultMetric[] = [];
  try {
    for (const d of [...processCollector.describe(), ...nodejs.describe()]) {
      const metric = new DefaultMetric(
        d.name,
        d.help,
        [...d.labelNames, ...labelNames],
        d.name.slice(prefix.length),
        source,
      );
      registry.registerMetric(metric);
      registered.push(metric);
    }
  } catch (error) {
    for (const metric of registered) registry.removeSingleMetric(metric.name);
    if (registered.length === 0) source.release!();
    throw error;
  }
}

/** prom-client's list of its default metric modules. */
collectDefaultMetrics.metricsList = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
] as string[];
