/**
 * Retrying exports the way the OTLP specification asks: which gRPC codes are transient, how long to back
 * off between attempts, and when to give up. The policy knows gRPC status codes and nothing about spans or
 * the wire; the clock is injectable so tests can observe every sleep without waiting for it.
 */

import { GrpcCode } from './grpc-code.js';

/** Backoff parameters. The defaults are OpenTelemetry Go's (its retry package over cenkalti/backoff). */
export interface RetryPolicy {
  /** False: one attempt, no retries. */
  readonly enabled: boolean;
  /** Delay after the first failure, before randomization (ms). */
  readonly initialIntervalMs: number;
  /** Ceiling of the un-randomized interval (ms). */
  readonly maxIntervalMs: number;
  /** Time budget for all attempts and sleeps together (ms); 0 means only the caller's deadline limits it. */
  readonly maxElapsedMs: number;
  /** Growth of the interval after each retry. */
  readonly multiplier: number;
  /** Each sleep is the interval times a uniform factor in [1 - r, 1 + r]. */
  readonly randomizationFactor: number;
}

/** 5 s initial, 30 s ceiling, 1 min budget, x1.5 growth, +-50 % jitter. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  enabled: true,
  initialIntervalMs: 5_000,
  maxIntervalMs: 30_000,
  maxElapsedMs: 60_000,
  multiplier: 1.5,
  randomizationFactor: 0.5,
});

/** Time as the retry loop sees it. `sleep` must settle early (resolve, not reject) when `signal` aborts. */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `performance.now()` and a timer that is cleared when the signal aborts. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

const TRANSIENT: ReadonlySet<number> = new Set([
  GrpcCode.CANCELLED,
  GrpcCode.DEADLINE_EXCEEDED,
  GrpcCode.ABORTED,
  GrpcCode.OUT_OF_RANGE,
  GrpcCode.UNAVAILABLE,
  GrpcCode.DATA_LOSS,
]);

/**
 * Whether the OTLP specification allows retrying a call that ended with `code`. RESOURCE_EXHAUSTED is
 * retryable only when the server said when to come back (a RetryInfo); every other code is final.
 */
export function isRetryableCode(code: number, hasRetryInfo: boolean): boolean {
  return TRANSIENT.has(code) || (code === GrpcCode.RESOURCE_EXHAUSTED && hasRetryInfo);
}

/**
 * Exponential backoff with jitter, computed as cenkalti/backoff does: the sleep is the current interval
 * randomized by +-factor, then the interval grows by the multiplier up to the ceiling.
 */
export class Backoff {
  private interval: number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {
    this.interval = policy.initialIntervalMs;
  }

  /** The next sleep in milliseconds. */
  next(): number {
    const current = this.interval;
    const delta = this.policy.randomizationFactor * current;
    const sleep = current - delta + this.random() * 2 * delta;
    this.interval =
      current >= this.policy.maxIntervalMs / this.policy.multiplier
        ? this.policy.maxIntervalMs
        : current * this.policy.multiplier;
    return sleep;
  }
}

/** What an attempt returns: a success, or a failure saying whether it may be retried and after how long. */
export type Attemptable =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly retryable: boolean; readonly retryInfoMs?: number };

export interface RetryOptions<R extends Attemptable> {
  readonly policy?: RetryPolicy;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Aborting ends a backoff sleep at once and stops retrying (shutdown). */
  readonly signal?: AbortSignal;
  /** Absolute time on the clock's scale after which no attempt starts and no sleep ends. */
  readonly deadline?: number;
  /** Told before each sleep: the failure being retried, the sleep and the number of the next attempt. */
  readonly onRetry?: (failure: Extract<R, { kind: 'failure' }>, delayMs: number, nextAttempt: number) => void;
}

/** The last result, how many attempts were made, and why retrying stopped early (if it did). */
export interface RetryOutcome<R> {
  readonly result: R;
  readonly attempts: number;
  /** 'deadline': the next sleep would end past the deadline; 'cancelled': the signal aborted. */
  readonly gaveUp?: 'deadline' | 'cancelled';
}

/** `1 attempt`, `3 attempts`: how failure messages count attempts. */
export function attemptsText(attempts: number): string {
  return `${attempts} attempt${attempts === 1 ? '' : 's'}`;
}

/** What a failure message adds after the last failure: why retrying stopped, or '' when it simply failed. */
export function giveUpNote(outcome: RetryOutcome<Attemptable>): string {
  if (outcome.gaveUp === 'deadline') return ' (giving up: the next retry would pass the time budget)';
  if (outcome.gaveUp === 'cancelled') return ' (giving up: the exporter is shutting down)';
  return outcome.result.kind === 'failure' && !outcome.result.retryable ? ' (not retryable)' : '';
}

/** The least time a retry must have left to be started: a tenth of the budget, at most 250 ms. */
export function minRetryTimeMs(budgetMs: number): number {
  return Math.min(250, budgetMs / 10);
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the time budget runs out. The delay before a retry
 * is the larger of the backoff and the server's RetryInfo; a retry whose sleep would leave less than
 * {@link minRetryTimeMs} of the budget (the policy's max elapsed time or `deadline`, whichever comes first)
 * is not slept at all: the last failure is returned at once. An attempt squeezed into the last
 * milliseconds would only time out and report DEADLINE_EXCEEDED in place of the failure that matters.
 */
export async function withRetry<R extends Attemptable>(
  attempt: (attemptNumber: number) => Promise<R>,
  options: RetryOptions<R> = {},
): Promise<RetryOutcome<R>> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  const budgetEnd = policy.maxElapsedMs > 0 ? start + policy.maxElapsedMs : Infinity;
  const stopAt = Math.min(budgetEnd, options.deadline ?? Infinity);
  const backoff = new Backoff(policy, options.random);
  const lastStart = stopAt - minRetryTimeMs(stopAt - start);
  for (let attempts = 1; ; attempts++) {
    const result = await attempt(attempts);
    if (result.kind === 'success' || !result.retryable || !policy.enabled) return { result, attempts };
    if (options.signal?.aborted) return { result, attempts, gaveUp: 'cancelled' };
    const delay = Math.max(backoff.next(), result.retryInfoMs ?? 0);
    if (clock.now() + delay >= lastStart) return { result, attempts, gaveUp: 'deadline' };
    options.onRetry?.(result as Extract<R, { kind: 'failure' }>, delay, attempts + 1);
    await clock.sleep(delay, options.signal);
    if (options.signal?.aborted) return { result, attempts, gaveUp: 'cancelled' };
    // A late timer may wake too near the deadline: report the real failure, not an attempt that had no time.
    if (clock.now() >= lastStart) return { result, attempts, gaveUp: 'deadline' };
  }
}

/**
 * {@link withRetry} bounded by a time budget of `timeoutMs` from now: each attempt is told how much of it is
 * left (its own timeout), and no retry starts or sleeps past it.
 */
export function withRetryWithin<R extends Attemptable>(
  timeoutMs: number,
  attempt: (remainingMs: number) => Promise<R>,
  options: Omit<RetryOptions<R>, 'deadline'> = {},
): Promise<RetryOutcome<R>> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + timeoutMs;
  return withRetry(() => attempt(deadline - clock.now()), { ...options, clock, deadline });
}

/** Problems with a (partial) policy, each naming its field under `prefix`; empty when it is usable. */
export function checkRetryPolicy(policy: Partial<RetryPolicy>, prefix = 'retry'): string[] {
  const problems: string[] = [];
  const positive = (key: keyof RetryPolicy, allowZero: boolean): void => {
    const v = policy[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      problems.push(
        `${prefix}.${key}: must be a ${allowZero ? 'non-negative' : 'positive'} number of ms, got ${String(v)}`,
      );
    }
  };
  if (policy.enabled !== undefined && typeof policy.enabled !== 'boolean') {
    problems.push(`${prefix}.enabled: must be a boolean, got ${String(policy.enabled)}`);
  }
  positive('initialIntervalMs', false);
  positive('maxIntervalMs', false);
  positive('maxElapsedMs', true);
  const { initialIntervalMs, maxIntervalMs, multiplier, randomizationFactor } = policy;
  if (
    typeof initialIntervalMs === 'number' &&
    typeof maxIntervalMs === 'number' &&
    initialIntervalMs > 0 &&
    maxIntervalMs < initialIntervalMs
  ) {
    problems.push(
      `${prefix}.maxIntervalMs: must not be below initialIntervalMs (${maxIntervalMs} < ${initialIntervalMs})`,
    );
  }
  if (multiplier !== undefined && !(typeof multiplier === 'number' && multiplier >= 1 && Number.isFinite(multiplier))) {
    problems.push(`${prefix}.multiplier: must be a finite number >= 1, got ${String(multiplier)}`);
  }
  if (
    randomizationFactor !== undefined &&
    !(typeof randomizationFactor === 'number' && randomizationFactor >= 0 && randomizationFactor <= 1)
  ) {
    problems.push(`${prefix}.randomizationFactor: must be a number in [0, 1], got ${String(randomizationFactor)}`);
  }
  return problems;
}
