/**
 * The OTLP trace request encoder: finished spans to `ExportTraceServiceRequest` bytes
 * (schema in proto/opentelemetry/proto/collector/trace/v1/trace_service.proto).
 *
 * Shape of the output:
 * - spans are grouped into one ResourceSpans per distinct Resource object, and inside it one
 *   ScopeSpans per distinct InstrumentationScope object (span-groups.ts);
 * - fields are written in field-number order; scalar fields holding their default (0, '', empty
 *   bytes) are left out, as proto3 encoders do, except that ResourceSpans.resource,
 *   ScopeSpans.scope, KeyValue.value, Span.status and the span/event timestamps are always there;
 * - a member of the AnyValue oneof is always written once chosen, even '' or 0 or false.
 *
 * Attribute values (the AttributeValue union of the tracing contract):
 * - string -> string_value; boolean -> bool_value;
 * - number -> int_value when it is a safe integer other than -0 (negatives as the 10-byte
 *   two's-complement varint of int64), double_value otherwise (fractions, -0, NaN, +-Infinity,
 *   and integers beyond 2^53 whose exact value a double cannot promise);
 * - bigint -> int_value, reduced to int64 as `BigInt.asIntN(64, v)` would;
 * - Uint8Array (Buffer included) -> bytes_value;
 * - array -> array_value, elements in order;
 * - any other object -> kvlist_value built from its own enumerable string keys, in
 *   Object.keys order (integer-like keys first, as JS enumerates them);
 * - null, and undefined or a function inside an array -> an AnyValue with nothing set;
 *   a key whose value is undefined is skipped altogether, as JSON.stringify does.
 * Arrays and key/value lists nested deeper than {@link MAX_NESTING} levels are written as an
 * empty AnyValue, which also keeps a cyclic value from recursing forever.
 *
 * Span.flags and Link.flags carry the W3C trace flags in bits 0-7. Bits 8-9 say whether the
 * parent (for a link: the linked) context is remote, bit 8 meaning "this is known": set from
 * SpanData.parentIsRemote / SpanLink.isRemote when given, left clear ("unknown") when not. A
 * flags value of 0 is left out like any proto3 default.
 *
 * Span.kind: SpanData numbers kinds as @opentelemetry/api does (INTERNAL 0 ... CONSUMER 4); OTLP
 * numbers them from 1 (0 is UNSPECIFIED), see {@link otlpKind}. Status codes agree already.
 * ResourceSpans.schema_url and ScopeSpans.schema_url come from Resource / InstrumentationScope
 * `schemaUrl` when set. Ids: see hex-id.ts.
 *
 * Timestamps: HrTime [seconds, nanoseconds] becomes the fixed64 nanosecond count, computed
 * exactly in 32-bit halves (ProtoWriter.fixed64Nanos); times before the epoch give 0.
 *
 * How: every message is written in one pass that backfills its length prefix (one-pass.ts). A
 * {@link SpanArena} encodes each span that way as it ends; a {@link SpanEncoder} encodes span objects
 * through an arena it keeps. The request assembler (request.ts) groups the spans of a
 * {@link SpanSource} (an arena), encodes each distinct resource and scope the same way, and copies
 * everything into one output of exactly the request's size. Attribute keys and repeated string
 * values are encoded once and then copied (field-cache.ts). Everything kept between calls lives in
 * a {@link SpanEncoderState} that the caller owns; a {@link SpanEncoder} holds one.
 */

export { SpanEncoderState } from './encoder-state.js';
export type { EncodeScratch } from './scratch.js';
export { SpanArena } from './span-arena.js';
export { encodeExportTraceRequest, SpanEncoder } from './span-encoder.js';
export { linkFlags, MAX_NESTING, otlpKind, spanFlags } from './span-fields.js';
export type { SpanOwner } from './span-groups.js';
export type { SpanSource } from './span-source.js';
