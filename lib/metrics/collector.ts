import type { Descriptor } from './descriptor.js';
import type { FamilySnapshot } from './snapshot.js';

/**
 * Anything the registry can gather: the library's own metrics, the runtime sampler, or a user's
 * collector yielding whole families computed at scrape time.
 */
export interface Collector {
  /**
   * The descriptors of the families this collector yields, checked at registration.
   * An empty list makes an unchecked collector (nothing checked until gather).
   */
  describe(): readonly Descriptor[];
  /** Appends this collector's families to `out`; families without series are dropped by the registry. */
  collect(out: FamilySnapshot[]): void;
  /** Optional work before `collect`, e.g. callbacks that compute values; may be async. */
  prepare?(): void | Promise<void>;
  /**
   * True when `collect` yields series that are already valid and sorted (the library's own metrics);
   * the registry then skips the per-series checks it applies to other collectors.
   */
  readonly trusted?: boolean;
  /** A series limit (the library's own metrics): the registry then exports how many series it refused. */
  readonly maxSeries?: number;
  readonly droppedSeries?: number;
}
