/**
 * Prometheus remote write 1.0: a registry's series, snappy-compressed, POSTed to a receiver (Prometheus with
 * `--web.enable-remote-write-receiver`, Mimir, Thanos, Cortex...). Retries 5xx and 429 with the OTLP
 * exporters' backoff (honouring `Retry-After`); a 4xx other than 429 means the receiver will never take these
 * samples, so they are dropped and counted, not retried.
 */

import type { Registry } from '../metrics/registry.js';
import type { FamilySnapshot } from '../metrics/snapshot.js';
import { type HttpFailure, HttpTransport, httpFailureReason } from '../otlp/http-transport.js';
import type { PushObserver } from '../otlp/push-observer.js';
import { MAX_TIMER_MS } from '../config/values.js';
import {
  type Clock,
  DEFAULT_RETRY_POLICY,
  giveUpNote,
  type RetryPolicy,
  systemClock,
  withRetryWithin,
  attemptsText,
} from '../otlp/retry.js';
import { encodeWriteRequest } from './remote-write-encode.js';
import { snappyCompress } from './snappy.js';

export interface RemoteWriteOptions {
  /** The receiver's write URL, e.g. `http://prometheus:9090/api/v1/write`. */
  readonly url: string;
  /** Extra headers (authorization, tenant id such as `X-Scope-OrgID`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time for one push, retries included (ms). Default 10 000. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** PEM trust roots and client identity for https receivers. */
  readonly ca?: string | Uint8Array;
  readonly cert?: string | Uint8Array;
  readonly key?: string | Uint8Array;
  /** Told about deliveries, failures and retries; `pushMetrics(registry, REMOTE_WRITE_METRICS)` counts them. */
  readonly observer?: PushObserver;
}

/** What one push did. */
export type RemoteWriteResult =
  | { readonly kind: 'success'; readonly status: number; readonly attempts: number; readonly samples: number }
  | {
      readonly kind: 'failure';
      /** HTTP status of the last attempt; 0 when nothing answered. */
      readonly status: number;
      readonly message: string;
      readonly attempts: number;
      readonly samples: number;
    };

/** Counts kept by a client: what was delivered and what was lost, by cause. */
export interface RemoteWriteStats {
  sentSamples: number;
  /** Samples refused for good (a 4xx other than 429). */
  droppedSamples: number;
  /** Samples given up on after retryable failures ran out of time. */
  failedSamples: number;
  retries: number;
}

/** The headers remote write 1.0 requires. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
});

/** Remote write retries server errors and throttling; every other answer is final. */
export function isRetryableRemoteWriteStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Pushes registry snapshots by remote write. One client per receiver; it keeps no connection state. */
export class RemoteWriteClient {
  readonly stats: RemoteWriteStats = { sentSamples: 0, droppedSamples: 0, failedSamples: 0, retries: 0 };
  private readonly transport: HttpTransport;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;

  constructor(private readonly options: RemoteWriteOptions) {
    const { url, ca, cert, key } = options;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`remote write url ${JSON.stringify(url)} is not a valid URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`remote write url must be http: or https:, got ${JSON.stringify(url)}`);
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
      throw new TypeError(
        `remote write timeoutMs must be a positive number up to ${MAX_TIMER_MS}, got ${String(options.timeoutMs)}`,
      );
    }
    this.timeoutMs = timeoutMs;
    this.policy = Object.freeze({ ...DEFAULT_RETRY_POLICY, ...options.retry });
    this.clock = options.clock ?? systemClock;
    this.transport = new HttpTransport({
      url,
      contentType: 'application/x-protobuf',
      headers: { ...options.headers, ...REMOTE_WRITE_HEADERS },
      retryableStatus: isRetryableRemoteWriteStatus,
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
    });
  }

  /** Gathers `registry` (awaiting async collect callbacks) and pushes it once. Never rejects. */
  async push(registry: Registry): Promise<RemoteWriteResult> {
    let families: FamilySnapshot[];
    try {
      families = await registry.collectAsync();
    } catch (err) {
      return {
        kind: 'failure',
        status: 0,
        message: `could not gather the registry: ${(err as Error).message}`,
        attempts: 0,
        samples: 0,
      };
    }
    return this.pushFamilies(families);
  }

  /** Pushes a snapshot once, samples stamped now. Never rejects. */
  async pushFamilies(families: readonly FamilySnapshot[]): Promise<RemoteWriteResult> {
    let body: Uint8Array;
    let samples: number;
    try {
      const request = encodeWriteRequest(families, Date.now());
      samples = countSamples(families);
      body = snappyCompress(request);
    } catch (err) {
      return {
        kind: 'failure',
        status: 0,
        message: `could not encode the samples: ${(err as Error).message}`,
        attempts: 0,
        samples: 0,
      };
    }
    const outcome = await withRetryWithin(this.timeoutMs, (remaining) => this.transport.post(body, remaining), {
      policy: this.policy,
      clock: this.clock,
      ...(this.options.random !== undefined ? { random: this.options.random } : {}),
      onRetry: (failure) => {
        this.stats.retries++;
        this.options.observer?.retried(httpFailureReason(failure.status));
      },
    });
    const { result, attempts } = outcome;
    if (result.kind === 'success') {
      this.stats.sentSamples += samples;
      this.options.observer?.delivered(samples);
      return { kind: 'success', status: result.status, attempts, samples };
    }
    const failure = result as HttpFailure;
    if (failure.retryable) this.stats.failedSamples += samples;
    else this.stats.droppedSamples += samples;
    this.options.observer?.failed(samples, httpFailureReason(failure.status));
    const why =
      outcome.gaveUp !== undefined ? giveUpNote(outcome) : failure.retryable ? '' : ' (not retryable: samples dropped)';
    return {
      kind: 'failure',
      status: failure.status,
      message: `remote write of ${samples} samples failed after ${attemptsText(attempts)}: ${failure.message}${why}`,
      attempts,
      samples,
    };
  }
}

/** Samples a snapshot becomes: one per series line of the text format. */
export function countSamples(families: readonly FamilySnapshot[]): number {
  let n = 0;
  for (const family of families) {
    if (family.type !== 'histogram' && family.type !== 'summary') {
      n += family.series.length;
      continue;
    }
    for (const series of family.series) {
      if (family.type === 'summary') {
        const ranks = series.ownRanks ?? family.quantileRanks ?? [];
        n += Math.min(series.quantiles?.length ?? 0, ranks.length) + 2;
      } else {
        const bounds = series.ownRanks ?? family.upperBounds ?? [];
        n += bounds.length + (bounds.includes(Infinity) ? 0 : 1) + 2;
      }
    }
  }
  return n;
}
