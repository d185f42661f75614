/** The batch span processor: when to export, flush and shut down. Storage is the queue's (queue.ts). */
import { hostProcess } from '../../host.js';
import type { ExportResult, SpanData, SpanExporter } from '../span-data.js';
import { type Span, type SpanProcessor, TraceFlags } from '../span.js';
import { type BatchConfig, type BatchSpanProcessorOptions, resolveBatchConfig } from './batch-config.js';
import { type BatchObserver, type DropReason, batchRegistryBinding } from './batch-observer.js';
import { EncodedBatchQueue, isEncodingExporter } from './encoded-queue.js';
import { TIMED_OUT, unrefTimer, withTimeout } from './export-call.js';
import type { QueuedBatch, SpanQueue } from './queue.js';
import { SpanRingQueue } from './span-queue.js';

/**
 * The drop reason of a failed export. An exporter that failed because it was shut down says so with
 * `reason: 'shutdown'` on its error (the OTLP exporter's OtlpExportError does): those spans count as
 * shutdown here too, so this family and the exporter's agree span for span.
 */
function failureReason(error: Error): DropReason {
  return (error as { reason?: unknown }).reason === 'shutdown' ? 'shutdown' : 'export_failed';
}

/** Counts since the processor started. */
export interface BatchStats {
  /** Spans the exporter accepted. */
  readonly exported: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Export calls made. */
  readonly exports: number;
  /** Spans waiting now. */
  readonly queueSize: number;
}

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
}

/** `process` where the runtime has Node's event-loop events (Node, Bun, Deno); undefined elsewhere. */
interface ExitEvents {
  on(event: 'beforeExit', listener: () => void): unknown;
  off(event: 'beforeExit', listener: () => void): unknown;
}
function exitEvents(): ExitEvents | undefined {
  const proc = hostProcess();
  return typeof proc?.on === 'function' && typeof proc.off === 'function' ? (proc as ExitEvents) : undefined;
}

/**
 * Queues finished, sampled spans and exports them in batches.
 *
 * - An export starts as soon as `maxExportBatchSize` spans wait, or `scheduledDelayMillis` after the
 *   first span of a partial batch was queued (the timer exists only while spans wait).
 * - Never two exports at once: the next one starts only after the previous call settled. An export
 *   that outlives `exportTimeoutMillis` counts its batch as dropped (export_timeout) and releases
 *   flush/shutdown waiters, but the exporter is not called again until that call settles, so an
 *   exporter that hangs forever stalls the queue (which then fills and counts queue_full drops)
 *   rather than piling up calls.
 * - A full queue drops the new span and counts it. Unsampled spans are ignored.
 * - `forceFlush()` and `shutdown()` always settle within their timeout (default exportTimeoutMillis).
 *   After shutdown no timer or listener is left and new spans are counted as dropped (shutdown).
 * - Timers: the delay timer exists only while spans wait and, like the export timeout, is unref'd
 *   (where the runtime can): an idle or waiting processor never holds the process open. The deadline
 *   of a forceFlush or shutdown someone awaits does hold it (so the await always resumes), for at most
 *   its timeout. If the loop runs dry with spans queued, they are exported at once (`flushOnExit`,
 *   where the runtime has `process.on('beforeExit')`).
 *
 * Metrics, when a registry is given (all counters monotonic since start; see batch-metrics.ts):
 * - `zerotel_trace_spans_exported_total` spans the exporter accepted
 * - `zerotel_trace_spans_dropped_total{reason}` spans lost: queue_full (queue at capacity),
 *   export_failed (exporter returned a failure), export_timeout (export outlived its timeout),
 *   rejected (the receiver refused them in a partial success), shutdown (ended after shutdown, still
 *   queued when shutdown's timeout ran out, or failed by an exporter that was shutting down)
 * - `zerotel_trace_export_duration_seconds{result}` time per export call, result success|failure|timeout
 * - `zerotel_trace_queue_size` spans waiting; `zerotel_trace_queue_capacity` the queue's capacity
 *
 * With an exporter that offers `createEncodedBatch` and `exportEncoded`, spans are encoded into
 * batches as they end and the queue holds those batches (each of at most `maxExportBatchSize`
 * spans) rather than span objects; limits, drops, timing and metrics are the same. A span that
 * cannot be encoded is dropped and counted as export_failed.
 */
export class BatchSpanProcessor implements SpanProcessor {
  readonly config: BatchConfig;
  private readonly exporter: SpanExporter;
  private readonly queue: SpanQueue;
  /** Spans waiting. */
  private size = 0;
  /** Spans ever queued, and spans whose export is over (whatever the outcome) or that were discarded. */
  private enqueued = 0;
  private finished = 0;
  /** Export without waiting for a full batch until this many spans have been taken from the queue. */
  private flushUpTo = 0;
  private dequeued = 0;
  private exporting = false;
  /** An export call that timed out but has not settled: the next call waits for it. */
  private pending: Promise<unknown> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waiters: Waiter[] = [];
  private state: 'open' | 'closing' | 'closed' = 'open';
  private shutdownResult: Promise<boolean> | undefined;
  private readonly exitHook: (() => void) | undefined;
  private readonly observers: readonly BatchObserver[];
  private readonly counts = {
    exported: 0,
    exports: 0,
    dropped: { queue_full: 0, export_failed: 0, export_timeout: 0, rejected: 0, shutdown: 0 } as Record<
      DropReason,
      number
    >,
  };

  constructor(exporter: SpanExporter, options: BatchSpanProcessorOptions = {}) {
    this.config = resolveBatchConfig(options);
    const { maxQueueSize, maxExportBatchSize } = this.config;
    this.queue = isEncodingExporter(exporter)
      ? new EncodedBatchQueue(exporter, maxQueueSize, maxExportBatchSize)
      : new SpanRingQueue(exporter, maxQueueSize);
    this.exporter = exporter;
    const observers: BatchObserver[] = [];
    if (options.registry !== undefined) {
      const view = { queueSize: () => this.size, capacity: maxQueueSize };
      observers.push(batchRegistryBinding.get()(options.registry, view, options.metricLabels));
    }
    if (options.observer !== undefined) observers.push(options.observer);
    this.observers = observers;
    const events = options.flushOnExit === false ? undefined : exitEvents();
    if (events !== undefined) {
      this.exitHook = () => {
        if (this.size > 0) this.flushSoon(this.enqueued);
      };
      events.on('beforeExit', this.exitHook);
    }
  }

  onStart(_span: Span): void {}

  onEnd(span: SpanData): void {
    if ((span.traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.state !== 'open') {
      this.drop('shutdown', 1);
      return;
    }
    if (this.size === this.config.maxQueueSize) {
      this.drop('queue_full', 1);
      return;
    }
    if (!this.queue.push(span)) {
      this.drop('export_failed', 1);
      return;
    }
    this.size++;
    this.enqueued++;
    if (this.exporting) return;
    if (this.size >= this.config.maxExportBatchSize) void this.drain();
    else if (this.timer === undefined) this.arm();
  }

  /**
   * Exports every span queued before the call. Resolves true when all of them are exported (or
   * accounted for as dropped), false when `timeoutMillis` passed first.
   */
  forceFlush(timeoutMillis: number = this.config.exportTimeoutMillis): Promise<boolean> {
    if (this.state === 'closed') return Promise.resolve(true);
    return this.flushWithin(timeoutMillis);
  }

  /**
   * Stops accepting spans, exports what is queued, then shuts the exporter down, all within
   * `timeoutMillis`. Spans still queued then are discarded and counted (shutdown). Resolves true
   * when everything finished in time. Idempotent.
   */
  shutdown(timeoutMillis: number = this.config.exportTimeoutMillis): Promise<boolean> {
    this.shutdownResult ??= this.close(timeoutMillis);
    return this.shutdownResult;
  }

  /** Counts since start, also kept without a registry. */
  stats(): BatchStats {
    return {
      exported: this.counts.exported,
      dropped: { ...this.counts.dropped },
      exports: this.counts.exports,
      queueSize: this.size,
    };
  }

  private async close(timeoutMillis: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMillis;
    this.state = 'closing';
    if (this.exitHook !== undefined) exitEvents()?.off('beforeExit', this.exitHook);
    const flushed = await this.flushWithin(timeoutMillis);
    const left = Math.max(0, deadline - performance.now());
    let exporterClosed: boolean;
    try {
      const closing = Promise.resolve(this.exporter.shutdown()).then(() => true);
      exporterClosed = (await withTimeout(closing, Math.max(1, left), true)) === true;
    } catch {
      exporterClosed = false;
    }
    this.state = 'closed';
    this.disarm();
    const discarded = this.size;
    this.queue.clear();
    this.size = 0;
    if (discarded > 0) this.drop('shutdown', discarded);
    this.finished += discarded;
    this.dequeued += discarded;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
    return flushed && exporterClosed;
  }

  private flushWithin(timeoutMillis: number): Promise<boolean> {
    const target = this.enqueued;
    if (this.finished >= target) return Promise.resolve(true);
    let waiter!: Waiter;
    const done = new Promise<boolean>((resolve) => {
      waiter = { target, resolve: () => resolve(true) };
    });
    this.waiters.push(waiter);
    this.flushSoon(target);
    return withTimeout(done, Math.max(1, timeoutMillis), true).then((outcome) => {
      if (outcome === true) return true;
      const i = this.waiters.indexOf(waiter);
      if (i !== -1) this.waiters.splice(i, 1);
      return false;
    });
  }

  /** Exports, without waiting for full batches, until `target` spans have left the queue. */
  private flushSoon(target: number): void {
    if (target > this.flushUpTo) this.flushUpTo = target;
    if (!this.exporting) void this.drain();
  }

  private arm(): void {
    const timer = setTimeout(() => {
      this.timer = undefined;
      this.flushSoon(this.enqueued);
    }, this.config.scheduledDelayMillis);
    unrefTimer(timer);
    this.timer = timer;
  }

  private disarm(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** The export loop; at most one runs. Never rejects. */
  private async drain(): Promise<void> {
    this.exporting = true;
    this.disarm();
    const batchSize = this.config.maxExportBatchSize;
    try {
      while (this.state !== 'closed' && this.size > 0 && (this.size >= batchSize || this.dequeued < this.flushUpTo)) {
        if (this.pending !== undefined) {
          await this.pending;
          this.pending = undefined;
          continue;
        }
        const batch = this.queue.take(Math.min(this.size, batchSize));
        const n = batch.length;
        this.size -= n;
        this.dequeued += n;
        await this.exportBatch(batch);
        this.finished += n;
        this.releaseWaiters();
      }
    } catch {
      // exportBatch never throws; this only guards the loop's own invariants.
    } finally {
      this.exporting = false;
      this.releaseWaiters();
      if (this.state === 'open' && this.size > 0 && this.timer === undefined) {
        if (this.size >= batchSize || this.dequeued < this.flushUpTo) void this.drain();
        else this.arm();
      }
    }
  }

  private async exportBatch(batch: QueuedBatch): Promise<void> {
    const n = batch.length;
    const started = performance.now();
    this.counts.exports++;
    const call = this.queue.send(batch);
    const outcome: ExportResult | typeof TIMED_OUT = await withTimeout(call, this.config.exportTimeoutMillis, false);
    const seconds = (performance.now() - started) / 1000;
    // The exporter is done with a batch once its call settled, not before.
    if (outcome === TIMED_OUT) void call.then(() => this.queue.release(batch));
    else this.queue.release(batch);
    if (outcome === TIMED_OUT) {
      this.pending = call;
      this.drop('export_timeout', n);
      this.ended('timeout', seconds);
    } else if (outcome.kind === 'success') {
      const rejected = Math.min(n, Math.max(0, Math.floor(outcome.rejectedSpans ?? 0)));
      this.counts.exported += n - rejected;
      for (const o of this.observers) o.exported(n - rejected);
      if (rejected > 0) this.drop('rejected', rejected);
      this.ended('success', seconds);
    } else {
      this.drop(failureReason(outcome.error), n);
      this.ended('failure', seconds);
    }
  }

  private ended(outcome: 'success' | 'failure' | 'timeout', seconds: number): void {
    for (const o of this.observers) o.exportEnded(outcome, seconds);
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const finished = this.finished;
    const keep: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.target <= finished) waiter.resolve();
      else keep.push(waiter);
    }
    this.waiters = keep;
  }

  private drop(reason: DropReason, n: number): void {
    this.counts.dropped[reason] += n;
    for (const o of this.observers) o.dropped(reason, n);
  }
}
