/**
 * The encoding of spans, resources and scopes, in one pass each. Each nested message gets room for
 * its length prefix before its body is written (one byte for attributes, events, links and the
 * status, two for the span itself); once the body is done the length goes in, and in the rare case
 * the prefix needs a different number of bytes the body is moved by that difference. No size pass,
 * so each attribute key and string value is looked up in the caches once.
 *
 * Writing never checks bounds byte by byte: the caller (GrowingBytes) keeps room free and writes
 * again with more room when a message did not fit.
 */
import { bigintVarintSize, varintSize } from '../../protobuf/writer.js';
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
import { KEY_MEMO_RUN, PAIR_STREAK } from './field-cache.js';
import { putId } from './hex-id.js';
import type { SpanWriter } from './output.js';
import { closeLength, putCached, putLength, putTime, putVarintField } from './put.js';
import { isInt64, linkFlags, MAX_NESTING, otlpKind, spanFlags } from './span-fields.js';
import { putText } from './text.js';
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
  SCOPE_ATTRIBUTES,
  SCOPE_NAME,
  SCOPE_SPANS_SPANS,
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

/** Writes the body of the Resource message (without its key and length) at `pos`; returns where it ends. */
export function putResource(w: SpanWriter, state: SpanEncoderState, pos: number, resource: Resource): number {
  pos = putAttributesOnce(w, state, pos, resource.attributes, RESOURCE_ATTRIBUTES, 0);
  const dropped = resource.droppedAttributesCount >>> 0;
  return dropped !== 0 ? putVarintField(w, pos, RESOURCE_DROPPED, dropped) : pos;
}

/** Writes the body of the InstrumentationScope message at `pos`; returns where it ends. */
export function putScope(w: SpanWriter, state: SpanEncoderState, pos: number, scope: InstrumentationScope): number {
  const buf = w.buf;
  if (scope.name.length !== 0) {
    buf[pos++] = SCOPE_NAME;
    pos = putText(buf, pos, scope.name);
  }
  if (scope.version.length !== 0) {
    buf[pos++] = SCOPE_VERSION;
    pos = putText(buf, pos, scope.version);
  }
  return putAttributesOnce(w, state, pos, scope.attributes, SCOPE_ATTRIBUTES, 0);
}

/** Writes the whole `ScopeSpans.spans` field of `span` at `pos`; returns where it ends. */
export function putSpanField(w: SpanWriter, state: SpanEncoderState, pos: number, span: SpanData): number {
  const buf = w.buf;
  buf[pos++] = SCOPE_SPANS_SPANS;
  const at = pos;
  pos += 2;
  pos = putId(buf, pos, SPAN_TRACE_ID, span.traceId);
  pos = putId(buf, pos, SPAN_SPAN_ID, span.spanId);
  const traceState = span.traceState;
  if (traceState.length !== 0) {
    buf[pos++] = SPAN_TRACE_STATE;
    pos = putText(buf, pos, traceState);
  }
  pos = putId(buf, pos, SPAN_PARENT_SPAN_ID, span.parentSpanId);
  const name = span.name;
  if (name.length !== 0) {
    buf[pos++] = SPAN_NAME;
    pos = putText(buf, pos, name);
  }
  const kind = otlpKind(span.kind);
  if (kind !== 0) pos = putVarintField(w, pos, SPAN_KIND, kind);
  pos = putTime(w, pos, SPAN_START, span.startTime);
  pos = putTime(w, pos, SPAN_END, span.endTime);
  pos = putAttributesOnce(w, state, pos, span.attributes, SPAN_ATTRIBUTES, 0);
  const droppedAttributes = span.droppedAttributesCount >>> 0;
  if (droppedAttributes !== 0) pos = putVarintField(w, pos, SPAN_DROPPED_ATTRIBUTES, droppedAttributes);
  const events = span.events;
  for (let i = 0; i < events.length; i++) pos = putEventOnce(w, state, pos, events[i]!);
  const droppedEvents = span.droppedEventsCount >>> 0;
  if (droppedEvents !== 0) pos = putVarintField(w, pos, SPAN_DROPPED_EVENTS, droppedEvents);
  const links = span.links;
  for (let i = 0; i < links.length; i++) pos = putLinkOnce(w, state, pos, links[i]!);
  const droppedLinks = span.droppedLinksCount >>> 0;
  if (droppedLinks !== 0) pos = putVarintField(w, pos, SPAN_DROPPED_LINKS, droppedLinks);
  const status = span.status;
  const code = status.code | 0;
  buf[pos++] = SPAN_STATUS;
  const statusAt = pos++;
  if (status.message.length !== 0) {
    buf[pos++] = STATUS_MESSAGE;
    pos = putText(buf, pos, status.message);
  }
  if (code !== 0) pos = putVarintField(w, pos, STATUS_CODE, code);
  pos = closeLength(buf, statusAt, 1, pos);
  const flags = spanFlags(span);
  if (flags !== 0) {
    buf[pos] = SPAN_FLAGS_0;
    buf[pos + 1] = SPAN_FLAGS_1;
    w.pos = pos + 2;
    w.fixed32(flags);
    pos = w.pos;
  }
  return closeLength(buf, at, 2, pos);
}

function putEventOnce(w: SpanWriter, state: SpanEncoderState, pos: number, event: SpanEvent): number {
  const buf = w.buf;
  buf[pos++] = SPAN_EVENTS;
  const at = pos++;
  pos = putTime(w, pos, EVENT_TIME, event.time);
  if (event.name.length !== 0) {
    buf[pos++] = EVENT_NAME;
    pos = putText(buf, pos, event.name);
  }
  pos = putAttributesOnce(w, state, pos, event.attributes, EVENT_ATTRIBUTES, 0);
  const dropped = event.droppedAttributesCount >>> 0;
  if (dropped !== 0) pos = putVarintField(w, pos, EVENT_DROPPED, dropped);
  return closeLength(buf, at, 1, pos);
}

function putLinkOnce(w: SpanWriter, state: SpanEncoderState, pos: number, link: SpanLink): number {
  const buf = w.buf;
  buf[pos++] = SPAN_LINKS;
  const at = pos++;
  pos = putId(buf, pos, LINK_TRACE_ID, link.traceId);
  pos = putId(buf, pos, LINK_SPAN_ID, link.spanId);
  if (link.traceState.length !== 0) {
    buf[pos++] = LINK_TRACE_STATE;
    pos = putText(buf, pos, link.traceState);
  }
  pos = putAttributesOnce(w, state, pos, link.attributes, LINK_ATTRIBUTES, 0);
  const dropped = link.droppedAttributesCount >>> 0;
  if (dropped !== 0) pos = putVarintField(w, pos, LINK_DROPPED, dropped);
  const flags = linkFlags(link);
  if (flags !== 0) {
    buf[pos++] = LINK_FLAGS;
    w.pos = pos;
    w.fixed32(flags);
    pos = w.pos;
  }
  return closeLength(buf, at, 1, pos);
}

/** The first memo slot of a kind of run of attributes (span, event, link; nested lists share one). */
function memoBase(key: number): number {
  return key === SPAN_ATTRIBUTES
    ? 0
    : key === EVENT_ATTRIBUTES
      ? KEY_MEMO_RUN
      : key === LINK_ATTRIBUTES
        ? 2 * KEY_MEMO_RUN
        : 3 * KEY_MEMO_RUN;
}

/** Writes a run of `repeated KeyValue` fields with key byte `key`, in one pass. */
function putAttributesOnce(
  w: SpanWriter,
  state: SpanEncoderState,
  pos: number,
  attributes: Attributes,
  key: number,
  depth: number,
): number {
  const buf = w.buf;
  const fields = state.fields;
  const memoKey = fields.memoKey;
  const memoIndex = fields.memoIndex;
  const base = memoBase(key);
  const memoEnd = base + KEY_MEMO_RUN;
  let memo = base;
  for (const name in attributes) {
    if (!hasOwn.call(attributes, name)) continue;
    const value = attributes[name];
    if (value === undefined) continue;
    buf[pos++] = key;
    // The key at this place of the last run of this kind is most likely this one: a string compare
    // (of the same internalized string, usually) instead of a Map lookup.
    let cached: number;
    if (memo < memoEnd && memoKey[memo] === name) cached = memoIndex[memo]!;
    else {
      cached = fields.keyCacheIndex(name);
      if (memo < memoEnd) {
        memoKey[memo] = name;
        memoIndex[memo] = cached;
      }
    }
    memo++;
    if (typeof value === 'string' && cached >= 0 && fields.pairValue[cached] === value) {
      fields.countHit(cached);
      pos = putCached(w, pos, fields.pairFields[cached]!, fields.pairWords[cached]!);
      continue;
    }
    const at = pos++;
    if (cached >= 0) pos = putCached(w, pos, fields.keyFields[cached]!, fields.keyWords[cached]!);
    else if (name.length !== 0) {
      buf[pos++] = KV_KEY;
      pos = putText(buf, pos, name);
    }
    buf[pos++] = KV_VALUE;
    if (typeof value === 'string' && cached >= 0) {
      const repeated = fields.lastValue[cached] === value;
      const index = fields.valueCacheIndex(value, cached);
      if (index >= 0) {
        const field = fields.valueFields[index]!;
        pos = putLength(buf, pos, field.length);
        pos = putCached(w, pos, field, fields.valueWords[index]!);
        if (!repeated) fields.pairStreak[cached] = 0;
        else if (++fields.pairStreak[cached]! >= PAIR_STREAK) fields.cachePair(cached, value, index);
      } else {
        const anyAt = pos++;
        buf[pos++] = ANY_STRING;
        pos = closeLength(buf, anyAt, 1, putText(buf, pos, value));
      }
    } else if (typeof value === 'number' && value > 0 && value < 0x80000000 && (value | 0) === value) {
      // A small positive integer (a status code, a size): int_value, as putAnyValue writes it.
      buf[pos++] = 1 + varintSize(value);
      buf[pos++] = ANY_INT;
      pos = putLength(buf, pos, value);
    } else if (typeof value === 'boolean') {
      buf[pos] = 2;
      buf[pos + 1] = ANY_BOOL;
      buf[pos + 2] = value ? 1 : 0;
      pos += 3;
    } else {
      pos = putAnyOnce(w, state, pos, value, depth);
    }
    pos = closeLength(buf, at, 1, pos);
  }
  return pos;
}

/** Writes the length prefix and body of the AnyValue holding `value`, in one pass. */
function putAnyOnce(w: SpanWriter, state: SpanEncoderState, pos: number, value: AttributeValue, depth: number): number {
  const buf = w.buf;
  if (typeof value === 'string') {
    const at = pos++;
    buf[pos++] = ANY_STRING;
    return closeLength(buf, at, 1, putText(buf, pos, value));
  }
  if (typeof value !== 'object' || value === null || depth >= MAX_NESTING || value instanceof Uint8Array) {
    return putScalarAny(w, pos, value, depth);
  }
  const at = pos++;
  if (Array.isArray(value)) {
    buf[pos++] = ANY_ARRAY;
    const bodyAt = pos++;
    const values = value as readonly AttributeValue[];
    for (let i = 0; i < values.length; i++) {
      buf[pos++] = LIST_VALUES;
      pos = putAnyOnce(w, state, pos, values[i]!, depth + 1);
    }
    pos = closeLength(buf, bodyAt, 1, pos);
  } else {
    buf[pos++] = ANY_KVLIST;
    const bodyAt = pos++;
    pos = closeLength(buf, bodyAt, 1, putAttributesOnce(w, state, pos, value as Attributes, LIST_VALUES, depth + 1));
  }
  return closeLength(buf, at, 1, pos);
}

/**
 * Writes the length prefix and body of an AnyValue whose length is known up front: a number, a
 * boolean, a bigint, bytes, or nothing (null, a value nested too deep, a function, undefined).
 */
function putScalarAny(w: SpanWriter, pos: number, value: AttributeValue | null | undefined, depth: number): number {
  const buf = w.buf;
  switch (typeof value) {
    case 'number':
      if (!isInt64(value)) {
        buf[pos++] = FIXED64_FIELD;
        buf[pos++] = ANY_DOUBLE;
        w.pos = pos;
        w.double(value);
        return w.pos;
      }
      buf[pos++] = 1 + varintSize(value);
      buf[pos++] = ANY_INT;
      if (value >= 0 && value < 0x80000000) return putLength(buf, pos, value);
      w.pos = pos;
      w.varint(value);
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
    case 'object':
      if (value instanceof Uint8Array && depth < MAX_NESTING) {
        const length = value.length;
        pos = putLength(buf, pos, 1 + varintSize(length) + length);
        buf[pos++] = ANY_BYTES;
        pos = putLength(buf, pos, length);
        buf.set(value, pos);
        return pos + length;
      }
      break;
  }
  buf[pos] = 0;
  return pos + 1;
}
