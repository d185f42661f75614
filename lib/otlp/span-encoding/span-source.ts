/**
 * Where the request assembler (request.ts) gets the `ScopeSpans.spans` fields of a request: span
 * objects encoded on demand (span-list.ts) or spans encoded as they ended (span-arena.ts). The
 * assembler groups the spans by their owners and asks for each group's fields; it knows nothing
 * else of the source.
 */
import type { SpanEncoderState } from './encoder-state.js';
import type { SpanWriter } from './output.js';
import type { SpanOwner } from './span-groups.js';

export interface SpanSource {
  /** Spans in the request. */
  readonly length: number;
  /** Per span (at least `length` entries; those past it are ignored): what it is grouped by. */
  readonly owners: readonly SpanOwner[];
  /**
   * Bytes of the `ScopeSpans.spans` fields of spans `order[from]` ... `order[to - 1]`, in that
   * order. May record lengths in `state.sizes`, which {@link writeSpans} reads back: the assembler
   * calls both in the same order. `from === 0 && to === length` means every span in its own order.
   */
  sizeSpans(state: SpanEncoderState, order: Uint32Array, from: number, to: number): number;
  /** Writes the fields that {@link sizeSpans} measured. */
  writeSpans(w: SpanWriter, state: SpanEncoderState, order: Uint32Array, from: number, to: number): void;
}
