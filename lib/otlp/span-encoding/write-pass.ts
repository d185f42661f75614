/**
 * The write pass: the same walk as the size pass (size-pass.ts), writing the bytes and reading the
 * recorded lengths back from `state.sizes` for the length prefixes.
 */
import { bigintVarintSize, utf8Length, varintSize } from '../../protobuf/writer.js';
import type {
  AttributeValue,
  Attributes,
  InstrumentationScope,
  Resource,
  SpanData,
  SpanEvent,
  SpanLink,
} from '../../trace/span-data.js';
import type { SpanEncoderState } from './encoder-state.js';
import { putId } from './hex-id.js';
import type { SpanWriter } from './output.js';
import { putCached, putLength } from './put.js';
import { statusBodySize } from './size-pass.js';
import { isInt64, linkFlags, MAX_NESTING, otlpKind, spanFlags } from './span-fields.js';
import { putString } from './text.js';
import {
  ANY_ARRAY,
  ANY_BOOL,
  ANY_BYTES,
  ANY_DOUBLE,
  ANY_INT,
  ANY_KVLIST,
  ANY_STRING,
  EVENT_ATTRIBUTES,
  EVENT_DROPPED,
  EVENT_NAME,
  EVENT_TIME,
  FIXED64_FIELD,
  KV_KEY,
  KV_VALUE,
  LINK_ATTRIBUTES,
  LINK_DROPPED,
  LINK_FLAGS,
  LINK_SPAN_ID,
  LINK_TRACE_ID,
  LINK_TRACE_STATE,
  LIST_VALUES,
  RESOURCE_ATTRIBUTES,
  RESOURCE_DROPPED,
  SCHEMA_URL,
  SCOPE_ATTRIBUTES,
  SCOPE_NAME,
  SCOPE_VERSION,
  SPAN_ATTRIBUTES,
  SPAN_DROPPED_ATTRIBUTES,
  SPAN_DROPPED_EVENTS,
  SPAN_DROPPED_LINKS,
  SPAN_END,
  SPAN_EVENTS,
  SPAN_FLAGS_0,
  SPAN_FLAGS_1,
  SPAN_KIND,
  SPAN_LINKS,
  SPAN_NAME,
  SPAN_PARENT_SPAN_ID,
  SPAN_SPAN_ID,
  SPAN_START,
  SPAN_STATUS,
  SPAN_TRACE_ID,
  SPAN_TRACE_STATE,
  STATUS_CODE,
  STATUS_MESSAGE,
} from './wire-keys.js';

const hasOwn = Object.prototype.hasOwnProperty;

export function writeSchemaUrl(w: SpanWriter, url: string | undefined): void {
  if (typeof url !== 'string' || url.length === 0) return;
  w.byte(SCHEMA_URL);
  w.string(url, utf8Length(url));
}

/** Writes the Resource message with its length prefix. */
export function writeResource(w: SpanWriter, state: SpanEncoderState, resource: Resource): void {
  w.varint(state.sizes.next());
  writeAttributes(w, state, resource.attributes, RESOURCE_ATTRIBUTES);
  const dropped = resource.droppedAttributesCount >>> 0;
  if (dropped !== 0) {
    w.byte(RESOURCE_DROPPED);
    w.varint(dropped);
  }
}

/** Writes the InstrumentationScope message with its length prefix. */
export function writeScope(w: SpanWriter, state: SpanEncoderState, scope: InstrumentationScope): void {
  const sizes = state.sizes;
  w.varint(sizes.next());
  const name = sizes.next();
  const version = sizes.next();
  if (name !== 0) {
    w.byte(SCOPE_NAME);
    w.string(scope.name, name);
  }
  if (version !== 0) {
    w.byte(SCOPE_VERSION);
    w.string(scope.version, version);
  }
  writeAttributes(w, state, scope.attributes, SCOPE_ATTRIBUTES);
}

/** Writes the Span message of `span` with its length prefix. */
export function writeSpan(w: SpanWriter, state: SpanEncoderState, span: SpanData): void {
  const sizes = state.sizes;
  w.varint(sizes.next());
  const traceState = sizes.next();
  const name = sizes.next();
  w.pos = putId(w.buf, w.pos, SPAN_TRACE_ID, span.traceId);
  w.pos = putId(w.buf, w.pos, SPAN_SPAN_ID, span.spanId);
  if (traceState !== 0) {
    w.byte(SPAN_TRACE_STATE);
    w.string(span.traceState, traceState);
  }
  w.pos = putId(w.buf, w.pos, SPAN_PARENT_SPAN_ID, span.parentSpanId);
  if (name !== 0) {
    w.byte(SPAN_NAME);
    w.string(span.name, name);
  }
  const kind = otlpKind(span.kind);
  if (kind !== 0) {
    w.byte(SPAN_KIND);
    w.varint(kind);
  }
  const start = span.startTime;
  w.byte(SPAN_START);
  w.fixed64Nanos(start[0], start[1]);
  const end = span.endTime;
  w.byte(SPAN_END);
  w.fixed64Nanos(end[0], end[1]);
  writeAttributes(w, state, span.attributes, SPAN_ATTRIBUTES);
  const droppedAttributes = span.droppedAttributesCount >>> 0;
  if (droppedAttributes !== 0) {
    w.byte(SPAN_DROPPED_ATTRIBUTES);
    w.varint(droppedAttributes);
  }
  const events = span.events;
  for (let i = 0; i < events.length; i++) {
    w.byte(SPAN_EVENTS);
    writeEvent(w, state, events[i]!);
  }
  const droppedEvents = span.droppedEventsCount >>> 0;
  if (droppedEvents !== 0) {
    w.byte(SPAN_DROPPED_EVENTS);
    w.varint(droppedEvents);
  }
  const links = span.links;
  for (let i = 0; i < links.length; i++) {
    w.byte(SPAN_LINKS);
    writeLink(w, state, links[i]!);
  }
  const droppedLinks = span.droppedLinksCount >>> 0;
  if (droppedLinks !== 0) {
    w.byte(SPAN_DROPPED_LINKS);
    w.varint(droppedLinks);
  }
  const status = span.status;
  const code = status.code | 0;
  const message = sizes.next();
  w.byte(SPAN_STATUS);
  w.varint(statusBodySize(code, message));
  if (message !== 0) {
    w.byte(STATUS_MESSAGE);
    w.string(status.message, message);
  }
  if (code !== 0) {
    w.byte(STATUS_CODE);
    w.varint(code);
  }
  const flags = spanFlags(span);
  if (flags !== 0) {
    w.byte(SPAN_FLAGS_0);
    w.byte(SPAN_FLAGS_1);
    w.fixed32(flags);
  }
}

function writeEvent(w: SpanWriter, state: SpanEncoderState, event: SpanEvent): void {
  const sizes = state.sizes;
  w.varint(sizes.next());
  const name = sizes.next();
  const time = event.time;
  w.byte(EVENT_TIME);
  w.fixed64Nanos(time[0], time[1]);
  if (name !== 0) {
    w.byte(EVENT_NAME);
    w.string(event.name, name);
  }
  writeAttributes(w, state, event.attributes, EVENT_ATTRIBUTES);
  const dropped = event.droppedAttributesCount >>> 0;
  if (dropped !== 0) {
    w.byte(EVENT_DROPPED);
    w.varint(dropped);
  }
}

function writeLink(w: SpanWriter, state: SpanEncoderState, link: SpanLink): void {
  w.varint(state.sizes.next());
  const traceState = state.sizes.next();
  w.pos = putId(w.buf, w.pos, LINK_TRACE_ID, link.traceId);
  w.pos = putId(w.buf, w.pos, LINK_SPAN_ID, link.spanId);
  if (traceState !== 0) {
    w.byte(LINK_TRACE_STATE);
    w.string(link.traceState, traceState);
  }
  writeAttributes(w, state, link.attributes, LINK_ATTRIBUTES);
  const dropped = link.droppedAttributesCount >>> 0;
  if (dropped !== 0) {
    w.byte(LINK_DROPPED);
    w.varint(dropped);
  }
  const flags = linkFlags(link);
  if (flags !== 0) {
    w.byte(LINK_FLAGS);
    w.fixed32(flags);
  }
}

/** Writes a run of `repeated KeyValue` fields with key byte `key`. */
function writeAttributes(w: SpanWriter, state: SpanEncoderState, attributes: Attributes, key: number): void {
  w.pos = putAttributes(w, state, w.pos, attributes, key, 0);
}

function putAttributes(
  w: SpanWriter,
  state: SpanEncoderState,
  pos: number,
  attributes: Attributes,
  key: number,
  depth: number,
): number {
  const buf = w.buf;
  const sizes = state.sizes;
  const fields = state.fields;
  for (const name in attributes) {
    if (!hasOwn.call(attributes, name)) continue;
    const value = attributes[name];
    if (value === undefined) continue;
    buf[pos++] = key;
    pos = putLength(buf, pos, sizes.next());
    const keySlot = sizes.next();
    if ((keySlot & 1) !== 0) {
      const index = keySlot >>> 1;
      pos = putCached(w, pos, fields.keyFields[index]!, fields.keyWords[index]!);
    } else if (keySlot !== 0) {
      buf[pos++] = KV_KEY;
      pos = putString(buf, pos, name, keySlot >>> 1);
    }
    buf[pos++] = KV_VALUE;
    if (typeof value === 'string' && (keySlot & 1) !== 0) {
      // Sized by sizeStringValue: cached or not, per the slot's low bit.
      const valueSlot = sizes.next();
      if ((valueSlot & 1) !== 0) {
        const index = valueSlot >>> 1;
        const field = fields.valueFields[index]!;
        pos = putLength(buf, pos, field.length);
        pos = putCached(w, pos, field, fields.valueWords[index]!);
      } else {
        const length = valueSlot >>> 1;
        pos = putLength(buf, pos, 1 + varintSize(length) + length);
        buf[pos++] = ANY_STRING;
        pos = putString(buf, pos, value, length);
      }
    } else {
      pos = putAnyValue(w, state, pos, value, depth);
    }
  }
  return pos;
}

/**
 * Writes the length prefix and body of the AnyValue holding `value`; returns the new position.
 * The one-pass writer uses it too for the values whose length is known up front (`state` is then
 * never read).
 */
export function putAnyValue(
  w: SpanWriter,
  state: SpanEncoderState,
  pos: number,
  value: AttributeValue,
  depth: number,
): number {
  const buf = w.buf;
  switch (typeof value) {
    case 'string': {
      const length = state.sizes.next();
      pos = putLength(buf, pos, 1 + varintSize(length) + length);
      buf[pos++] = ANY_STRING;
      return putString(buf, pos, value, length);
    }
    case 'number':
      if (isInt64(value)) {
        if (value >= 0 && value < 0x80000000) {
          pos = putLength(buf, pos, 1 + varintSize(value));
          buf[pos++] = ANY_INT;
          return putLength(buf, pos, value);
        }
        buf[pos++] = 1 + varintSize(value);
        buf[pos++] = ANY_INT;
        w.pos = pos;
        w.varint(value);
        return w.pos;
      }
      buf[pos++] = FIXED64_FIELD;
      buf[pos++] = ANY_DOUBLE;
      w.pos = pos;
      w.double(value);
      return w.pos;
    case 'boolean':
      buf[pos] = 2;
      buf[pos + 1] = ANY_BOOL;
      buf[pos + 2] = value ? 1 : 0;
      return pos + 3;
    case 'bigint':
      buf[pos++] = 1 + bigintVarintSize(value);
      buf[pos++] = ANY_INT;
      w.pos = pos;
      w.varintBig(value);
      return w.pos;
    case 'object': {
      if (value === null || depth >= MAX_NESTING) {
        buf[pos] = 0;
        return pos + 1;
      }
      if (Array.isArray(value)) {
        const body = state.sizes.next();
        pos = putLength(buf, pos, 1 + varintSize(body) + body);
        buf[pos++] = ANY_ARRAY;
        pos = putLength(buf, pos, body);
        const values = value as readonly AttributeValue[];
        for (let i = 0; i < values.length; i++) {
          buf[pos++] = LIST_VALUES;
          pos = putAnyValue(w, state, pos, values[i]!, depth + 1);
        }
        return pos;
      }
      if (value instanceof Uint8Array) {
        const length = value.length;
        pos = putLength(buf, pos, 1 + varintSize(length) + length);
        buf[pos++] = ANY_BYTES;
        w.pos = pos;
        w.bytes(value);
        return w.pos;
      }
      const body = state.sizes.next();
      pos = putLength(buf, pos, 1 + varintSize(body) + body);
      buf[pos++] = ANY_KVLIST;
      pos = putLength(buf, pos, body);
      return putAttributes(w, state, pos, value as Attributes, LIST_VALUES, depth + 1);
    }
    default:
      buf[pos] = 0;
      return pos + 1;
  }
}
