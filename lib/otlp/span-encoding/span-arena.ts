/**
 * A batch of spans encoded as they end (the {@link EncodedSpanBatch} of the OTLP exporter): each
 * span's `ScopeSpans.spans` field appended to one growing Buffer, plus the span's resource and
 * scope for grouping. A batch processor that keeps these instead of span objects keeps ~0.5 KB of
 * bytes per span rather than a graph of objects that the garbage collector must copy while it
 * waits; the request is then assembled by copying the fields under their ResourceSpans/ScopeSpans
 * headers, giving the bytes that encoding the span objects gives. Storage is kept across `clear()`.
 */
import { varintSize } from '../../protobuf/writer.js';
import type { EncodedSpanBatch, InstrumentationScope, Resource, SpanData } from '../../trace/span-data.js';
import { SpanEncoderState } from './encoder-state.js';
import { putSpanField, ONE_PASS_ROOM } from './one-pass.js';
import { type Allocate, allocateBuffer, allocateKept, EMPTY, SpanWriter } from './output.js';
import { encodeRequest } from './request.js';
import type { EncodeScratch } from './scratch.js';
import { sizeSpan } from './size-pass.js';
import type { SpanSource } from './span-source.js';
import { SCOPE_SPANS_SPANS } from './wire-keys.js';
import { writeSpan } from './write-pass.js';

const NO_RESOURCE: Resource = Object.freeze({ attributes: Object.freeze({}), droppedAttributesCount: 0 });
const NO_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: Object.freeze({}) });

export class SpanArena implements EncodedSpanBatch, SpanSource {
  /** Spans in the batch. */
  length = 0;
  private bytes: Buffer = EMPTY;
  private writer = new SpanWriter(0, EMPTY);
  private used = 0;
  /** End offset of each span's field in `bytes` (the start is the previous end). */
  private ends = new Uint32Array(64);
  /** Per span, what grouping reads: its resource and scope. */
  private readonly holders: { resource: Resource; scope: InstrumentationScope }[] = [];

  /**
   * `state`: the caches and scratch to encode with; an exporter passes one state to all of its
   * arenas, so that they share what the caches learn.
   */
  constructor(private readonly state: SpanEncoderState = new SpanEncoderState()) {}

  get owners(): readonly { resource: Resource; scope: InstrumentationScope }[] {
    return this.holders;
  }

  add(span: SpanData): void {
    this.state.fields.trim();
    const start = this.used;
    if (this.bytes.length - start < ONE_PASS_ROOM) this.grow(start + ONE_PASS_ROOM);
    // One pass first; a span that does not fit in the room left, or any surprise, goes through the
    // exact two-pass route, which writes the same bytes.
    let end: number;
    try {
      end = putSpanField(this.writer, this.state, start, span);
    } catch {
      end = -1;
    }
    if (end < 0 || end > this.bytes.length) this.addTwoPass(span);
    else this.used = end;
    this.record(span);
  }

  /** Encodes `span` at the end of the used bytes with a size pass and then a write pass. */
  private addTwoPass(span: SpanData): void {
    const state = this.state;
    state.sizes.reset();
    const body = sizeSpan(state, span);
    // The whole `ScopeSpans.spans` field: key, length, message.
    const need = 1 + varintSize(body) + body;
    if (this.used + need > this.bytes.length) this.grow(this.used + need);
    const w = this.writer;
    w.pos = this.used;
    w.byte(SCOPE_SPANS_SPANS);
    writeSpan(w, state, span);
    if (w.pos !== this.used + need)
      throw new Error(`span size pass announced ${need} bytes, write pass produced ${w.pos - this.used}`);
    this.used = w.pos;
  }

  /** Records the end of the span just written, and its resource and scope. */
  private record(span: SpanData): void {
    const i = this.length;
    if (i === this.ends.length) {
      const bigger = new Uint32Array(i * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.ends[i] = this.used;
    const holder = this.holders[i];
    if (holder === undefined) this.holders.push({ resource: span.resource, scope: span.scope });
    else {
      holder.resource = span.resource;
      holder.scope = span.scope;
    }
    this.length = i + 1;
  }

  clear(): void {
    this.length = 0;
    this.used = 0;
    // Let go of resources and scopes; the holder objects stay for reuse.
    for (const holder of this.holders) {
      holder.resource = NO_RESOURCE;
      holder.scope = NO_SCOPE;
    }
  }

  /** The request holding every span of the batch, as encodeExportTraceRequest would give it. */
  encodeRequest(scratch?: EncodeScratch, allocate: Allocate = allocateBuffer): Buffer {
    return encodeRequest(this, this.state, scratch, allocate);
  }

  /** Bytes of storage held. */
  get capacity(): number {
    return this.bytes.length;
  }

  sizeSpans(_state: SpanEncoderState, order: Uint32Array, from: number, to: number): number {
    if (from === 0 && to === this.length) return this.used;
    let size = 0;
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      size += this.ends[i]! - (i === 0 ? 0 : this.ends[i - 1]!);
    }
    return size;
  }

  writeSpans(w: SpanWriter, _state: SpanEncoderState, order: Uint32Array, from: number, to: number): void {
    // One group holding every span (the usual batch) keeps their order: one copy does.
    if (from === 0 && to === this.length) {
      this.copy(w, 0, this.used);
      return;
    }
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      this.copy(w, i === 0 ? 0 : this.ends[i - 1]!, this.ends[i]!);
    }
  }

  private copy(w: SpanWriter, start: number, end: number): void {
    w.buf.set(this.bytes.subarray(start, end), w.pos);
    w.pos += end - start;
  }

  private grow(atLeast: number): void {
    const bigger = allocateKept(Math.max(atLeast, this.bytes.length * 2, 64 * 1024));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
    this.writer = new SpanWriter(bigger.length, bigger);
  }
}
