/** The one way processors call an exporter: outside any traced context, with every failure a result. */
import { context, ROOT_CONTEXT, suppressTracing } from '../context.js';
import type { ExportResult } from '../span-data.js';

export function failure(error: unknown): ExportResult {
  return {
    kind: 'failure',
    error: error instanceof Error ? error : new Error(String(error)),
    retryable: false,
  };
}

/**
 * Runs `send` with tracing suppressed (the exporter's own HTTP calls must not make spans); a throw, a
 * rejection or a missing result becomes a failure result, so the returned promise never rejects.
 */
export function callExport(send: () => Promise<ExportResult>): Promise<ExportResult> {
  try {
    const result = context.with(suppressTracing(ROOT_CONTEXT), send);
    return Promise.resolve(result).then(
      (r) => r ?? failure(new Error('exporter returned no result')),
      (error: unknown) => failure(error),
    );
  } catch (error) {
    return Promise.resolve(failure(error));
  }
}

export const TIMED_OUT = Symbol('timed out');

/** A timer handle as every runtime returns it; `unref` exists on Node, Bun and Deno, not in browsers or workerd. */
type TimerHandle = ReturnType<typeof setTimeout> & { unref?: () => unknown };

/** Lets the process exit while `timer` is pending, where the runtime has that notion. */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  (timer as TimerHandle).unref?.();
}

/**
 * Resolves with the promise's value, or TIMED_OUT after `ms` (also when the promise rejects).
 * `keepAlive`: whether the timer holds the process open. Deadlines someone awaits (forceFlush,
 * shutdown) do, so `await shutdown()` always resumes; the export timeout alone does not.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, keepAlive: boolean): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), ms);
    if (!keepAlive) unrefTimer(timer);
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
