/**
 * Binds the OTLP span exporters' reports (gRPC and HTTP alike) to zerotel metrics in a registry. Loading
 * this module makes the exporters' `registry` option work; the exporters never load the metrics engine.
 */
import { Counter } from '../metrics/counter.js';
import { Histogram } from '../metrics/histogram.js';
import type { Registry } from '../metrics/registry.js';
import { type SpanExportObserver, spanExportRegistryBinding } from './span-export-observer.js';

/** Export durations: from a fast loopback call to a full retry budget. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Registers `zerotel_otlp_exported_spans_total`, `zerotel_otlp_failed_spans_total{reason}`,
 * `zerotel_otlp_rejected_spans_total`, `zerotel_otlp_retries_total{code}` and
 * `zerotel_otlp_export_duration_seconds{result}`, and returns the observer that feeds them.
 */
export function exporterMetrics(registry: Registry): SpanExportObserver {
  const registers = [registry];
  const exported = new Counter({
    name: 'zerotel_otlp_exported_spans_total',
    help: 'Spans the OTLP collector accepted.',
    registers,
  });
  const failed = new Counter({
    name: 'zerotel_otlp_failed_spans_total',
    help: 'Spans dropped because their export failed, by reason (gRPC code, encode_error or shutdown).',
    labelNames: ['reason'],
    registers,
  });
  const rejected = new Counter({
    name: 'zerotel_otlp_rejected_spans_total',
    help: 'Spans the OTLP collector refused in a partial success.',
    registers,
  });
  const retries = new Counter({
    name: 'zerotel_otlp_retries_total',
    help: 'Export attempts repeated after a retryable failure, by the gRPC code that caused them.',
    labelNames: ['code'],
    registers,
  });
  const duration = new Histogram({
    name: 'zerotel_otlp_export_duration_seconds',
    help: 'Time per export, retries included, by result (success or failure).',
    labelNames: ['result'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  return {
    exported: (count) => exported.inc(count),
    rejected: (count) => rejected.inc(count),
    failed: (count, reason) => failed.labels(reason).inc(count),
    retried: (code) => retries.labels(code).inc(),
    exportEnded: (result, seconds) => duration.labels(result).observe(seconds),
  };
}

spanExportRegistryBinding.provide(exporterMetrics);
