/**
 * OTLP metric exporters: a registry snapshot -> ExportMetricsServiceRequest -> one transport call, retried
 * by the OTLP rules -> one result. Over gRPC (the node:http2 transport) or over HTTP (`fetch`; protobuf to
 * `/v1/metrics`, or OTLP/JSON). Configuration as the trace exporter's: options > `OTEL_EXPORTER_OTLP_METRICS_*`
 * > `OTEL_EXPORTER_OTLP_*` > defaults. Failures are counted by reason and never thrown.
 */

import { type Env, processEnv } from '../config/env.js';
import type { FamilySnapshot } from '../metrics/snapshot.js';
import { defaultResource } from '../trace/tracer.js';
import { type OtlpExporterConfig, type OtlpExporterOptions, otlpProtocolFromEnv, resolveOtlpConfig } from './config.js';
import { decodeExportTraceResponse } from './decode-response.js';
import { grpcCodeName } from './grpc-code.js';
import { GrpcTransport } from './grpc-transport.js';
import { type HttpTransport, httpFailureReason } from './http-transport.js';
import { InFlight } from './in-flight.js';
import type { PushObserver } from './push-observer.js';
import { otlpHttpTransport } from './otlp-http.js';
import { type EncodedEnvelope, encodeEnvelope, encodeExportMetricsRequest } from './metrics-encode.js';
import { encodeExportMetricsJson } from './metrics-json.js';
import type { MetricsEnvelope, ResourceValue } from './metrics-model.js';
import { type Attemptable, type Clock, giveUpNote, systemClock, withRetryWithin, attemptsText } from './retry.js';
import { defaultUserAgent } from './user-agent.js';

const UTF8 = new TextEncoder();

/** Node's Buffer, where the runtime has it (workerd has not). */
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** A scratch buffer of its own memory: on Node not a slice of the shared pool, nor zero-filled. */
function allocateScratch(size: number): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.allocUnsafeSlow(size) : new Uint8Array(size);
}

/** The reused request buffer never grows past this (larger requests get a buffer of their own). */
const MAX_SCRATCH_BYTES = 8 * 1024 * 1024;

/** The gRPC method of metric exports. */
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

export interface OtlpMetricExporterOptions extends OtlpExporterOptions {
  /** Resource attributes, over the default resource (`service.name` from OTEL_SERVICE_NAME, ...). */
  readonly resource?: Readonly<Record<string, ResourceValue>>;
  /** Environment to read `OTEL_*` from; default `process.env`. */
  readonly env?: Env;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Told about deliveries, failures and retries; `pushMetrics(registry, OTLP_METRIC_EXPORT_METRICS)` counts them. */
  readonly observer?: PushObserver;
}

export interface OtlpHttpMetricExporterOptions extends OtlpMetricExporterOptions {
  /** 'http/protobuf' (default) or 'http/json'; default from OTEL_EXPORTER_OTLP_[METRICS_]PROTOCOL. */
  readonly protocol?: 'http/protobuf' | 'http/json';
  readonly fetch?: typeof fetch;
}

/** What one export did: how many points were sent, or why none were delivered. */
export type MetricExportResult =
  | { readonly kind: 'success'; readonly points: number; readonly rejectedPoints: number; readonly message?: string }
  | {
      readonly kind: 'failure';
      readonly points: number;
      readonly reason: string;
      readonly message: string;
      readonly attempts: number;
    };

/** Running totals of an exporter. */
export interface MetricExporterStats {
  exportedPoints: number;
  rejectedPoints: number;
  /** Points not delivered, by reason (gRPC code name or HTTP status in lower case, `shutdown`, `encode_error`). */
  readonly failedPoints: Record<string, number>;
  retries: number;
}

/** One attempt's failure as every transport reports it. */
type AttemptFailure = Extract<Attemptable, { kind: 'failure' }> & { readonly reason: string; readonly message: string };
type Attempt = { readonly kind: 'success'; readonly body: Uint8Array } | AttemptFailure;

/** The protocol-independent part: encode, retry within the timeout, account. */
abstract class MetricExporterBase {
  readonly config: OtlpExporterConfig;
  readonly stats: MetricExporterStats = { exportedPoints: 0, rejectedPoints: 0, failedPoints: {}, retries: 0 };
  protected readonly envelope: MetricsEnvelope;
  private readonly clock: Clock;
  private readonly random: (() => number) | undefined;
  private readonly observer: PushObserver | undefined;
  private readonly stop = new AbortController();
  private readonly inFlight = new InFlight<MetricExportResult>();
  private closed = false;

  constructor(options: OtlpMetricExporterOptions, transport: 'grpc' | 'http') {
    const env = options.env ?? processEnv();
    this.config = resolveOtlpConfig(options, env, undefined, { signal: 'metrics', transport });
    this.envelope = {
      resource: resourceAttributes(options.resource, env),
      scope: { name: 'zerotel', version: zerotelVersion() },
    };
    this.clock = options.clock ?? systemClock;
    this.random = options.random;
    this.observer = options.observer;
  }

  /** Encodes a request, into `into` when it is large enough (a view of it is returned then). */
  protected abstract encode(
    families: readonly FamilySnapshot[],
    timeMs: number,
    into: Uint8Array | undefined,
  ): Uint8Array;

  /**
   * The buffer requests are encoded into, reused from one export to the next: a fresh half-megabyte
   * buffer per export costs more (allocation, first-touch page faults) than encoding into it. Lent to one
   * export at a time, and lent again only after an export the receiver answered with success: by then it
   * has read the whole request. After any other outcome bytes could still be queued, so it is given up.
   */
  private scratch: Uint8Array | undefined;
  private scratchLent = false;
  protected abstract send(body: Uint8Array, timeoutMs: number): Promise<Attempt>;
  protected abstract close(): Promise<void>;

  /** Exports one snapshot (families without series send nothing). Never rejects. */
  export(families: readonly FamilySnapshot[]): Promise<MetricExportResult> {
    return this.inFlight.track(this.run(families));
  }

  /** Ends any backoff at once, waits for exports in flight, closes the connection. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    await this.inFlight.settled();
    await this.close();
  }

  private async run(families: readonly FamilySnapshot[]): Promise<MetricExportResult> {
    const points = countPoints(families);
    if (this.closed) return this.fail(points, 'shutdown', 'the exporter is shut down', 0);
    if (points === 0) return { kind: 'success', points: 0, rejectedPoints: 0 };
    const scratch = this.scratchLent ? undefined : this.scratch;
    if (scratch !== undefined) this.scratchLent = true;
    let body: Uint8Array;
    try {
      body = this.encode(families, Date.now(), scratch);
    } catch (err) {
      if (scratch !== undefined) this.scratchLent = false;
      return this.fail(points, 'encode_error', `could not encode the metrics: ${(err as Error).message}`, 0);
    }
    let result: MetricExportResult | undefined;
    try {
      result = await this.deliver(points, body);
      return result;
    } finally {
      this.settleScratch(scratch, body, result?.kind === 'success');
    }
  }

  /** Protobuf exporters encode into the reused buffer; the JSON one does not. */
  protected get usesScratch(): boolean {
    return true;
  }

  /** Keeps the scratch buffer after a success, or makes one that fits the request that did not fit. */
  private settleScratch(lent: Uint8Array | undefined, body: Uint8Array, answered: boolean): void {
    if (lent !== undefined) {
      this.scratchLent = false;
      if (!answered) this.scratch = undefined;
    }
    const fitted = lent !== undefined && body.buffer === lent.buffer && body.byteOffset === lent.byteOffset;
    if (answered && !fitted && this.usesScratch && !this.scratchLent && body.length <= MAX_SCRATCH_BYTES) {
      this.scratch = allocateScratch(Math.min(MAX_SCRATCH_BYTES, Math.ceil(body.length * 1.25)));
    }
  }

  private async deliver(points: number, body: Uint8Array): Promise<MetricExportResult> {
    const outcome = await withRetryWithin<Attempt>(this.config.timeoutMs, (remaining) => this.send(body, remaining), {
      policy: this.config.retry,
      clock: this.clock,
      signal: this.stop.signal,
      ...(this.random !== undefined ? { random: this.random } : {}),
      onRetry: (failure) => {
        this.stats.retries++;
        this.observer?.retried(failure.reason);
      },
    });
    const { result, attempts } = outcome;
    if (result.kind === 'success') return this.delivered(points, result.body);
    const why = giveUpNote(outcome);
    return this.fail(
      points,
      outcome.gaveUp === 'cancelled' ? 'shutdown' : result.reason,
      `OTLP export of ${points} metric points to ${this.config.endpoint} failed after ${attemptsText(attempts)}: ${result.message}${why}`,
      attempts,
    );
  }

  private delivered(points: number, body: Uint8Array): MetricExportResult {
    let rejected = 0;
    let message: string | undefined;
    try {
      // ExportMetricsServiceResponse has the trace response's shape: partial_success {rejected count, message}.
      const response = decodeExportTraceResponse(body);
      if (response.partialSuccess) {
        rejected = Math.min(Math.max(0, response.rejectedSpans), points);
        if (response.errorMessage !== '') message = response.errorMessage;
      }
    } catch {
      // A JSON answer, or an unreadable one: the server said 2xx/OK, which is what counts.
    }
    this.stats.exportedPoints += points - rejected;
    this.stats.rejectedPoints += rejected;
    this.observer?.delivered(points - rejected);
    if (rejected > 0) this.observer?.failed(rejected, 'rejected');
    return { kind: 'success', points, rejectedPoints: rejected, ...(message !== undefined ? { message } : {}) };
  }

  private fail(points: number, reason: string, message: string, attempts: number): MetricExportResult {
    this.stats.failedPoints[reason] = (this.stats.failedPoints[reason] ?? 0) + points;
    this.observer?.failed(points, reason);
    return { kind: 'failure', points, reason, message, attempts };
  }
}

/** Exports metrics over OTLP/HTTP, protobuf (`application/x-protobuf`) or JSON (`application/json`). */
export class OtlpHttpMetricExporter extends MetricExporterBase {
  readonly protocol: 'http/protobuf' | 'http/json';
  private readonly transport: HttpTransport;
  private encoded: EncodedEnvelope | undefined;

  constructor(options: OtlpHttpMetricExporterOptions = {}) {
    super(options, 'http');
    this.protocol = options.protocol ?? protocolFromEnv(options.env ?? processEnv());
    this.transport = otlpHttpTransport(this.config, this.protocol, options.fetch);
  }

  protected override get usesScratch(): boolean {
    return this.protocol !== 'http/json';
  }

  protected encode(families: readonly FamilySnapshot[], timeMs: number, into: Uint8Array | undefined): Uint8Array {
    if (this.protocol === 'http/json') return UTF8.encode(encodeExportMetricsJson(families, this.envelope, timeMs));
    this.encoded ??= encodeEnvelope(this.envelope);
    return encodeExportMetricsRequest(families, this.encoded, timeMs, into);
  }

  protected async send(body: Uint8Array, timeoutMs: number): Promise<Attempt> {
    const result = await this.transport.post(body, timeoutMs);
    if (result.kind === 'success') return { kind: 'success', body: result.body };
    return { ...result, reason: httpFailureReason(result.status) };
  }

  protected close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Exports metrics over OTLP/gRPC, through the same node:http2 transport as the trace exporter. */
export class OtlpGrpcMetricExporter extends MetricExporterBase {
  private readonly transport: GrpcTransport;
  private readonly encoded: EncodedEnvelope;

  constructor(options: OtlpMetricExporterOptions = {}) {
    super(options, 'grpc');
    const { endpoint, headers, compression, ca, cert, key } = this.config;
    this.transport = new GrpcTransport({
      endpoint,
      compression,
      metadata: headers,
      path: METRICS_EXPORT_PATH,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
    });
    this.encoded = encodeEnvelope(this.envelope);
  }

  protected encode(families: readonly FamilySnapshot[], timeMs: number, into: Uint8Array | undefined): Uint8Array {
    return encodeExportMetricsRequest(families, this.encoded, timeMs, into);
  }

  protected async send(body: Uint8Array, timeoutMs: number): Promise<Attempt> {
    const result = await this.transport.unary(body, timeoutMs);
    if (result.kind === 'success') return { kind: 'success', body: result.body };
    return {
      ...result,
      reason: grpcCodeName(result.code).toLowerCase(),
      message: `${grpcCodeName(result.code)}: ${result.message}`,
    };
  }

  protected close(): Promise<void> {
    return this.transport.close();
  }
}

/**
 * OTEL_EXPORTER_OTLP_[METRICS_]PROTOCOL for the HTTP exporter: its encoding; grpc (a generic setting
 * meant for other exporters) keeps the default encoding. A value the specification does not name throws.
 */
function protocolFromEnv(env: Env): 'http/protobuf' | 'http/json' {
  const asked = otlpProtocolFromEnv(env, 'metrics')?.protocol;
  return asked === 'http/json' ? 'http/json' : 'http/protobuf';
}

function resourceAttributes(
  extra: Readonly<Record<string, ResourceValue>> | undefined,
  env: Env,
): Record<string, ResourceValue> {
  const out: Record<string, ResourceValue> = {};
  for (const [k, v] of Object.entries(defaultResource({ env }).attributes)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (v !== undefined && v !== null) out[k] = String(v);
  }
  return { ...out, ...extra };
}

function zerotelVersion(): string {
  return defaultUserAgent().slice('zerotel/'.length);
}

/** Data points a snapshot becomes: one per series. */
export function countPoints(families: readonly FamilySnapshot[]): number {
  let n = 0;
  for (const family of families) n += family.series.length;
  return n;
}
