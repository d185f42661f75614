/**
 * Binds the status reporter's reports to zerotel metrics in a registry: `zerotel_status_pushes_total`
 * when it pushes to a service, and, with `prometheus`, the status families OPA adds (`opa_info`,
 * `plugin_status_gauge`, and the bundle families, which stay empty here: zerotel has no bundles).
 */
import { Counter } from '../metrics/counter.js';
import { Gauge } from '../metrics/gauge.js';
import { Histogram } from '../metrics/histogram.js';
import type { Registry } from '../metrics/registry.js';
import type { StatusObserver } from './status-observer.js';

export interface StatusMetricsOptions {
  /** Count pushes (the reporter has a service to push to). */
  readonly pushes: boolean;
  /** Register OPA's status families while the reporter runs. */
  readonly prometheus: boolean;
  /** Buckets of `bundle_loading_duration_ns`. */
  readonly bundleLoadingDurationBuckets: readonly number[];
  /** `opa_info`'s version label. */
  readonly version: string;
}

interface StatusCollectors {
  readonly all: readonly (Counter | Gauge | Histogram)[];
  readonly pluginStatus: Gauge<'name' | 'status'>;
}

function statusCollectors(buckets: readonly number[], version: string): StatusCollectors {
  const registers: Registry[] = [];
  const opaInfo = new Gauge({
    name: 'opa_info',
    help: 'Information about the OPA environment.',
    constLabels: { version },
    registers,
  });
  opaInfo.set(1);
  const pluginStatus = new Gauge<'name' | 'status'>({
    name: 'plugin_status_gauge',
    help: 'Gauge for the plugin by status.',
    labelNames: ['name', 'status'],
    registers,
  });
  const all = [
    opaInfo,
    pluginStatus,
    new Counter({
      name: 'bundle_loaded_counter',
      help: 'Counter for the bundle loaded.',
      labelNames: ['name'],
      registers,
    }),
    new Counter({
      name: 'bundle_failed_load_counter',
      help: 'Counter for the failed bundle load.',
      labelNames: ['name', 'code', 'message'],
      registers,
    }),
    new Gauge({
      name: 'last_bundle_request',
      help: 'Gauge for the last bundle request.',
      labelNames: ['name'],
      registers,
    }),
    new Gauge({
      name: 'last_success_bundle_activation',
      help: 'Gauge for the last success bundle activation.',
      labelNames: ['name', 'active_revision'],
      registers,
    }),
    new Gauge({
      name: 'last_success_bundle_download',
      help: 'Gauge for the last success bundle download.',
      labelNames: ['name'],
      registers,
    }),
    new Gauge({
      name: 'last_success_bundle_request',
      help: 'Gauge for the last success bundle request.',
      labelNames: ['name'],
      registers,
    }),
    new Histogram({
      name: 'bundle_loading_duration_ns',
      help: 'Histogram for the bundle loading duration by stage.',
      labelNames: ['name', 'stage'],
      buckets,
      registers,
    }),
  ];
  return { all, pluginStatus };
}

/** Registers what `options` ask for (the status families only once started) and returns the observer feeding them. */
export function statusMetrics(registry: Registry, options: StatusMetricsOptions): StatusObserver {
  const pushes = options.pushes
    ? new Counter({
        name: 'zerotel_status_pushes_total',
        help: 'Status update attempts, by result (success, failure, gave_up after the last retry, superseded by a newer state).',
        labelNames: ['result'],
        registers: [registry],
      })
    : undefined;
  const collectors = options.prometheus
    ? statusCollectors(options.bundleLoadingDurationBuckets, options.version)
    : undefined;
  return {
    started: () => {
      if (collectors !== undefined) for (const c of collectors.all) registry.register(c);
    },
    stopped: () => {
      if (collectors !== undefined) for (const c of collectors.all) registry.unregister(c);
    },
    pushed: (outcome) => pushes?.labels(outcome).inc(),
    updated: (plugins) => {
      if (collectors === undefined) return;
      const gauge = collectors.pluginStatus;
      gauge.reset();
      for (const [name, status] of Object.entries(plugins)) gauge.labels(name, status.state).set(1);
    },
  };
}
