/**
 * Everything an encoder keeps between calls, in one object that the caller owns and passes in:
 * the field caches and the request assembler's scratch. Encoding is synchronous, so one state
 * serves any number of requests and arenas, one call at a time.
 */
import { FieldCache } from './field-cache.js';
import { GrowingBytes } from './growing-bytes.js';
import { SpanGroups } from './span-groups.js';

export class SpanEncoderState {
  readonly fields = new FieldCache();
  readonly groups = new SpanGroups();
  /** The request under way's Resource and InstrumentationScope messages, one after another. */
  readonly headers = new GrowingBytes();
  /** The end of each message in `headers`. */
  readonly headerEnds: number[] = [];
  /** The request under way's ResourceSpans and ScopeSpans lengths, in write order. */
  readonly lengths: number[] = [];
}
