/**
 * A batch of spans encoded as they end (the {@link EncodedSpanBatch} of the OTLP exporter): each
 * span's `ScopeSpans.spans` field appended to one growing Buffer, plus the span's resource and
 * scope for grouping. A batch processor that keeps these instead of span objects keeps ~0.5 KB of
 * bytes per span rather than a graph of objects that the garbage collector must copy while it
 * waits; the request is then assembled by copying the fields under their ResourceSpans/ScopeSpans
 * headers. Storage is kept across `clear()`.
 */
import type { EncodedSpanBatch, InstrumentationScope, Resource, SpanData } from '../../trace/span-data.js';
import { SpanEncoderState } from './encoder-state.js';
import { GrowingBytes } from './growing-bytes.js';
import { putSpanField } from './one-pass.js';
import { type Allocate, allocateBuffer, type SpanWriter } from './output.js';
import { encodeRequest } from './request.js';
import type { EncodeScratch } from './scratch.js';
import type { SpanSource } from './span-source.js';

/** The largest span storage an arena keeps across `clear()`: one huge batch must not pin its bytes for good. */
const MAX_KEPT_ARENA_BYTES = 8 * 1024 * 1024;

const NO_RESOURCE: Resource = Object.freeze({ attributes: Object.freeze({}), droppedAttributesCount: 0 });
const NO_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: Object.freeze({}) });

export class SpanArena implements EncodedSpanBatch, SpanSource {
  /** Spans in the batch. */
  length = 0;
  private readonly bytes = new GrowingBytes();
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
    const end = this.bytes.append(this.state, putSpanField, span);
    const i = this.length;
    if (i === this.ends.length) {
      const bigger = new Uint32Array(i * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.ends[i] = end;
    const holder = this.holders[i];
    if (holder === undefined) this.holders.push({ resource: span.resource, scope: span.scope });
    else {
      holder.resource = span.resource;
      holder.scope = span.scope;
    }
    this.length = i + 1;
  }

  /** Forgets every span; keeps the storage unless it is larger than `keepAtMost` bytes. */
  clear(keepAtMost = MAX_KEPT_ARENA_BYTES): void {
    this.length = 0;
    this.bytes.clear(keepAtMost);
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

  sizeSpans(order: Uint32Array, from: number, to: number): number {
    if (from === 0 && to === this.length) return this.bytes.used;
    let size = 0;
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      size += this.ends[i]! - (i === 0 ? 0 : this.ends[i - 1]!);
    }
    return size;
  }

  writeSpans(w: SpanWriter, order: Uint32Array, from: number, to: number): void {
    // One group holding every span (the usual batch) keeps their order: one copy does.
    if (from === 0 && to === this.length) {
      this.bytes.copyTo(w, 0, this.bytes.used);
      return;
    }
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      this.bytes.copyTo(w, i === 0 ? 0 : this.ends[i - 1]!, this.ends[i]!);
    }
  }
}
