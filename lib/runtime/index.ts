/**
 * Runtime metrics in one call: the spec's go_* set (OPA's surface), client_golang's process_* set and
 * prom-client's nodejs_* set, registered together and removed together.
 */
import type { Collector } from '../metrics/collector.js';
import { defaultRegistry, type Registry } from '../metrics/registry.js';
import { gcObserverStats } from './gc-observer.js';
import { GoCollector } from './go.js';
import { NodejsCollector, nodejsCollectorStats, type NodejsCollectorOptions } from './nodejs.js';
import { ProcessCollector } from './process.js';

export { GoCollector, GO_METRICS, GO_SOURCES, GO_INFO_VERSION, type Fidelity } from './go.js';
export { ProcessCollector, type RuntimeCollectorOptions } from './process.js';
export { NodejsCollector, DEFAULT_GC_DURATION_BUCKETS, type NodejsCollectorOptions } from './nodejs.js';

/** The metric sets `collectRuntimeMetrics` can register. */
export type RuntimeMetricSet = 'go' | 'process' | 'nodejs';

export const RUNTIME_METRIC_SETS: readonly RuntimeMetricSet[] = Object.freeze(['go', 'process', 'nodejs']);

export interface RuntimeMetricsOptions extends NodejsCollectorOptions {
  /** Where to register; the default registry unless given. */
  readonly registry?: Registry;
  /** Which sets to register; all three unless given. */
  readonly sets?: readonly RuntimeMetricSet[];
}

/** What `collectRuntimeMetrics` returns: its collectors, and the way to take them all back. */
export interface RuntimeMetricsHandle {
  readonly collectors: readonly Collector[];
  /**
   * Unregisters every collector and releases every observer, monitor and probe they hold; idempotent.
   * Shared GC observation ends when its last user (in any registry) stops.
   */
  stop(): void;
}

type StoppableCollector = Collector & { stop(): void };

/**
 * Registers the chosen runtime metric sets with a registry. Nothing samples between scrapes except the
 * shared GC observer; every value is read when the registry collects. Throws (having released whatever
 * it had started) when a name or const label is invalid or a set is registered in that registry already.
 */
export function collectRuntimeMetrics(options: RuntimeMetricsOptions = {}): RuntimeMetricsHandle {
  const registry = options.registry ?? defaultRegistry;
  const sets = options.sets ?? RUNTIME_METRIC_SETS;
  for (const set of sets) {
    if (!RUNTIME_METRIC_SETS.includes(set)) throw new TypeError(`unknown runtime metric set ${JSON.stringify(set)}`);
  }
  const collectors: StoppableCollector[] = [];
  const registered: StoppableCollector[] = [];
  const release = (): void => {
    for (const c of registered) registry.unregister(c);
    for (const c of collectors) c.stop();
  };
  try {
    for (const set of new Set(sets)) {
      const collector =
        set === 'go'
          ? new GoCollector(options)
          : set === 'process'
            ? new ProcessCollector(options)
            : new NodejsCollector(options);
      collectors.push(collector);
      registry.register(collector);
      registered.push(collector);
    }
  } catch (error) {
    release();
    throw error;
  }
  let stopped = false;
  return {
    collectors,
    stop() {
      if (stopped) return;
      stopped = true;
      release();
    },
  };
}

/** Everything the runtime collectors have attached to the process right now; all zero/false when none is live. */
export interface RuntimeResourceCounts {
  readonly gcListeners: number;
  readonly gcObserving: boolean;
  readonly gcProfiling: boolean;
  readonly heapAccountingUsers: number;
  readonly delayMonitors: number;
  readonly pendingProbes: number;
}

/** A diagnostic view of what is attached (used by the leak tests). */
export function runtimeResourceCounts(): RuntimeResourceCounts {
  const gc = gcObserverStats();
  const node = nodejsCollectorStats();
  return {
    gcListeners: gc.listeners,
    gcObserving: gc.observing,
    gcProfiling: gc.profiling,
    heapAccountingUsers: gc.accountingUsers,
    delayMonitors: node.delayMonitors,
    pendingProbes: node.pendingProbes,
  };
}
