/**
 * Keys of the fields of `ExportTraceServiceRequest` the encoder writes, precomputed as
 * (field number << 3) | wire type (proto/opentelemetry/proto/collector/trace/v1/trace_service.proto).
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
 */

export const REQUEST_RESOURCE_SPANS = 0x0a; // ExportTraceServiceRequest.resource_spans = 1
export const RESOURCE_SPANS_RESOURCE = 0x0a; // ResourceSpans.resource = 1
export const RESOURCE_SPANS_SCOPE_SPANS = 0x12; // ResourceSpans.scope_spans = 2
export const RESOURCE_ATTRIBUTES = 0x0a; // Resource.attributes = 1
export const RESOURCE_DROPPED = 0x10; // Resource.dropped_attributes_count = 2
export const SCOPE_SPANS_SCOPE = 0x0a; // ScopeSpans.scope = 1
export const SCOPE_SPANS_SPANS = 0x12; // ScopeSpans.spans = 2
export const SCHEMA_URL = 0x1a; // ResourceSpans.schema_url = 3 and ScopeSpans.schema_url = 3
export const SCOPE_NAME = 0x0a; // InstrumentationScope.name = 1
export const SCOPE_VERSION = 0x12; // InstrumentationScope.version = 2
export const SCOPE_ATTRIBUTES = 0x1a; // InstrumentationScope.attributes = 3

export const SPAN_TRACE_ID = 0x0a; // Span.trace_id = 1
export const SPAN_SPAN_ID = 0x12; // Span.span_id = 2
export const SPAN_TRACE_STATE = 0x1a; // Span.trace_state = 3
export const SPAN_PARENT_SPAN_ID = 0x22; // Span.parent_span_id = 4
export const SPAN_NAME = 0x2a; // Span.name = 5
export const SPAN_KIND = 0x30; // Span.kind = 6
export const SPAN_START = 0x39; // Span.start_time_unix_nano = 7, fixed64
export const SPAN_END = 0x41; // Span.end_time_unix_nano = 8, fixed64
export const SPAN_ATTRIBUTES = 0x4a; // Span.attributes = 9
export const SPAN_DROPPED_ATTRIBUTES = 0x50; // Span.dropped_attributes_count = 10
export const SPAN_EVENTS = 0x5a; // Span.events = 11
export const SPAN_DROPPED_EVENTS = 0x60; // Span.dropped_events_count = 12
export const SPAN_LINKS = 0x6a; // Span.links = 13
export const SPAN_DROPPED_LINKS = 0x70; // Span.dropped_links_count = 14
export const SPAN_STATUS = 0x7a; // Span.status = 15
// Span.flags = 16, fixed32: key 133, which takes two varint bytes.
export const SPAN_FLAGS_0 = 0x85;
export const SPAN_FLAGS_1 = 0x01;

export const EVENT_TIME = 0x09; // Span.Event.time_unix_nano = 1, fixed64
export const EVENT_NAME = 0x12; // Span.Event.name = 2
export const EVENT_ATTRIBUTES = 0x1a; // Span.Event.attributes = 3
export const EVENT_DROPPED = 0x20; // Span.Event.dropped_attributes_count = 4

export const LINK_TRACE_ID = 0x0a; // Span.Link.trace_id = 1
export const LINK_SPAN_ID = 0x12; // Span.Link.span_id = 2
export const LINK_TRACE_STATE = 0x1a; // Span.Link.trace_state = 3
export const LINK_ATTRIBUTES = 0x22; // Span.Link.attributes = 4
export const LINK_DROPPED = 0x28; // Span.Link.dropped_attributes_count = 5
export const LINK_FLAGS = 0x35; // Span.Link.flags = 6, fixed32

export const STATUS_MESSAGE = 0x12; // Status.message = 2
export const STATUS_CODE = 0x18; // Status.code = 3

export const KV_KEY = 0x0a; // KeyValue.key = 1
export const KV_VALUE = 0x12; // KeyValue.value = 2
export const LIST_VALUES = 0x0a; // ArrayValue.values = 1 and KeyValueList.values = 1

export const ANY_STRING = 0x0a; // AnyValue.string_value = 1
export const ANY_BOOL = 0x10; // AnyValue.bool_value = 2
export const ANY_INT = 0x18; // AnyValue.int_value = 3
export const ANY_DOUBLE = 0x21; // AnyValue.double_value = 4, fixed64
export const ANY_ARRAY = 0x2a; // AnyValue.array_value = 5
export const ANY_KVLIST = 0x32; // AnyValue.kvlist_value = 6
export const ANY_BYTES = 0x3a; // AnyValue.bytes_value = 7

/** Key (1 byte) + fixed64 payload. */
export const FIXED64_FIELD = 9;
