/**
 * The native-histogram fields of `io.prometheus.client.Histogram`, as client_golang 1.14 writes them after the
 * classic buckets: `schema` (5), `zero_threshold` (6) and `zero_count` (7) always, then negative spans (9) and
 * deltas (10), positive spans (12) and deltas (13). client_model's metrics.proto is proto2, so the repeated deltas
 * are not packed: one key per delta. A BucketSpan carries both `offset` and `length`, even when zero.
 */
import { type ProtoWriter, varintSize, zigzag32, zigzag64 } from '../protobuf/writer.js';
import type { NativeSpans } from '../metrics/native-buckets.js';
import type { NativeSnapshot } from '../metrics/native-histogram.js';

const SCHEMA = 0x28; // Histogram.schema = 5, VARINT (sint32)
const ZERO_THRESHOLD = 0x31; // Histogram.zero_threshold = 6, I64
const ZERO_COUNT = 0x38; // Histogram.zero_count = 7, VARINT
const NEGATIVE_SPAN = 0x4a; // Histogram.negative_span = 9, LEN
const NEGATIVE_DELTA = 0x50; // Histogram.negative_delta = 10, VARINT (sint64)
const POSITIVE_SPAN = 0x62; // Histogram.positive_span = 12, LEN
const POSITIVE_DELTA = 0x68; // Histogram.positive_delta = 13, VARINT (sint64)
const SPAN_OFFSET = 0x08; // BucketSpan.offset = 1, VARINT (sint32)
const SPAN_LENGTH = 0x10; // BucketSpan.length = 2, VARINT

/** Bytes the native fields take inside the Histogram message. */
export function nativeFieldsSize(n: NativeSnapshot): number {
  return (
    1 + varintSize(zigzag32(n.schema)) + 9 + 1 + varintSize(n.zeroCount) + spansSize(n.negative) + spansSize(n.positive)
  );
}

/** Writes the native fields (call after the classic buckets). */
export function writeNativeFields(w: ProtoWriter, n: NativeSnapshot): void {
  w.byte(SCHEMA);
  w.varint(zigzag32(n.schema));
  w.byte(ZERO_THRESHOLD);
  w.double(n.zeroThreshold);
  w.byte(ZERO_COUNT);
  w.varint(n.zeroCount);
  writeSpans(w, n.negative, NEGATIVE_SPAN, NEGATIVE_DELTA);
  writeSpans(w, n.positive, POSITIVE_SPAN, POSITIVE_DELTA);
}

function spanSize(offset: number, length: number): number {
  return 1 + varintSize(zigzag32(offset)) + 1 + varintSize(length);
}

function spansSize(s: NativeSpans): number {
  let size = 0;
  for (let i = 0; i < s.offsets.length; i++) {
    const span = spanSize(s.offsets[i]!, s.lengths[i]!);
    size += 1 + varintSize(span) + span;
  }
  for (let i = 0; i < s.deltas.length; i++) size += 1 + varintSize(zigzag64(s.deltas[i]!));
  return size;
}

function writeSpans(w: ProtoWriter, s: NativeSpans, spanKey: number, deltaKey: number): void {
  for (let i = 0; i < s.offsets.length; i++) {
    const offset = s.offsets[i]!;
    const length = s.lengths[i]!;
    w.byte(spanKey);
    w.varint(spanSize(offset, length));
    w.byte(SPAN_OFFSET);
    w.varint(zigzag32(offset));
    w.byte(SPAN_LENGTH);
    w.varint(length);
  }
  for (let i = 0; i < s.deltas.length; i++) {
    w.byte(deltaKey);
    w.varint(zigzag64(s.deltas[i]!));
  }
}
