/**
 * Binds a push engine's reports to zerotel metrics in a registry: delivered and failed items (by reason) and
 * retries (by reason), under a prefix naming the engine, e.g. `zerotel_otlp_metric_points` or
 * `zerotel_remote_write_samples`.
 */
import { Counter } from '../metrics/counter.js';
import type { Registry } from '../metrics/registry.js';
import type { PushObserver } from './push-observer.js';

/** Names for one engine: `<items>` is what it pushes (`metric_points`, `samples`), `<engine>` who pushes. */
export interface PushMetricNames {
  /** e.g. `zerotel_otlp` or `zerotel_remote_write`. */
  readonly engine: string;
  /** e.g. `metric_points` or `samples`. */
  readonly items: string;
  /** e.g. `Metric points` or `Samples` (HELP text). */
  readonly what: string;
}

export const OTLP_METRIC_EXPORT_METRICS: PushMetricNames = {
  engine: 'zerotel_otlp',
  items: 'metric_points',
  what: 'Metric points',
};
export const REMOTE_WRITE_METRICS: PushMetricNames = {
  engine: 'zerotel_remote_write',
  items: 'samples',
  what: 'Samples',
};

/** Registers the counters and returns the observer that feeds them. */
export function pushMetrics(registry: Registry, names: PushMetricNames): PushObserver {
  const registers = [registry];
  const delivered = new Counter({
    name: `${names.engine}_delivered_${names.items}_total`,
    help: `${names.what} the receiver accepted.`,
    registers,
  });
  const failed = new Counter({
    name: `${names.engine}_failed_${names.items}_total`,
    help: `${names.what} not delivered, by reason (HTTP status, gRPC code, unavailable, shutdown or encode_error).`,
    labelNames: ['reason'],
    registers,
  });
  const retries = new Counter({
    name: `${names.engine}_${names.items}_retries_total`,
    help: `Push attempts repeated after a retryable failure, by the failure's reason.`,
    labelNames: ['reason'],
    registers,
  });
  return {
    delivered: (count) => delivered.inc(count),
    failed: (count, reason) => failed.labels(reason).inc(count),
    retried: (reason) => retries.labels(reason).inc(),
  };
}
