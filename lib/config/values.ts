/**
 * Parsing and range checks for configuration values, shared by every layer: an option set in code is
 * checked as the value it is, a variable as the text OpenTelemetry's environment specification allows.
 * The readers add a problem naming the option or variable and return undefined, so a caller checks
 * everything before throwing one {@link ConfigError}.
 */

import type { Sourced } from './env.js';

/** A decimal integer as the environment specification writes one: digits only (no sign, point or exponent). */
export function parseEnvInteger(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

/** `true` or `false`, in any case; anything else is undefined. */
export function parseEnvBoolean(text: string): boolean | undefined {
  const v = text.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** One of `allowed`, compared in lower case (enum values of the specification are lower case). */
export function parseEnum<T extends string>(text: string, allowed: readonly T[]): T | undefined {
  const v = text.trim().toLowerCase() as T;
  return allowed.includes(v) ? v : undefined;
}

/** An integer within `min..max`, both included. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The longest delay timers take: beyond it, setTimeout and setInterval fire after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A duration in milliseconds, options before the variable: an option any positive finite number, a
 * variable a positive integer (as the specification writes timeouts). Undefined when neither is set.
 */
export function readPositiveMs(
  option: unknown,
  optionName: string,
  variable: Sourced<string> | undefined,
  problems: string[],
): number | undefined {
  if (option !== undefined) {
    if (typeof option === 'number' && option > 0 && option <= MAX_TIMER_MS) return option;
    problems.push(
      `${optionName}: must be a positive number of milliseconds up to ${MAX_TIMER_MS}, got ${String(option)}`,
    );
    return undefined;
  }
  if (variable === undefined) return undefined;
  const ms = parseEnvInteger(variable.value);
  if (ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS) return ms;
  problems.push(
    `${variable.source}: must be a positive integer number of milliseconds up to ${MAX_TIMER_MS}, got ${JSON.stringify(variable.value)}`,
  );
  return undefined;
}

/** A boolean, options before the variable; undefined when neither is set (or the one set is wrong). */
export function readBoolean(
  option: unknown,
  optionName: string,
  variable: Sourced<string> | undefined,
  problems: string[],
): boolean | undefined {
  if (option !== undefined) {
    if (typeof option === 'boolean') return option;
    problems.push(`${optionName}: must be a boolean, got ${JSON.stringify(option)}`);
    return undefined;
  }
  if (variable === undefined) return undefined;
  const value = parseEnvBoolean(variable.value);
  if (value === undefined) {
    problems.push(`${variable.source}: must be true or false, got ${JSON.stringify(variable.value)}`);
  }
  return value;
}
