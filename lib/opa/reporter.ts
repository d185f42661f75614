/**
 * The Status API reporter, after OPA's status plugin: on every plugin state change (trigger
 * `periodic`, OPA's default) or on demand (`manual`), it builds the status update (labels, plugins,
 * `metrics.prometheus`) and
 * - POSTs it to `{service.url}/status`, or `/status/{partition_name}` when one is set;
 * - with `console`, logs it as one JSON line (OPA's "Status Log" record);
 * - with `prometheus`, updates the status metrics OPA adds (`opa_info`, `plugin_status_gauge`, and
 *   the bundle families, which stay empty here: zerotel has no bundles).
 *
 * Beyond OPA, which drops a failed update, a failed push is retried with exponential backoff, a
 * bounded number of times. There is never more than one update waiting: a newer state replaces the
 * one being retried (the body is built when it is sent), so memory stays bounded however often
 * states change or however long the service is down.
 *
 * The reporter is itself the `status` plugin: NOT_READY until started, OK while running.
 */

import { readFileSync } from 'node:fs';
import type { Registry } from '../metrics/registry.js';
import { context, ROOT_CONTEXT, suppressTracing } from '../trace/context.js';
import { httpRequest, type HttpResponse } from '../http/client.js';
import {
  buildStatusUpdate,
  type PluginManager,
  type PluginStatuses,
  type StatusUpdate,
  ZEROTEL_VERSION,
} from './payload.js';
import { statusMetrics } from './reporter-metrics.js';
import type { PushOutcome, StatusObserver } from './status-observer.js';

export type { PushOutcome, StatusObserver } from './status-observer.js';

export const STATUS_PLUGIN = 'status';

/** Where status updates are pushed: OPA's service settings, resolved. */
export interface StatusService {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** `Authorization: {scheme} {token}`; the token is read from `tokenPath` at every push when given. */
  readonly bearer?: { readonly token?: string; readonly tokenPath?: string; readonly scheme?: string };
  /** Extra CA certificates (PEM) for https. */
  readonly ca?: Buffer;
  readonly allowInsecureTls?: boolean;
  /** Time for one push (ms). Default 10 000 (OPA's response header timeout). */
  readonly timeoutMs?: number;
}

export interface StatusRetryPolicy {
  /** Attempts per update, the first included. Default 5. */
  readonly maxAttempts: number;
  /** Wait before the first retry (ms). Default 500. */
  readonly initialDelayMs: number;
  /** Longest wait between attempts (ms). Default 10 000. */
  readonly maxDelayMs: number;
}

export const DEFAULT_STATUS_RETRY: StatusRetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 10_000,
});

export interface StatusReporterOptions {
  readonly plugins: PluginManager;
  /** The registry whose families go into `metrics.prometheus`, and where `prometheus` metrics go. */
  readonly registry?: Registry;
  readonly service?: StatusService;
  readonly partitionName?: string;
  /** Log every update as a JSON line. */
  readonly console?: boolean;
  /** Receives console lines (with their newline); default process.stdout. */
  readonly consoleWrite?: (line: string) => void;
  /** Register OPA's status metrics in `registry`. */
  readonly prometheus?: boolean;
  /** Buckets of `bundle_loading_duration_ns` (default: 1000 ns doubling, 20 buckets). */
  readonly bundleLoadingDurationBuckets?: readonly number[];
  /** `periodic` (default): push on every state change; `manual`: only on `trigger()`. */
  readonly trigger?: 'periodic' | 'manual';
  readonly retry?: Partial<StatusRetryPolicy>;
  /** Warnings and errors (default console.warn). */
  readonly log?: (message: string) => void;
  /** `opa_info`'s version label (default zerotel's version). */
  readonly version?: string;
}

/** The push URL: `{url}/status`, or `{url}/status/{partition}`. */
export function statusUrl(serviceUrl: string, partitionName = ''): string {
  const base = serviceUrl.replace(/\/+$/, '');
  return partitionName === '' ? `${base}/status` : `${base}/status/${partitionName.replace(/^\/+/, '')}`;
}

/** Pushes status updates; see the module comment for the rules. */
export class StatusReporter {
  private readonly plugins: PluginManager;
  private readonly registry: Registry | undefined;
  private readonly service: StatusService | undefined;
  private readonly partitionName: string;
  private readonly consoleLogs: boolean;
  private readonly consoleWrite: (line: string) => void;
  private readonly prometheus: boolean;
  private readonly mode: 'periodic' | 'manual';
  private readonly retry: StatusRetryPolicy;
  private readonly log: (message: string) => void;
  /** The registry's metrics (reporter-metrics.ts), when there is a registry. */
  private readonly observer: StatusObserver | undefined;
  private lastPlugins: PluginStatuses | undefined;
  private started = false;
  private stopped = false;
  /** An update is wanted (a state changed since the last one was built). */
  private dirty = false;
  private pump: Promise<void> | undefined;
  private backoff: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private readonly abort = new AbortController();
  /** Counts since start, for tests and diagnostics. */
  readonly counts: Record<PushOutcome, number> = { success: 0, failure: 0, gave_up: 0, superseded: 0 };

  constructor(options: StatusReporterOptions) {
    this.plugins = options.plugins;
    this.registry = options.registry;
    this.service = options.service;
    this.partitionName = options.partitionName ?? '';
    this.consoleLogs = options.console ?? false;
    this.consoleWrite = options.consoleWrite ?? ((line) => void process.stdout.write(line));
    this.prometheus = options.prometheus ?? false;
    this.mode = options.trigger ?? 'periodic';
    this.retry = { ...DEFAULT_STATUS_RETRY, ...options.retry };
    this.log = options.log ?? ((message) => console.warn(message));
    if (this.registry !== undefined) {
      this.observer = statusMetrics(this.registry, {
        pushes: this.service !== undefined,
        prometheus: this.prometheus,
        bundleLoadingDurationBuckets:
          options.bundleLoadingDurationBuckets ?? Array.from({ length: 20 }, (_, i) => 1000 * 2 ** i),
        version: options.version ?? ZEROTEL_VERSION,
      });
    }
    this.plugins.update(STATUS_PLUGIN, { state: 'NOT_READY' });
  }

  /** Starts listening to plugin states; the reporter turns OK, which is itself the first update. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.observer?.started();
    this.plugins.listen(STATUS_PLUGIN, (statuses) => {
      this.lastPlugins = statuses;
      if (this.mode === 'periodic') this.request();
    });
    this.plugins.update(STATUS_PLUGIN, { state: 'OK' });
    // The manager tells listeners only about changes: make sure the first update goes out.
    this.lastPlugins = this.plugins.all();
    if (this.mode === 'periodic' && this.pump === undefined) this.request();
  }

  /** The update as it would be sent now (what `GET /v1/status` serves). */
  async snapshot(): Promise<StatusUpdate> {
    const families = this.registry === undefined ? undefined : await this.registry.collectAsync();
    return buildStatusUpdate({
      labels: this.plugins.labels,
      plugins: this.lastPlugins ?? this.plugins.all(),
      ...(families === undefined ? {} : { families }),
    });
  }

  /** Sends an update now (manual mode's trigger; works in periodic mode too) and waits for the outcome. */
  async trigger(): Promise<void> {
    this.lastPlugins = this.plugins.all();
    this.request(true);
    await this.idle();
  }

  /** Resolves when nothing is being sent or waiting to be retried. */
  async idle(): Promise<void> {
    while (this.pump !== undefined) await this.pump;
  }

  /**
   * Stops listening, sends a final update with the latest states (waiting at most `timeoutMs`,
   * default 5000, retries included) and marks the plugin NOT_READY. True when the final update went
   * out (or there was nothing to send to).
   */
  async stop(timeoutMs = 5000): Promise<boolean> {
    if (this.stopped) return true;
    this.plugins.unlisten(STATUS_PLUGIN);
    this.lastPlugins = this.plugins.all();
    let delivered = true;
    if (this.started) {
      this.request(true);
      const before = this.counts.success;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        this.idle().then(() => 'done' as const),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      delivered = this.service === undefined || (outcome === 'done' && this.counts.success > before);
      if (outcome === 'timeout') this.log('zerotel: status reporter stopped with the final status possibly not sent');
    }
    this.stopped = true;
    this.abort.abort();
    this.wakeBackoff();
    if (this.started) this.observer?.stopped();
    this.plugins.update(STATUS_PLUGIN, { state: 'NOT_READY' });
    return delivered;
  }

  /** Asks for an update; `now` skips a backoff wait in progress. */
  private request(now = false): void {
    if (this.stopped) return;
    this.dirty = true;
    if (now) this.wakeBackoff();
    if (this.pump === undefined) {
      this.pump = this.run().finally(() => {
        this.pump = undefined;
      });
    }
  }

  private wakeBackoff(): void {
    const b = this.backoff;
    if (b === undefined) return;
    clearTimeout(b.timer);
    this.backoff = undefined;
    b.wake();
  }

  /** Sends until nothing is wanted: one update at a time, the newest state each time. */
  private async run(): Promise<void> {
    let attempt = 0;
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      attempt++;
      let update: StatusUpdate;
      try {
        update = await this.snapshot();
      } catch (error) {
        this.log(`zerotel: status update could not be built: ${(error as Error)?.message ?? String(error)}`);
        return;
      }
      if (attempt === 1) this.localOutputs(update);
      if (this.service === undefined) {
        attempt = 0;
        continue;
      }
      const error = await this.push(update);
      if (error === undefined) {
        this.count('success');
        attempt = 0;
        continue;
      }
      this.count('failure');
      if (this.dirty) {
        // A newer state arrived while this one was on its way: it replaces this one.
        this.count('superseded');
        attempt = 0;
        continue;
      }
      if (attempt >= this.retry.maxAttempts || this.stopped) {
        this.count('gave_up');
        this.log(
          `zerotel: status update failed after ${attempt} attempt${attempt === 1 ? '' : 's'}, giving up: ${error}`,
        );
        attempt = 0;
        continue;
      }
      this.log(`zerotel: status update failed (attempt ${attempt} of ${this.retry.maxAttempts}), retrying: ${error}`);
      const delay = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (attempt - 1));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.backoff = undefined;
          resolve();
        }, delay);
        this.backoff = { timer, wake: resolve };
      });
      if (this.dirty) {
        this.count('superseded');
        attempt = 0;
      }
      this.dirty = true;
    }
  }

  private count(outcome: PushOutcome): void {
    this.counts[outcome]++;
    this.observer?.pushed(outcome);
  }

  /** Console line and status metrics: once per update, not per retry. */
  private localOutputs(update: StatusUpdate): void {
    if (this.consoleLogs) {
      try {
        const record = {
          ...update,
          level: 'info',
          msg: 'Status Log',
          time: new Date().toISOString(),
          type: 'openpolicyagent.org/status',
        };
        this.consoleWrite(`${JSON.stringify(record)}\n`);
      } catch (error) {
        this.log(`zerotel: failed to log status to console: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    this.observer?.updated(update.plugins ?? {});
  }

  /** One POST; resolves with why it failed, or undefined. */
  private async push(update: StatusUpdate): Promise<string | undefined> {
    const service = this.service!;
    const headers: Record<string, string> = { ...service.headers, 'content-type': 'application/json' };
    if (service.bearer !== undefined) {
      let token = service.bearer.token ?? '';
      if (service.bearer.tokenPath !== undefined) {
        try {
          token = readFileSync(service.bearer.tokenPath, 'utf8').trim();
        } catch (error) {
          return `cannot read the bearer token file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
        }
      }
      headers['authorization'] = `${service.bearer.scheme ?? 'Bearer'} ${token}`;
    }
    let response: HttpResponse;
    try {
      // Status pushes are not part of any request's trace.
      response = await context.with(suppressTracing(ROOT_CONTEXT), () =>
        httpRequest(statusUrl(service.url, this.partitionName), {
          method: 'POST',
          headers,
          body: JSON.stringify(update),
          timeoutMs: service.timeoutMs ?? 10_000,
          signal: this.abort.signal,
          maxResponseBytes: 1024 * 1024,
          ...(service.ca !== undefined ? { ca: service.ca } : {}),
          ...(service.allowInsecureTls ? { rejectUnauthorized: false } : {}),
        }),
      );
    } catch (error) {
      return `status update failed: ${(error as Error)?.message ?? String(error)}`;
    }
    if (response.status < 200 || response.status >= 300) {
      return `status update failed, server replied with HTTP ${response.status}`;
    }
    return undefined;
  }
}
