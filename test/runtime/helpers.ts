/** Small helpers shared by the runtime tests. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FamilySnapshot } from '../../lib/index.js';

/** The family named `name`, failing the test when it is missing. */
export function family(families: readonly FamilySnapshot[], name: string): FamilySnapshot {
  const found = families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name} in [${families.map((f) => f.name).join(', ')}]`);
  return found;
}

/** The value of the single series of `name`. */
export function valueOf(families: readonly FamilySnapshot[], name: string): number {
  const f = family(families, name);
  if (f.series.length !== 1) throw new Error(`${name} has ${f.series.length} series, expected 1`);
  return f.series[0]!.value;
}

/**
 * A function that forces a full garbage collection, without needing `--expose-gc` on the command line:
 * the flag is set at run time and `gc` is taken from a fresh context, which then has it.
 */
export function forceGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Resolves after pending immediates (and the GC entries perf_hooks delivers through them) have run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits until `condition` holds, letting the event loop run in between; fails after `limit` turns. */
export async function until(condition: () => boolean, what: string, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}
