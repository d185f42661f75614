/**
 * The OTLP/gRPC span exporter: spans -> encoded ExportTraceServiceRequest -> gRPC call -> retries ->
 * one ExportResult. Each step lives in its own module; this one composes them and keeps the books:
 * what was delivered, rejected or dropped (and why), as metrics and as rate-limited warnings.
 */

import { type Env, processEnv } from '../config/env.js';
import { OtlpExportError, type FailureReason } from './export-error.js';
import type { Registry } from '../metrics/registry.js';
import type { EncodedSpanBatch, ExportResult, SpanData, SpanExporter } from '../trace/span-data.js';
import { type OtlpExporterConfig, type OtlpExporterOptions, resolveOtlpConfig } from './config.js';
import { decodeExportTraceResponse } from './decode-response.js';
import { type EncodeScratch, SpanArena, SpanEncoder } from './span-encoding/index.js';
import { type CallFailure, type CallResult, GrpcCode, GrpcTransport, grpcCodeName } from './grpc-transport.js';
import { InFlight } from './in-flight.js';
import { type Clock, giveUpNote, systemClock, withRetryWithin, attemptsText } from './retry.js';
import { type SpanExportObserver, exportObserver } from './span-export-observer.js';

/** Where the exporter's warnings go. */
export interface ExporterLogger {
  warn(message: string): void;
}

export interface OtlpGrpcTraceExporterOptions extends OtlpExporterOptions {
  /**
   * Registry for the exporter's own metrics (through exporter-metrics.ts, which the `zerotel` and
   * `zerotel/otlp` entries load); none are kept without one.
   */
  readonly registry?: Registry;
  /** Told about exports, failures and retries as they happen (in addition to `registry`, if both are given). */
  readonly observer?: SpanExportObserver;
  /**
   * Where warnings go: a function taking the message, or an object with a `warn` method. Default:
   * `console.warn`. Anything else is refused by the constructor. Every message goes through the rate limit.
   */
  readonly logger?: ExporterLogger | ((message: string) => void);
  /** The same warning is logged at most once per this many ms (with a count of those held back). Default 60 000. */
  readonly logIntervalMs?: number;
  /** Time for retries and durations; tests inject one. */
  readonly clock?: Clock;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  /** Environment to read `OTEL_EXPORTER_OTLP_*` from; default `process.env`. */
  readonly env?: Env;
}

export { OtlpExportError, type FailureReason } from './export-error.js';

/** At most this many distinct failures are remembered by the rate limit. */
const MAX_REMEMBERED_MESSAGES = 100;

/**
 * Logs each distinct failure (by key: its reason and the server's words, not the span counts) at most once
 * per interval, then says how many repeats were held back. Uses timestamps only: no timers to clean up.
 */
class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: ExporterLogger,
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Logs `message` unless the same `key` was logged less than an interval ago. */
  warn(key: string, message: string): void {
    const now = this.clock.now();
    const seen = this.last.get(key);
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    if (seen === undefined && this.last.size >= MAX_REMEMBERED_MESSAGES) this.last.clear();
    const held = seen?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    try {
      this.logger.warn(held > 0 ? `${message} (${held} more like this since last logged)` : message);
    } catch {
      // A broken logger must not break exporting.
    }
  }
}

const consoleLogger: ExporterLogger = { warn: (message) => console.warn(message) };

/** The logger option as an ExporterLogger; a wrong one is a programmer mistake, refused at once. */
function toLogger(logger: unknown): ExporterLogger {
  if (logger === undefined) return consoleLogger;
  if (typeof logger === 'function') return { warn: (message) => (logger as (message: string) => void)(message) };
  if (logger !== null && typeof logger === 'object' && typeof (logger as { warn?: unknown }).warn === 'function') {
    return logger as ExporterLogger;
  }
  const got = logger === null ? 'null' : typeof logger === 'object' ? 'an object without a warn method' : typeof logger;
  throw new TypeError(`OtlpGrpcTraceExporter: logger must be a function or an object with a warn method, got ${got}`);
}

/**
 * Exports spans to an OpenTelemetry collector over OTLP/gRPC.
 *
 * - Configuration: options > `OTEL_EXPORTER_OTLP_(TRACES_)*` > defaults; an invalid one throws
 *   {@link OtlpConfigError} from the constructor, listing every problem.
 * - One export takes at most `timeoutMs` (default 10 s), retries and backoff included, as OpenTelemetry
 *   Go bounds it; retryable failures are retried with exponential backoff and the server's RetryInfo.
 * - `export()` never rejects. A partial success is a success carrying `rejectedSpans`: logged, counted,
 *   never retried. A failure means nothing was delivered; it is logged, counted and not retried by anyone.
 * - `shutdown()` ends any backoff sleep at once, waits for a call in flight (bounded by its deadline) and
 *   closes the connection. Exports after shutdown fail with reason `shutdown`.
 *
 * Metrics (when given a registry): `zerotel_otlp_exported_spans_total`, `zerotel_otlp_failed_spans_total{reason}`,
 * `zerotel_otlp_rejected_spans_total`, `zerotel_otlp_retries_total{code}`,
 * `zerotel_otlp_export_duration_seconds{result}`.
 */
export class OtlpGrpcTraceExporter implements SpanExporter {
  readonly config: OtlpExporterConfig;
  private readonly transport: GrpcTransport;
  private readonly observer: SpanExportObserver | undefined;
  private readonly log: RateLimitedLog;
  private readonly clock: Clock;
  private readonly random: (() => number) | undefined;
  private readonly stop = new AbortController();
  private readonly inFlight = new InFlight<ExportResult>();
  private closing: Promise<void> | undefined;
  /**
   * The Buffer requests are encoded into, reused from one export to the next instead of allocating
   * ~0.5 KB per span for every request. Lent to one export at a time (`scratchLent`); an export
   * starting while another holds it gets a Buffer of its own. It is lent again only after an export
   * the server answered: by then the server has read the whole request, so HTTP/2 holds none of its
   * bytes. After any other outcome (deadline, reset, lost connection) queued bytes could still refer
   * to it, so it is given up and a fresh one is made.
   */
  private scratch: EncodeScratch = { buffer: undefined };
  /** Keeps the field caches from one export to the next; its arenas share them. */
  private readonly encoder = new SpanEncoder();
  private scratchLent = false;

  constructor(options: OtlpGrpcTraceExporterOptions = {}) {
    this.config = resolveOtlpConfig(options, options.env ?? processEnv());
    const { endpoint, ca, cert, key, compression, headers } = this.config;
    this.transport = new GrpcTransport({
      endpoint,
      compression,
      metadata: headers,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
    });
    this.clock = options.clock ?? systemClock;
    this.random = options.random;
    this.log = new RateLimitedLog(toLogger(options.logger), options.logIntervalMs ?? 60_000, this.clock);
    this.observer = exportObserver(options);
  }

  /** HTTP/2 sessions opened so far (1 while the first connection holds). */
  get sessionsOpened(): number {
    return this.transport.sessionsOpened;
  }

  export(spans: readonly SpanData[]): Promise<ExportResult> {
    if (this.closing !== undefined) {
      return Promise.resolve(
        this.fail(
          spans.length,
          new OtlpExportError('the exporter is shut down', GrpcCode.CANCELLED, 'shutdown', 0),
          undefined,
        ),
      );
    }
    if (spans.length === 0) return Promise.resolve({ kind: 'success' });
    return this.track(this.run(spans.length, (scratch) => this.encoder.encodeToBuffer(spans, scratch)));
  }

  /**
   * A batch that encodes spans as they are added, for a batch processor to keep instead of span
   * objects; export it with {@link exportEncoded}.
   */
  createEncodedBatch(): EncodedSpanBatch {
    return this.encoder.createArena();
  }

  /** Exports a batch made by {@link createEncodedBatch}, exactly as `export` would export its spans. */
  exportEncoded(batch: EncodedSpanBatch): Promise<ExportResult> {
    const count = batch.length;
    if (!(batch instanceof SpanArena)) {
      const error = new OtlpExportError('the batch was not made by this exporter', GrpcCode.UNKNOWN, 'encode_error', 0);
      return Promise.resolve(this.fail(count, error, error.message));
    }
    if (this.closing !== undefined) {
      return Promise.resolve(
        this.fail(
          count,
          new OtlpExportError('the exporter is shut down', GrpcCode.CANCELLED, 'shutdown', 0),
          undefined,
        ),
      );
    }
    if (count === 0) return Promise.resolve({ kind: 'success' });
    return this.track(this.run(count, (scratch) => batch.encodeRequest(scratch)));
  }

  private track(run: Promise<ExportResult>): Promise<ExportResult> {
    return this.inFlight.track(run);
  }

  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      await this.inFlight.settled();
      await this.transport.close();
    })();
    return this.closing;
  }

  private async run(count: number, encode: (scratch: EncodeScratch | undefined) => Buffer): Promise<ExportResult> {
    const scratch = this.scratchLent ? undefined : this.scratch;
    if (scratch === undefined) return this.attempt(count, encode, undefined);
    this.scratchLent = true;
    let answered = false;
    try {
      const result = await this.attempt(count, encode, scratch);
      answered = result.kind === 'success';
      return result;
    } finally {
      if (!answered && this.scratch === scratch) this.scratch = { buffer: undefined };
      this.scratchLent = false;
    }
  }

  private async attempt(
    count: number,
    encode: (scratch: EncodeScratch | undefined) => Buffer,
    scratch: EncodeScratch | undefined,
  ): Promise<ExportResult> {
    const started = this.clock.now();
    let request: Buffer;
    try {
      request = encode(scratch);
    } catch (err) {
      const error = new OtlpExportError(
        `OTLP export of ${count} spans failed: could not encode them: ${(err as Error).message}`,
        GrpcCode.UNKNOWN,
        'encode_error',
        0,
      );
      return this.finish(started, this.fail(count, error, (err as Error).message));
    }
    // The budget started before encoding: what is left of it bounds the attempts and sleeps.
    const outcome = await withRetryWithin<CallResult>(
      started + this.config.timeoutMs - this.clock.now(),
      (remaining) => this.transport.unary(request, remaining),
      {
        policy: this.config.retry,
        clock: this.clock,
        signal: this.stop.signal,
        ...(this.random !== undefined ? { random: this.random } : {}),
        onRetry: (failure) => this.observer?.retried(grpcCodeName(failure.code)),
      },
    );
    const { result, attempts } = outcome;
    if (result.kind === 'success') return this.finish(started, this.delivered(count, result.body));
    const reason: FailureReason = outcome.gaveUp === 'cancelled' ? 'shutdown' : reasonOf(result);
    const why = giveUpNote(outcome);
    const error = new OtlpExportError(
      `OTLP export of ${count} spans to ${this.config.endpoint} failed after ${attemptsText(attempts)}: ` +
        `${grpcCodeName(result.code)}: ${result.message}${why}`,
      result.code,
      reason,
      attempts,
    );
    return this.finish(started, this.fail(count, error, `${result.message}${why}`));
  }

  /** Accounts for a successful call, reading any partial success out of the response. */
  private delivered(count: number, body: Buffer): ExportResult {
    let rejected = 0;
    let message = '';
    try {
      const response = decodeExportTraceResponse(body);
      if (response.partialSuccess) {
        rejected = Math.min(Math.max(0, response.rejectedSpans), count);
        message = response.errorMessage;
      }
    } catch (err) {
      // The server said OK; an unreadable body cannot undo that, but it is worth a word.
      this.log.warn(
        'unreadable-response',
        `zerotel: OTLP export succeeded but its response could not be read: ${(err as Error).message}`,
      );
    }
    this.observer?.exported(count - rejected);
    if (rejected > 0) this.observer?.rejected(rejected);
    if (rejected > 0 || message !== '') {
      this.log.warn(
        `partial:${message}`,
        rejected > 0
          ? `zerotel: OTLP collector rejected ${rejected} of ${count} spans${message === '' ? '' : `: ${message}`}`
          : `zerotel: OTLP collector accepted all spans with a warning: ${message}`,
      );
      return message === ''
        ? { kind: 'success', rejectedSpans: rejected }
        : { kind: 'success', rejectedSpans: rejected, message };
    }
    return { kind: 'success' };
  }

  private fail(count: number, error: OtlpExportError, detail: string | undefined): ExportResult {
    this.observer?.failed(count, error.reason);
    if (detail !== undefined) this.log.warn(`${error.reason}:${detail}`, `zerotel: ${error.message}`);
    return { kind: 'failure', error, retryable: false };
  }

  private finish(started: number, result: ExportResult): ExportResult {
    this.observer?.exportEnded(result.kind, Math.max(0, this.clock.now() - started) / 1000);
    return result;
  }
}

function reasonOf(failure: CallFailure): FailureReason {
  return grpcCodeName(failure.code).toLowerCase() as FailureReason;
}
