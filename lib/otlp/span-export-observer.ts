/**
 * What an OTLP span exporter (gRPC or HTTP) reports about its exports, for a binding to turn into metrics
 * (see exporter-metrics.ts). Exporters know nothing of metric classes.
 */
import type { Registry } from '../metrics/registry.js';
import { BindingSlot } from '../trace/binding-slot.js';

export interface SpanExportObserver {
  /** `count` spans the collector accepted. */
  exported(count: number): void;
  /** `count` spans the collector refused in a partial success. */
  rejected(count: number): void;
  /** `count` spans not delivered, by reason (a gRPC code name in lower case, `http_<status>`, `encode_error`, `shutdown`...). */
  failed(count: number, reason: string): void;
  /** An attempt is about to be repeated after a retryable failure with this code (`UNAVAILABLE`, `http_503`...). */
  retried(code: string): void;
  /** One export, retries included, took `seconds` and ended so. */
  exportEnded(result: 'success' | 'failure', seconds: number): void;
}

/** Filled by exporter-metrics.ts; read by the exporters when given a registry. */
export const spanExportRegistryBinding = new BindingSlot<(registry: Registry) => SpanExportObserver>(
  'OTLP span exporter',
);

/** The observer the options ask for: the registry's binding, the given observer, both, or none. */
export function exportObserver(options: {
  readonly registry?: Registry;
  readonly observer?: SpanExportObserver;
}): SpanExportObserver | undefined {
  const bound = options.registry === undefined ? undefined : spanExportRegistryBinding.get()(options.registry);
  const given = options.observer;
  if (bound === undefined || given === undefined) return bound ?? given;
  return {
    exported: (count) => (bound.exported(count), given.exported(count)),
    rejected: (count) => (bound.rejected(count), given.rejected(count)),
    failed: (count, reason) => (bound.failed(count, reason), given.failed(count, reason)),
    retried: (code) => (bound.retried(code), given.retried(code)),
    exportEnded: (result, seconds) => (bound.exportEnded(result, seconds), given.exportEnded(result, seconds)),
  };
}
