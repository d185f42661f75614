/**
 * Everything an encoder keeps between calls, in one object that the caller owns and passes in:
 * the lengths of the size pass, the field caches and the grouping scratch. Encoding is
 * synchronous, so one state serves any number of requests and arenas, one call at a time.
 */
import { SizeTable } from '../../protobuf/writer.js';
import { FieldCache } from './field-cache.js';
import { SpanGroups } from './span-groups.js';

export class SpanEncoderState {
  /** Lengths from the size pass, in write order. */
  readonly sizes = new SizeTable();
  readonly fields = new FieldCache();
  readonly groups = new SpanGroups();
}
