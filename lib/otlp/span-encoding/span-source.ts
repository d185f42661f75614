/**
 * Where the request assembler (request.ts) gets the `ScopeSpans.spans` fields of a request. The
 * assembler groups the spans by their owners and asks for each group's fields; it knows nothing
 * else of the source. A {@link SpanArena} is one: spans encoded as they ended, or as a
 * {@link SpanEncoder} was handed them.
 */
import type { SpanWriter } from './output.js';
import type { SpanOwner } from './span-groups.js';

export interface SpanSource {
  /** Spans in the request. */
  readonly length: number;
  /** Per span (at least `length` entries; those past it are ignored): what it is grouped by. */
  readonly owners: readonly SpanOwner[];
  /**
   * Bytes of the `ScopeSpans.spans` fields of spans `order[from]` ... `order[to - 1]`, in that
   * order. `from === 0 && to === length` means every span in its own order.
   */
  sizeSpans(order: Uint32Array, from: number, to: number): number;
  /** Writes the fields that {@link sizeSpans} measured. */
  writeSpans(w: SpanWriter, order: Uint32Array, from: number, to: number): void;
}
