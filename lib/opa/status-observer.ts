/**
 * What the status reporter reports about its updates, for a binding to turn into metrics (see
 * reporter-metrics.ts). The reporter knows nothing of metric classes.
 */
import type { PluginStatuses } from './payload.js';

/** What became of one update. */
export type PushOutcome = 'success' | 'failure' | 'gave_up' | 'superseded';

export interface StatusObserver {
  /** The reporter started: metrics that exist only while it runs appear now. */
  started(): void;
  /** The reporter stopped: those metrics go away. */
  stopped(): void;
  /** One push attempt ended so. */
  pushed(outcome: PushOutcome): void;
  /** An update was built with these plugin states (once per update, not per retry). */
  updated(plugins: PluginStatuses): void;
}
