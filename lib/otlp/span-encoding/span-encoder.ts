/** Finished spans to the bytes of one `ExportTraceServiceRequest`. */
import type { SpanData } from '../../trace/span-data.js';
import { SpanEncoderState } from './encoder-state.js';
import { allocateBuffer, allocateBytes } from './output.js';
import { encodeRequest } from './request.js';
import type { EncodeScratch } from './scratch.js';
import { SpanArena } from './span-arena.js';
import { SpanList } from './span-list.js';

/**
 * An encoder that keeps what it learns (the field caches) from one request to the next: an
 * exporter holds one. Its arenas share its state. Not for concurrent use, which synchronous
 * encoding rules out anyway.
 */
export class SpanEncoder {
  private readonly state = new SpanEncoderState();

  /** The request for `spans`, as plain bytes; touches nothing Node-only, so it runs on every runtime. */
  encode(spans: readonly SpanData[]): Uint8Array {
    return encodeRequest(new SpanList(spans), this.state, undefined, allocateBytes);
  }

  /**
   * The request for `spans` as a Buffer: a view of the scratch's Buffer (valid until the scratch is
   * lent again) whenever the request fits in it.
   */
  encodeToBuffer(spans: readonly SpanData[], scratch?: EncodeScratch): Buffer {
    return encodeRequest(new SpanList(spans), this.state, scratch, allocateBuffer);
  }

  /** An empty arena that encodes with this encoder's state. */
  createArena(): SpanArena {
    return new SpanArena(this.state);
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
