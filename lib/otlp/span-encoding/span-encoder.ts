/** Finished spans to the bytes of one `ExportTraceServiceRequest`. */
import type { SpanData } from '../../trace/span-data.js';
import { SpanEncoderState } from './encoder-state.js';
import { type Allocate, allocateBuffer, allocateBytes } from './output.js';
import type { EncodeScratch } from './scratch.js';
import { SpanArena } from './span-arena.js';

/**
 * An encoder that keeps what it learns (the field caches) from one request to the next: an
 * exporter holds one. Its arenas share its state. Not for concurrent use, which synchronous
 * encoding rules out anyway.
 *
 * Span objects are encoded as an arena encodes them, one pass per span that backfills the length
 * prefixes, into storage the encoder keeps; the request is then assembled around those bytes. That
 * measured faster than a size pass followed by a write pass (see docs/otlp.md).
 */
export class SpanEncoder {
  private readonly state = new SpanEncoderState();
  /** Where span objects are encoded for the request under way. */
  private readonly spans = new SpanArena(this.state);

  /** The request for `spans`, as plain bytes; touches nothing Node-only, so it runs on every runtime. */
  encode(spans: readonly SpanData[]): Uint8Array {
    return this.encodeWith(spans, undefined, allocateBytes);
  }

  /**
   * The request for `spans` as a Buffer: a view of the scratch's Buffer (valid until the scratch is
   * lent again) whenever the request fits in it.
   */
  encodeToBuffer(spans: readonly SpanData[], scratch?: EncodeScratch): Buffer {
    return this.encodeWith(spans, scratch, allocateBuffer);
  }

  /** An empty arena that encodes with this encoder's state. */
  createArena(): SpanArena {
    return new SpanArena(this.state);
  }

  private encodeWith(spans: readonly SpanData[], scratch: EncodeScratch | undefined, allocate: Allocate): Buffer {
    const arena = this.spans;
    try {
      for (let i = 0; i < spans.length; i++) arena.add(spans[i]!);
      return arena.encodeRequest(scratch, allocate);
    } finally {
      arena.clear();
    }
  }
}

/**
 * Encodes spans as the bytes of one `ExportTraceServiceRequest`, with a fresh encoder (a caller that
 * encodes again and again keeps a {@link SpanEncoder} instead). An empty list gives an empty message
 * (zero bytes). With `scratch`, the result is a view of the scratch's Buffer (valid until the
 * scratch is lent again) whenever the request fits in it.
 *
 * Without the scratch argument the bytes are a plain Uint8Array, and nothing Node-only is touched.
 * A caller that lends a scratch (which may be undefined while it is busy) gets a Buffer.
 */
export function encodeExportTraceRequest(spans: readonly SpanData[]): Uint8Array;
export function encodeExportTraceRequest(spans: readonly SpanData[], scratch: EncodeScratch | undefined): Buffer;
export function encodeExportTraceRequest(spans: readonly SpanData[], ...lent: [EncodeScratch?]): Uint8Array {
  const encoder = new SpanEncoder();
  return lent.length === 0 ? encoder.encode(spans) : encoder.encodeToBuffer(spans, lent[0]);
}
