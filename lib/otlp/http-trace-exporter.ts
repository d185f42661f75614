/**
 * Exports spans over OTLP/HTTP: protobuf (the trace encoder's bytes) or OTLP/JSON, POSTed to `/v1/traces`
 * with `fetch`, so it runs on every runtime; with a custom CA or client certificate on Node, through
 * node:https. Retries 429/502/503/504 honouring `Retry-After`, with the gRPC exporter's backoff and time
 * budget; gzip and headers as there. Configuration: options > `OTEL_EXPORTER_OTLP_TRACES_*` >
 * `OTEL_EXPORTER_OTLP_*` (the generic endpoint a base URL that gets `/v1/traces`) > `http://localhost:4318/v1/traces`.
 * `export()` never rejects; failures are counted in `stats` by reason and, with a `registry`, in the same
 * `zerotel_otlp_*` metrics as the gRPC exporter (retries labelled `http_<status>` or `unavailable`).
 */

import { type Env, processEnv } from '../config/env.js';
import type { Registry } from '../metrics/registry.js';

import type { ExportResult, SpanData, SpanExporter } from '../trace/span-data.js';
import { type OtlpExporterConfig, type OtlpExporterOptions, resolveOtlpConfig } from './config.js';
import { decodeExportTraceResponse } from './decode-response.js';
import { SpanEncoder } from './span-encoding/index.js';
import { GrpcCode } from './grpc-code.js';
import { type HttpTransport, httpFailureReason } from './http-transport.js';
import { InFlight } from './in-flight.js';
import { otlpHttpTransport } from './otlp-http.js';
import { OtlpExportError } from './export-error.js';
import { type Clock, giveUpNote, systemClock, withRetryWithin, attemptsText } from './retry.js';
import { type SpanExportObserver, exportObserver } from './span-export-observer.js';
import { encodeExportTraceJson } from './trace-json.js';

const UTF8 = new TextEncoder();

export interface OtlpHttpTraceExporterOptions extends OtlpExporterOptions {
  /** 'http/protobuf' (default) or 'http/json'. */
  readonly protocol?: 'http/protobuf' | 'http/json';
  readonly env?: Env;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** Registry for the exporter's own metrics, as the gRPC exporter's; none are kept without one. */
  readonly registry?: Registry;
  /** Told about exports, failures and retries as they happen (in addition to `registry`, if both are given). */
  readonly observer?: SpanExportObserver;
}

/** Running totals of an exporter. */
export interface SpanExporterStats {
  exportedSpans: number;
  rejectedSpans: number;
  /** Spans not delivered, by reason: `http_<status>`, `unavailable` (no answer), `encode_error`, `shutdown`. */
  readonly failedSpans: Record<string, number>;
  retries: number;
}

export class OtlpHttpTraceExporter implements SpanExporter {
  readonly config: OtlpExporterConfig;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly stats: SpanExporterStats = { exportedSpans: 0, rejectedSpans: 0, failedSpans: {}, retries: 0 };
  private readonly transport: HttpTransport;
  private readonly clock: Clock;
  private readonly random: (() => number) | undefined;
  private readonly observer: SpanExportObserver | undefined;
  private readonly stop = new AbortController();
  private readonly inFlight = new InFlight<ExportResult>();
  private closing: Promise<void> | undefined;
  /** Keeps the field caches from one export to the next. */
  private readonly encoder = new SpanEncoder();

  /** Throws ConfigError listing every problem of an invalid configuration. */
  constructor(options: OtlpHttpTraceExporterOptions = {}) {
    this.config = resolveOtlpConfig(options, options.env ?? processEnv(), undefined, {
      signal: 'traces',
      transport: 'http',
    });
    this.protocol = options.protocol ?? 'http/protobuf';
    this.transport = otlpHttpTransport(this.config, this.protocol, options.fetch);
    this.clock = options.clock ?? systemClock;
    this.random = options.random;
    this.observer = exportObserver(options);
  }

  export(spans: readonly SpanData[]): Promise<ExportResult> {
    if (this.closing !== undefined)
      return Promise.resolve(this.fail(spans.length, 'shutdown', 'the exporter is shut down', GrpcCode.CANCELLED, 0));
    if (spans.length === 0) return Promise.resolve({ kind: 'success' });
    return this.inFlight.track(this.timed(spans));
  }

  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      await this.inFlight.settled();
    })();
    return this.closing;
  }

  private async timed(spans: readonly SpanData[]): Promise<ExportResult> {
    const started = this.clock.now();
    const result = await this.run(spans);
    this.observer?.exportEnded(result.kind, Math.max(0, this.clock.now() - started) / 1000);
    return result;
  }

  private async run(spans: readonly SpanData[]): Promise<ExportResult> {
    const count = spans.length;
    let body: Uint8Array;
    try {
      body = this.protocol === 'http/json' ? UTF8.encode(encodeExportTraceJson(spans)) : this.encoder.encode(spans);
    } catch (err) {
      return this.fail(count, 'encode_error', `could not encode them: ${(err as Error).message}`, GrpcCode.UNKNOWN, 0);
    }
    const outcome = await withRetryWithin(this.config.timeoutMs, (remaining) => this.transport.post(body, remaining), {
      policy: this.config.retry,
      clock: this.clock,
      signal: this.stop.signal,
      ...(this.random !== undefined ? { random: this.random } : {}),
      onRetry: (failure) => {
        this.stats.retries++;
        this.observer?.retried(httpFailureReason(failure.status));
      },
    });
    const { result, attempts } = outcome;
    if (result.kind === 'success') {
      let rejected = 0;
      let message = '';
      if (this.protocol === 'http/protobuf') {
        try {
          const response = decodeExportTraceResponse(result.body);
          rejected = response.partialSuccess ? Math.min(Math.max(0, response.rejectedSpans), count) : 0;
          message = response.errorMessage;
        } catch {
          // The server said 2xx; an unreadable body cannot undo that.
        }
      }
      this.stats.exportedSpans += count - rejected;
      this.stats.rejectedSpans += rejected;
      this.observer?.exported(count - rejected);
      if (rejected > 0) this.observer?.rejected(rejected);
      if (rejected === 0 && message === '') return { kind: 'success' };
      return message === ''
        ? { kind: 'success', rejectedSpans: rejected }
        : { kind: 'success', rejectedSpans: rejected, message };
    }
    const reason = outcome.gaveUp === 'cancelled' ? 'shutdown' : httpFailureReason(result.status);
    const why = giveUpNote(outcome);
    return this.fail(
      count,
      reason,
      `${result.message}${why}`,
      result.status === 0 ? GrpcCode.UNAVAILABLE : GrpcCode.UNKNOWN,
      attempts,
    );
  }

  private fail(count: number, reason: string, detail: string, code: GrpcCode, attempts: number): ExportResult {
    this.stats.failedSpans[reason] = (this.stats.failedSpans[reason] ?? 0) + count;
    this.observer?.failed(count, reason);
    const error = new OtlpExportError(
      `OTLP/HTTP export of ${count} spans to ${this.config.endpoint} failed after ${attemptsText(attempts)}: ${detail}`,
      code,
      reason as Lowercase<string>,
      attempts,
    );
    return { kind: 'failure', error, retryable: false };
  }
}
