/**
 * Where configuration variables come from: an injectable environment (tests and embedders pass their
 * own), by default the process environment where the runtime has one. The only module in the library
 * that reads `process.env`.
 */

import { hostProcess } from '../host.js';

/** Environment variables by name; a missing name and an absent variable read the same. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A value and the name of the option or variable it came from, for messages that name it. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

/**
 * The process environment; none where the runtime has no process (workerd) or may not read it
 * (Deno without --allow-env throws on every read, so a probe read decides).
 */
export function processEnv(): Env {
  const env = hostProcess()?.env;
  if (env === undefined) return {};
  try {
    void env['OTEL_SDK_DISABLED'];
    return env;
  } catch {
    return {};
  }
}

/**
 * The first of `names` that is set, trimmed, with its name. OpenTelemetry treats an empty (or blank)
 * variable as an unset one, so those are skipped.
 */
export function envSetting(env: Env, ...names: readonly string[]): Sourced<string> | undefined {
  for (const name of names) {
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') return { value: raw.trim(), source: name };
  }
  return undefined;
}
