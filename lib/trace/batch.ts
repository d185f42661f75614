import { Counter } from '../metrics/counter.js';
import { Gauge } from '../metrics/gauge.js';
import { Histogram } from '../metrics/histogram.js';
import type { CounterChild } from '../metrics/counter.js';
import type { HistogramChild } from '../metrics/histogram.js';
import type { Registry } from '../metrics/registry.js';
import { context, ROOT_CONTEXT, suppressTracing } from './context.js';
import type { EncodedSpanBatch, ExportResult, SpanData, SpanExporter } from './span-data.js';
import { type Span, type SpanProcessor, TraceFlags } from './span.js';

/** OPA's (and OpenTelemetry's) batch defaults. */
export const BATCH_DEFAULTS = Object.freeze({
  maxQueueSize: 2048,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30000,
  maxExportBatchSize: 512,
});

/** setTimeout fires at once for delays above this (2^31 - 1 ms), so longer ones are refused. */
const MAX_TIMER_MS = 2147483647;
/**
 * The largest queue (and batch): the queue's slots are allocated up front, and a queue this full of
 * spans already holds about a gigabyte. Larger sizes cost memory and start-up time, not throughput.
 */
export const MAX_QUEUE_SIZE = 1_048_576;

export interface BatchSpanProcessorOptions {
  /** Spans waiting at most; more are dropped and counted (reason queue_full). Env OTEL_BSP_MAX_QUEUE_SIZE. */
  readonly maxQueueSize?: number;
  /** Longest a span waits before an export starts. Env OTEL_BSP_SCHEDULE_DELAY. */
  readonly scheduledDelayMillis?: number;
  /** Longest one export may take; the batch then counts as dropped (export_timeout). Env OTEL_BSP_EXPORT_TIMEOUT. */
  readonly exportTimeoutMillis?: number;
  /** Spans per export at most; a full batch is exported at once. Env OTEL_BSP_MAX_EXPORT_BATCH_SIZE. */
  readonly maxExportBatchSize?: number;
  /** Where the OTEL_BSP_* variables are read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Registers the processor's health metrics there (see {@link BatchSpanProcessor}). */
  readonly registry?: Registry;
  /** Constant labels for those metrics, to tell several processors on one registry apart. */
  readonly metricLabels?: Readonly<Record<string, string>>;
  /**
   * When the event loop runs dry with spans still queued (a script ending without `shutdown()`),
   * export them instead of losing them. Default true.
   */
  readonly flushOnExit?: boolean;
}

/** The resolved settings. */
export interface BatchConfig {
  readonly maxQueueSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly maxExportBatchSize: number;
}

/** Invalid batch settings, every problem listed. */
export class BatchConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid batch span processor configuration:\n* ${problems.join('\n* ')}`);
    this.name = 'BatchConfigError';
  }
}

interface Setting {
  readonly option: keyof BatchConfig;
  readonly env: string;
  readonly min: number;
  readonly max: number;
}

const SETTINGS: readonly Setting[] = [
  { option: 'maxQueueSize', env: 'OTEL_BSP_MAX_QUEUE_SIZE', min: 1, max: MAX_QUEUE_SIZE },
  { option: 'scheduledDelayMillis', env: 'OTEL_BSP_SCHEDULE_DELAY', min: 0, max: MAX_TIMER_MS },
  { option: 'exportTimeoutMillis', env: 'OTEL_BSP_EXPORT_TIMEOUT', min: 1, max: MAX_TIMER_MS },
  { option: 'maxExportBatchSize', env: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', min: 1, max: MAX_QUEUE_SIZE },
];

/**
 * Options, then OTEL_BSP_* variables, then the defaults. An empty variable counts as unset (OpenTelemetry
 * rule); a set one must be a decimal integer in range, else {@link BatchConfigError} lists every problem.
 * A batch size above the queue size is lowered to the queue size (as OpenTelemetry Go and JS do).
 */
export function resolveBatchConfig(
  options: BatchSpanProcessorOptions = {},
  env: Readonly<Record<string, string | undefined>> = options.env ?? process.env,
): BatchConfig {
  const problems: string[] = [];
  const out: Record<keyof BatchConfig, number> = { ...BATCH_DEFAULTS };
  for (const s of SETTINGS) {
    const range = `${s.min}..${s.max}`;
    const given = options[s.option];
    if (given !== undefined) {
      if (typeof given === 'number' && Number.isInteger(given) && given >= s.min && given <= s.max) out[s.option] = given;
      else problems.push(`${s.option} must be an integer ${range}, got ${String(given)}`);
      continue;
    }
    const raw = env[s.env];
    if (raw === undefined || raw.trim() === '') continue;
    const text = raw.trim();
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (value >= s.min && value <= s.max) out[s.option] = value;
    else problems.push(`${s.env}=${JSON.stringify(raw)} must be an integer ${range}`);
  }
  if (problems.length > 0) throw new BatchConfigError(problems);
  if (out.maxExportBatchSize > out.maxQueueSize) out.maxExportBatchSize = out.maxQueueSize;
  return Object.freeze(out);
}

/** Why spans were dropped (the `reason` label). */
export type DropReason = 'queue_full' | 'export_failed' | 'export_timeout' | 'rejected' | 'shutdown';
const DROP_REASONS: readonly DropReason[] = ['queue_full', 'export_failed', 'export_timeout', 'rejected', 'shutdown'];

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

const TIMED_OUT = Symbol('timed out');

/**
 * Resolves with the promise's value, or TIMED_OUT after `ms` (also when the promise rejects).
 * `keepAlive`: whether the timer holds the process open. Deadlines someone awaits (forceFlush,
 * shutdown) do, so `await shutdown()` always resumes; the export timeout alone does not.
 */
function withTimeout<T>(promise: Promise<T>, ms: number, keepAlive: boolean): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), ms);
    if (!keepAlive) timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(TIMED_OUT);
      },
    );
  });
}

function failure(error: unknown): ExportResult {
  return {
    kind: 'failure',
    error: error instanceof Error ? error : new Error(String(error)),
    retryable: false,
  };
}

/** Calls exporter.export outside any traced context; a throw or rejection becomes a failure result. */
function callExport(exporter: SpanExporter, spans: readonly SpanData[]): Promise<ExportResult> {
  try {
    const result = context.with(suppressTracing(ROOT_CONTEXT), () => exporter.export(spans));
    return Promise.resolve(result).then(
      (r) => r ?? failure(new Error('exporter returned no result')),
      (error: unknown) => failure(error),
    );
  } catch (error) {
    return Promise.resolve(failure(error));
  }
}

/** callExport for a batch of encoded spans. */
function callExportEncoded(exporter: SpanExporter, batch: EncodedSpanBatch): Promise<ExportResult> {
  try {
    const result = context.with(suppressTracing(ROOT_CONTEXT), () => exporter.exportEncoded!(batch));
    return Promise.resolve(result).then(
      (r) => r ?? failure(new Error('exporter returned no result')),
      (error: unknown) => failure(error),
    );
  } catch (error) {
    return Promise.resolve(failure(error));
  }
}

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
}

interface Metrics {
  readonly exported: Counter;
  readonly dropped: Readonly<Record<DropReason, CounterChild>>;
  readonly duration: Readonly<Record<'success' | 'failure' | 'timeout', HistogramChild>>;
}

/** Buckets for export durations: up to the default 30 s timeout and a minute beyond. */
const EXPORT_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

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
 * - Timers: the delay timer exists only while spans wait and, like the export timeout, is unref'd:
 *   an idle or waiting processor never holds the process open. The deadline of a forceFlush or
 *   shutdown someone awaits does hold it (so the await always resumes), for at most its timeout.
 *   If the loop runs dry with spans queued, they are exported at once (`flushOnExit`).
 *
 * Metrics, when a registry is given (all counters monotonic since start):
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
  /** Ring buffer of waiting spans. */
  private readonly ring: (SpanData | undefined)[];
  private head = 0;
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
  private timer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private state: 'open' | 'closing' | 'closed' = 'open';
  private shutdownResult: Promise<boolean> | undefined;
  private readonly exitHook: (() => void) | undefined;
  private readonly metrics: Metrics | undefined;
  /** With an encoding exporter: the queue, as batches in order (only the last one may be filling). */
  private readonly encoded: EncodedSpanBatch[] = [];
  /** Emptied batches kept for reuse. */
  private readonly spare: EncodedSpanBatch[] = [];
  private readonly encodes: boolean;
  private readonly counts = {
    exported: 0,
    exports: 0,
    dropped: { queue_full: 0, export_failed: 0, export_timeout: 0, rejected: 0, shutdown: 0 } as Record<DropReason, number>,
  };

  constructor(
    private readonly exporter: SpanExporter,
    options: BatchSpanProcessorOptions = {},
  ) {
    this.config = resolveBatchConfig(options);
    this.encodes = typeof exporter.createEncodedBatch === 'function' && typeof exporter.exportEncoded === 'function';
    this.ring = new Array<SpanData | undefined>(this.encodes ? 0 : this.config.maxQueueSize).fill(undefined);
    this.metrics = options.registry === undefined ? undefined : this.register(options.registry, options.metricLabels);
    if (options.flushOnExit !== false) {
      this.exitHook = () => {
        if (this.size > 0) this.flushSoon(this.enqueued);
      };
      process.on('beforeExit', this.exitHook);
    }
  }

  onStart(_span: Span): void {}

  onEnd(span: SpanData): void {
    if ((span.traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.state !== 'open') {
      this.drop('shutdown', 1);
      return;
    }
    const capacity = this.config.maxQueueSize;
    if (this.size === capacity) {
      this.drop('queue_full', 1);
      return;
    }
    if (this.encodes) {
      if (!this.encode(span)) return;
    } else {
      let slot = this.head + this.size;
      if (slot >= capacity) slot -= capacity;
      this.ring[slot] = span;
    }
    this.size++;
    this.enqueued++;
    if (this.exporting) return;
    if (this.size >= this.config.maxExportBatchSize) void this.drain();
    else if (this.timer === undefined) this.arm();
  }

  /** Encodes `span` into the last queued batch (a new one when it is full); false when that failed. */
  private encode(span: SpanData): boolean {
    try {
      const queue = this.encoded;
      let tail = queue[queue.length - 1];
      if (tail === undefined || tail.length >= this.config.maxExportBatchSize) {
        tail = this.spare.pop() ?? this.exporter.createEncodedBatch!();
        queue.push(tail);
      }
      tail.add(span);
      return true;
    } catch {
      this.drop('export_failed', 1);
      return false;
    }
  }

  /** Empties a batch whose export is over and keeps it for reuse (as many as the queue can fill). */
  private recycle(batch: EncodedSpanBatch): void {
    batch.clear();
    const keep = Math.ceil(this.config.maxQueueSize / this.config.maxExportBatchSize) + 1;
    if (this.spare.length < keep) this.spare.push(batch);
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
    if (this.exitHook !== undefined) process.off('beforeExit', this.exitHook);
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
    for (let i = 0; i < this.ring.length; i++) this.ring[i] = undefined;
    for (const batch of this.encoded) this.recycle(batch);
    this.encoded.length = 0;
    this.size = 0;
    this.head = 0;
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
    timer.unref();
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
        let batch: SpanData[] | EncodedSpanBatch;
        let n: number;
        if (this.encodes) {
          // Batches fill in order up to the batch size, so the first holds min(size, batchSize) spans.
          batch = this.encoded.shift()!;
          n = batch.length;
        } else {
          n = Math.min(this.size, batchSize);
          const spans = new Array<SpanData>(n);
          const ring = this.ring;
          let head = this.head;
          for (let i = 0; i < n; i++) {
            spans[i] = ring[head]!;
            ring[head] = undefined;
            if (++head === ring.length) head = 0;
          }
          this.head = head;
          batch = spans;
        }
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

  private async exportBatch(batch: SpanData[] | EncodedSpanBatch): Promise<void> {
    const n = batch.length;
    const started = performance.now();
    this.counts.exports++;
    const encoded = Array.isArray(batch) ? undefined : (batch as EncodedSpanBatch);
    const call = encoded === undefined ? callExport(this.exporter, batch as SpanData[]) : callExportEncoded(this.exporter, encoded);
    const outcome = await withTimeout(call, this.config.exportTimeoutMillis, false);
    const seconds = (performance.now() - started) / 1000;
    // The exporter is done with an encoded batch once its call settled, not before.
    if (encoded !== undefined) {
      if (outcome === TIMED_OUT) void call.then(() => this.recycle(encoded));
      else this.recycle(encoded);
    }
    if (outcome === TIMED_OUT) {
      this.pending = call;
      this.drop('export_timeout', n);
      this.metrics?.duration.timeout.observe(seconds);
    } else if (outcome.kind === 'success') {
      const rejected = Math.min(n, Math.max(0, Math.floor(outcome.rejectedSpans ?? 0)));
      this.counts.exported += n - rejected;
      this.metrics?.exported.inc(n - rejected);
      if (rejected > 0) this.drop('rejected', rejected);
      this.metrics?.duration.success.observe(seconds);
    } else {
      this.drop(failureReason(outcome.error), n);
      this.metrics?.duration.failure.observe(seconds);
    }
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
    this.metrics?.dropped[reason].inc(n);
  }

  private register(registry: Registry, constLabels: Readonly<Record<string, string>> = {}): Metrics {
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
    const queue: Gauge = new Gauge({
      name: 'zerotel_trace_queue_size',
      help: 'Spans waiting in the batch span processor queue.',
      constLabels,
      registers,
      collect: () => queue.set(this.size),
    });
    new Gauge({
      name: 'zerotel_trace_queue_capacity',
      help: 'Capacity of the batch span processor queue, in spans.',
      constLabels,
      registers,
    }).set(this.config.maxQueueSize);
    const byReason = {} as Record<DropReason, CounterChild>;
    for (const reason of DROP_REASONS) byReason[reason] = dropped.labels(reason);
    return {
      exported,
      dropped: byReason,
      duration: {
        success: duration.labels('success'),
        failure: duration.labels('failure'),
        timeout: duration.labels('timeout'),
      },
    };
  }
}

/**
 * Exports each sampled span as it ends, one call at a time (calls are chained, so the exporter still
 * never sees two at once). For tests and debugging: no batching, no queue limit.
 */
export class SimpleSpanProcessor implements SpanProcessor {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private shutdownResult: Promise<boolean> | undefined;

  constructor(private readonly exporter: SpanExporter) {}

  onStart(_span: Span): void {}

  onEnd(span: SpanData): void {
    if (this.closed || (span.traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.chain = this.chain.then(() => callExport(this.exporter, [span]).then(() => undefined));
  }

  async forceFlush(timeoutMillis = 30000): Promise<boolean> {
    return (await withTimeout(this.chain, Math.max(1, timeoutMillis), true)) !== TIMED_OUT;
  }

  shutdown(timeoutMillis = 30000): Promise<boolean> {
    this.shutdownResult ??= (async () => {
      this.closed = true;
      const deadline = performance.now() + timeoutMillis;
      const flushed = await this.forceFlush(timeoutMillis);
      const left = Math.max(1, deadline - performance.now());
      let closed: boolean;
      try {
        closed = (await withTimeout(Promise.resolve(this.exporter.shutdown()).then(() => true), left, true)) === true;
      } catch {
        closed = false;
      }
      return flushed && closed;
    })();
    return this.shutdownResult;
  }
}
