/**
 * What the batch span processor reports about its spans, for a binding to turn into metrics (see
 * batch-metrics.ts). The processor knows nothing of metric classes.
 */
import type { Registry } from '../../metrics/registry.js';
import { BindingSlot } from '../binding-slot.js';

/** Why spans were dropped (the `reason` label). */
export type DropReason = 'queue_full' | 'export_failed' | 'export_timeout' | 'rejected' | 'shutdown';
export const DROP_REASONS: readonly DropReason[] = [
  'queue_full',
  'export_failed',
  'export_timeout',
  'rejected',
  'shutdown',
];

/** How one export call ended, as the processor saw it. */
export type ExportOutcome = 'success' | 'failure' | 'timeout';

export interface BatchObserver {
  /** `count` spans the exporter accepted. */
  exported(count: number): void;
  /** `count` spans lost, and why. */
  dropped(reason: DropReason, count: number): void;
  /** One export call took `seconds` and ended so. */
  exportEnded(outcome: ExportOutcome, seconds: number): void;
}

/** What a binding may read from a processor when the registry collects. */
export interface BatchQueueView {
  /** Spans waiting now. */
  queueSize(): number;
  readonly capacity: number;
}

/** Builds the observer that feeds a registry's metrics; see batch-metrics.ts. */
export type BatchRegistryBinding = (
  registry: Registry,
  queue: BatchQueueView,
  constLabels?: Readonly<Record<string, string>>,
) => BatchObserver;

/** Filled by batch-metrics.ts; read by the processor when given a registry. */
export const batchRegistryBinding = new BindingSlot<BatchRegistryBinding>('BatchSpanProcessor');
