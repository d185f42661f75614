import { hostProcess } from '../host.js';
import type { HrTime } from './span-data.js';

/**
 * A point in time as callers give it: an HrTime `[seconds, nanos]`, milliseconds since the Unix epoch
 * (as `Date.now()` returns, fractions allowed), milliseconds since the process' time origin (as
 * `performance.now()` returns), or a Date. A number below `performance.timeOrigin` is read as the
 * latter, as OpenTelemetry JS does: no epoch time that small occurs today.
 */
export type TimeInput = HrTime | number | Date;

const NANOS_PER_SECOND = 1e9;

/*
 * The wall clock is read once, on the first call; later times add the monotonic clock's progress to
 * it, so durations are exact to the nanosecond and immune to wall-clock steps (as OpenTelemetry JS does
 * with timeOrigin). Read on first use, not while loading: workerd allows no clock work at startup.
 * Without process.hrtime (workerd) the progress comes from performance.now().
 */
interface Base {
  readonly monotonic: [number, number] | undefined;
  readonly monotonicMs: number;
  readonly seconds: number;
  readonly nanos: number;
}
let base: Base | undefined;

function readBase(): Base {
  const hrtime = hostProcess()?.hrtime;
  const monotonicMs = performance.now();
  const epochMs = performance.timeOrigin + monotonicMs;
  const seconds = Math.floor(epochMs / 1000);
  return {
    monotonic: typeof hrtime === 'function' ? hrtime() : undefined,
    monotonicMs,
    seconds,
    nanos: Math.round((epochMs - seconds * 1000) * 1e6),
  };
}

/** The current time, nanosecond-precise relative to other calls. */
export function now(): HrTime {
  const b = (base ??= readBase());
  let seconds: number;
  let nanos: number;
  if (b.monotonic !== undefined) {
    const elapsed = process.hrtime(b.monotonic);
    seconds = b.seconds + elapsed[0];
    nanos = b.nanos + elapsed[1];
  } else {
    const elapsedNanos = Math.round((performance.now() - b.monotonicMs) * 1e6);
    const whole = Math.floor(elapsedNanos / NANOS_PER_SECOND);
    seconds = b.seconds + whole;
    nanos = b.nanos + (elapsedNanos - whole * NANOS_PER_SECOND);
  }
  if (nanos >= NANOS_PER_SECOND) {
    nanos -= NANOS_PER_SECOND;
    seconds += 1;
  }
  return [seconds, nanos];
}

/** Milliseconds since the epoch as an HrTime; undefined for values that are not finite non-negative numbers. */
export function millisToHrTime(ms: number): HrTime | undefined {
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= NANOS_PER_SECOND) {
    nanos -= NANOS_PER_SECOND;
    seconds += 1;
  }
  return [seconds, nanos];
}

function isHrTime(value: unknown): value is HrTime {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [seconds, nanos] = value as unknown[];
  return (
    typeof seconds === 'number' &&
    typeof nanos === 'number' &&
    Number.isInteger(seconds) &&
    Number.isInteger(nanos) &&
    seconds >= 0 &&
    nanos >= 0 &&
    nanos < NANOS_PER_SECOND
  );
}

/**
 * Converts a caller's time to an HrTime; a missing or malformed time (NaN, negative, nanos out of range)
 * becomes the current time rather than an exception on an instrumentation path.
 */
export function toHrTime(input: TimeInput | undefined): HrTime {
  if (input === undefined) return now();
  if (typeof input === 'number') {
    return millisToHrTime(input < performance.timeOrigin ? performance.timeOrigin + input : input) ?? now();
  }
  if (input instanceof Date) return millisToHrTime(input.getTime()) ?? now();
  return isHrTime(input) ? [input[0], input[1]] : now();
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareHrTime(a: HrTime, b: HrTime): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
