/**
 * Pushes a registry on a schedule: every interval, gather and export, each round bounded by a timeout.
 * `forceFlush()` runs a round now; `shutdown()` runs a last one and shuts the exporter down. A round that
 * comes due while another runs waits for it; rounds that come due while one already waits are skipped, so
 * exports slower than the interval do not pile rounds up. A round that passes its timeout is reported as
 * failed at once (its export may still finish in the background, bounded by the exporter's own timeout).
 * The timer starts with the reader, never when the module loads, and is unref'd, so a reader never keeps a
 * process alive on its own.
 */

import { throwIfProblems } from '../config/config-error.js';
import { type Env, envSetting, processEnv } from '../config/env.js';
import { readPositiveMs } from '../config/values.js';
import type { Registry } from '../metrics/registry.js';
import type { FamilySnapshot } from '../metrics/snapshot.js';
import type { MetricExportResult } from './metric-exporter.js';

/** What the reader needs from an exporter. */
export interface MetricExporter {
  export(families: readonly FamilySnapshot[]): Promise<MetricExportResult>;
  shutdown(): Promise<void>;
}

export interface PeriodicMetricReaderOptions {
  readonly registry: Registry;
  readonly exporter: MetricExporter;
  /** Time between rounds (ms); default OTEL_METRIC_EXPORT_INTERVAL, else 60 000. */
  readonly intervalMs?: number;
  /** Time one round may take (ms); default OTEL_METRIC_EXPORT_TIMEOUT, else 30 000. */
  readonly timeoutMs?: number;
  readonly env?: Env;
  /** Told about each failed round (default: nothing; the exporter counts failures). */
  readonly onFailure?: (result: Extract<MetricExportResult, { kind: 'failure' }>) => void;
}

export const DEFAULT_EXPORT_INTERVAL_MS = 60_000;
export const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;

export class PeriodicMetricReader {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly registry: Registry;
  private readonly exporter: MetricExporter;
  private readonly onFailure: PeriodicMetricReaderOptions['onFailure'];
  private readonly timer: ReturnType<typeof setInterval>;
  private last: Promise<MetricExportResult | undefined> = Promise.resolve(undefined);
  /** A scheduled round is waiting for the one before it to end. */
  private tickWaiting = false;
  private closing: Promise<void> | undefined;

  /** Starts the schedule. Throws a ConfigError (naming the option or variable) on an invalid interval or timeout. */
  constructor(options: PeriodicMetricReaderOptions) {
    const env = options.env ?? processEnv();
    const problems: string[] = [];
    const interval = envSetting(env, 'OTEL_METRIC_EXPORT_INTERVAL');
    const timeout = envSetting(env, 'OTEL_METRIC_EXPORT_TIMEOUT');
    this.intervalMs =
      readPositiveMs(options.intervalMs, 'intervalMs', interval, problems) ?? DEFAULT_EXPORT_INTERVAL_MS;
    this.timeoutMs = readPositiveMs(options.timeoutMs, 'timeoutMs', timeout, problems) ?? DEFAULT_EXPORT_TIMEOUT_MS;
    throwIfProblems(problems, 'periodic metric reader configuration');
    this.registry = options.registry;
    this.exporter = options.exporter;
    this.onFailure = options.onFailure;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Gathers and exports now, after any round in progress. */
  forceFlush(): Promise<MetricExportResult> {
    if (this.closing !== undefined) {
      return Promise.resolve({
        kind: 'failure',
        points: 0,
        reason: 'shutdown',
        message: 'the reader is shut down',
        attempts: 0,
      });
    }
    return this.round();
  }

  /** Stops the schedule, exports a last time, then shuts the exporter down. Idempotent. */
  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.round();
      await this.exporter.shutdown();
    })();
    return this.closing;
  }

  /** A scheduled round, unless one is already waiting its turn. */
  private tick(): void {
    if (this.tickWaiting) return;
    this.tickWaiting = true;
    void this.round(() => {
      this.tickWaiting = false;
    });
  }

  private round(onStart?: () => void): Promise<MetricExportResult> {
    const run = this.last.then(() => {
      onStart?.();
      return this.collectAndExport();
    });
    this.last = run;
    return run;
  }

  private async collectAndExport(): Promise<MetricExportResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<MetricExportResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            kind: 'failure',
            points: 0,
            reason: 'timeout',
            message: `metric export did not finish within ${this.timeoutMs} ms`,
            attempts: 0,
          }),
        this.timeoutMs,
      );
    });
    const work = (async (): Promise<MetricExportResult> => {
      let families: FamilySnapshot[];
      try {
        families = await this.registry.collectAsync();
      } catch (err) {
        return {
          kind: 'failure',
          points: 0,
          reason: 'collect_error',
          message: `could not gather the registry: ${(err as Error).message}`,
          attempts: 0,
        };
      }
      try {
        return await this.exporter.export(families);
      } catch (err) {
        // A custom exporter that throws must not end the schedule or reject forceFlush/shutdown.
        return {
          kind: 'failure',
          points: 0,
          reason: 'export_error',
          message: `the exporter threw: ${err instanceof Error ? err.message : String(err)}`,
          attempts: 0,
        };
      }
    })();
    let result: MetricExportResult;
    try {
      result = await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (result.kind === 'failure') {
      try {
        this.onFailure?.(result);
      } catch {
        // A broken callback must not stop the schedule.
      }
    }
    return result;
  }
}
