/** The batch span processor's settings: options, then OTEL_BSP_* variables, then OpenTelemetry's defaults. */
import { ConfigError, throwIfProblems } from '../../config/config-error.js';
import { type Env, envSetting, processEnv } from '../../config/env.js';
import { isIntegerIn, MAX_TIMER_MS, parseEnvInteger } from '../../config/values.js';
import type { Registry } from '../../metrics/registry.js';
import type { BatchObserver } from './batch-observer.js';

/** OPA's (and OpenTelemetry's) batch defaults. */
export const BATCH_DEFAULTS = Object.freeze({
  maxQueueSize: 2048,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30000,
  maxExportBatchSize: 512,
});

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
  /** Where the OTEL_BSP_* variables are read; default process.env where it exists. */
  readonly env?: Env;
  /**
   * Registers the processor's health metrics there (see {@link BatchSpanProcessor}), through the binding
   * in batch-metrics.ts (loaded by the `zerotel` and `zerotel/otlp` entries).
   */
  readonly registry?: Registry;
  /** Constant labels for those metrics, to tell several processors on one registry apart. */
  readonly metricLabels?: Readonly<Record<string, string>>;
  /** Told about exports and drops as they happen (in addition to `registry`, if both are given). */
  readonly observer?: BatchObserver;
  /**
   * When the event loop runs dry with spans still queued (a script ending without `shutdown()`),
   * export them instead of losing them. Default true; only where the runtime has `process.on`.
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

/** @deprecated The same class as {@link ConfigError}, under its former name. */
export const BatchConfigError = ConfigError;
/** @deprecated Use {@link ConfigError}. */
export type BatchConfigError = ConfigError;

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
 * rule); a set one must be a decimal integer in range, else a {@link ConfigError} lists every problem.
 * A batch size above the queue size is lowered to the queue size (as OpenTelemetry Go and JS do).
 */
export function resolveBatchConfig(
  options: BatchSpanProcessorOptions = {},
  env: Env = options.env ?? processEnv(),
): BatchConfig {
  const problems: string[] = [];
  const out: Record<keyof BatchConfig, number> = { ...BATCH_DEFAULTS };
  for (const s of SETTINGS) {
    const range = `${s.min}..${s.max}`;
    const given = options[s.option];
    if (given !== undefined) {
      if (isIntegerIn(given, s.min, s.max)) out[s.option] = given;
      else problems.push(`${s.option} must be an integer ${range}, got ${String(given)}`);
      continue;
    }
    const set = envSetting(env, s.env);
    if (set === undefined) continue;
    const value = parseEnvInteger(set.value);
    if (isIntegerIn(value, s.min, s.max)) out[s.option] = value;
    else problems.push(`${s.env}=${JSON.stringify(env[s.env])} must be an integer ${range}`);
  }
  throwIfProblems(problems, 'batch span processor configuration');
  if (out.maxExportBatchSize > out.maxQueueSize) out.maxExportBatchSize = out.maxQueueSize;
  return Object.freeze(out);
}
