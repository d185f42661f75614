/**
 * Binds the batch span processor's reports to zerotel metrics in a registry. Loading this module makes the
 * processor's `registry` option work; the processor itself never loads the metrics engine.
 */
import { Counter, type CounterChild } from '../../metrics/counter.js';
import { Gauge } from '../../metrics/gauge.js';
import { Histogram } from '../../metrics/histogram.js';
import type { Registry } from '../../metrics/registry.js';
import {
  type BatchObserver,
  type BatchQueueView,
  DROP_REASONS,
  type DropReason,
  batchRegistryBinding,
} from './batch-observer.js';

/** Buckets for export durations: up to the default 30 s timeout and a minute beyond. */
const EXPORT_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Registers `zerotel_trace_spans_exported_total`, `zerotel_trace_spans_dropped_total{reason}`,
 * `zerotel_trace_export_duration_seconds{result}`, `zerotel_trace_queue_size` (read from `queue` at
 * scrape time) and `zerotel_trace_queue_capacity`, and returns the observer that feeds them.
 */
export function batchMetrics(
  registry: Registry,
  queue: BatchQueueView,
  constLabels: Readonly<Record<string, string>> = {},
): BatchObserver {
  const registers = [registry];
  const exported = new Counter({
    name: 'zerotel_trace_spans_exported_total',
    help: 'Spans the trace exporter accepted.',
    constLabels,
    registers,
  });
  const dropped = new Counter<'reason'>({
    name: 'zerotel_trace_spans_dropped_total',
    help: 'Spans dropped before reaching the collector, by reason: queue_full, export_failed, export_timeout, rejected, shutdown.',
    labelNames: ['reason'],
    constLabels,
    registers,
  });
  const duration = new Histogram<'result'>({
    name: 'zerotel_trace_export_duration_seconds',
    help: 'Time per span export call, by result: success, failure or timeout.',
    labelNames: ['result'],
    buckets: EXPORT_DURATION_BUCKETS,
    constLabels,
    registers,
  });
  // The queue size is read at scrape time: nothing to update on the span path.
  const size: Gauge = new Gauge({
    name: 'zerotel_trace_queue_size',
    help: 'Spans waiting in the batch span processor queue.',
    constLabels,
    registers,
    collect: () => size.set(queue.queueSize()),
  });
  new Gauge({
    name: 'zerotel_trace_queue_capacity',
    help: 'Capacity of the batch span processor queue, in spans.',
    constLabels,
    registers,
  }).set(queue.capacity);
  const byReason = {} as Record<DropReason, CounterChild>;
  for (const reason of DROP_REASONS) byReason[reason] = dropped.labels(reason);
  const byOutcome = {
    success: duration.labels('success'),
    failure: duration.labels('failure'),
    timeout: duration.labels('timeout'),
  };
  return {
    exported: (count) => exported.inc(count),
    dropped: (reason, count) => byReason[reason].inc(count),
    exportEnded: (outcome, seconds) => byOutcome[outcome].observe(seconds),
  };
}

batchRegistryBinding.provide(batchMetrics);
