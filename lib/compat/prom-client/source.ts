/**
 * What a compat registry gathers from. A compat metric is its own source; the default metrics share one
 * runtime collector among many families; any other prom-client-shaped object (`{ name, get() }`) is read
 * through its `get()`. Every source yields engine snapshots, so exposition stays the engine's writers'.
 */
import type { FamilySnapshot } from '../../metrics/snapshot.js';

export interface FamilySource {
  /** Work before collecting (user collect callbacks); may be async. */
  prepare(): void | Promise<void>;
  /** Appends this source's families. A shared source may yield families no registry lists; they are dropped. */
  collect(out: FamilySnapshot[]): void;
  /** Called once no registry lists any family of this source (stops observers and monitors). */
  release?(): void;
}

/** The key under which compat metrics and default-metric handles carry their source. */
export const SOURCE: unique symbol = Symbol('zerotel.prom-client.source');

export interface Sourced {
  readonly [SOURCE]: FamilySource;
}

export function hasSource(value: unknown): value is Sourced {
  return typeof value === 'object' && value !== null && SOURCE in value;
}

/** How many registry entries refer to each source, so shared sources are released when the last goes. */
const users = new WeakMap<FamilySource, number>();

export function retain(source: FamilySource): void {
  users.set(source, (users.get(source) ?? 0) + 1);
}

export function releaseOne(source: FamilySource): void {
  const n = (users.get(source) ?? 1) - 1;
  users.set(source, n);
  if (n === 0) source.release?.();
}
