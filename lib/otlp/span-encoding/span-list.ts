/** Span objects as a {@link SpanSource}: each span is measured by the size pass, then written by the write pass. */
import { varintSize } from '../../protobuf/writer.js';
import type { SpanData } from '../../trace/span-data.js';
import type { SpanEncoderState } from './encoder-state.js';
import type { SpanWriter } from './output.js';
import { sizeSpan } from './size-pass.js';
import type { SpanSource } from './span-source.js';
import { SCOPE_SPANS_SPANS } from './wire-keys.js';
import { writeSpan } from './write-pass.js';

export class SpanList implements SpanSource {
  constructor(private readonly spans: readonly SpanData[]) {}

  get length(): number {
    return this.spans.length;
  }

  get owners(): readonly SpanData[] {
    return this.spans;
  }

  sizeSpans(state: SpanEncoderState, order: Uint32Array, from: number, to: number): number {
    const spans = this.spans;
    let size = 0;
    for (let k = from; k < to; k++) {
      const span = sizeSpan(state, spans[order[k]!]!);
      size += 1 + varintSize(span) + span;
    }
    return size;
  }

  writeSpans(w: SpanWriter, state: SpanEncoderState, order: Uint32Array, from: number, to: number): void {
    const spans = this.spans;
    for (let k = from; k < to; k++) {
      w.byte(SCOPE_SPANS_SPANS);
      writeSpan(w, state, spans[order[k]!]!);
    }
  }
}
