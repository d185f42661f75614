/**
 * The size pass: measures every nested message of a span (or a resource, a scope) and records the
 * lengths in `state.sizes`, in the order the write pass (write-pass.ts) reads them back. Each
 * message reserves its slot first, then its children fill theirs. Slots, in order:
 *   resource:   [resource] <attributes>
 *   scope:      [scope] [name] [version] <attributes>
 *   Span:       [span] [trace state] [name] <attributes> <events> <links> [status message]
 *   Event:      [event] [name] <attributes>
 *   Link:       [link] [trace state] <attributes>
 *   attributes: per key: [key/value] [key] <value>
 *   value:      string: [string]; array: [array body] <elements>; object: [list body] <attributes>
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
import { isInt64, linkFlags, MAX_NESTING, otlpKind, spanFlags } from './span-fields.js';
import { textLength } from './text.js';
import { FIXED64_FIELD, LINK_FLAGS_FIELD, SPAN_FLAGS_FIELD } from './wire-keys.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** Bytes of a schema_url field ('' is left out). */
export function schemaUrlSize(url: string | undefined): number {
  if (typeof url !== 'string' || url.length === 0) return 0;
  const n = utf8Length(url);
  return 1 + varintSize(n) + n;
}

/** Bytes of the Status body. */
export function statusBodySize(code: number, messageLength: number): number {
  return (
    (messageLength !== 0 ? 1 + varintSize(messageLength) + messageLength : 0) + (code !== 0 ? 1 + varintSize(code) : 0)
  );
}

export function sizeResource(state: SpanEncoderState, resource: Resource): number {
  const sizes = state.sizes;
  const slot = sizes.reserve();
  let size = sizeAttributes(state, resource.attributes, 0);
  const dropped = resource.droppedAttributesCount >>> 0;
  if (dropped !== 0) size += 1 + varintSize(dropped);
  sizes.set(slot, size);
  return size;
}

export function sizeScope(state: SpanEncoderState, scope: InstrumentationScope): number {
  const sizes = state.sizes;
  const slot = sizes.reserve();
  const name = textLength(scope.name);
  const version = textLength(scope.version);
  sizes.push(name);
  sizes.push(version);
  let size = sizeAttributes(state, scope.attributes, 0);
  if (name !== 0) size += 1 + varintSize(name) + name;
  if (version !== 0) size += 1 + varintSize(version) + version;
  sizes.set(slot, size);
  return size;
}

/** Bytes of the Span message body of `span`. */
export function sizeSpan(state: SpanEncoderState, span: SpanData): number {
  const sizes = state.sizes;
  const slot = sizes.reserve();
  const traceId = span.traceId.length >>> 1;
  const spanId = span.spanId.length >>> 1;
  const parent = span.parentSpanId.length >>> 1;
  const traceState = textLength(span.traceState);
  const name = textLength(span.name);
  sizes.push(traceState);
  sizes.push(name);
  let size = 2 * FIXED64_FIELD;
  if (traceId !== 0) size += 1 + varintSize(traceId) + traceId;
  if (spanId !== 0) size += 1 + varintSize(spanId) + spanId;
  if (traceState !== 0) size += 1 + varintSize(traceState) + traceState;
  if (parent !== 0) size += 1 + varintSize(parent) + parent;
  if (name !== 0) size += 1 + varintSize(name) + name;
  const kind = otlpKind(span.kind);
  if (kind !== 0) size += 1 + varintSize(kind);
  size += sizeAttributes(state, span.attributes, 0);
  const droppedAttributes = span.droppedAttributesCount >>> 0;
  if (droppedAttributes !== 0) size += 1 + varintSize(droppedAttributes);
  const events = span.events;
  for (let i = 0; i < events.length; i++) {
    const event = sizeEvent(state, events[i]!);
    size += 1 + varintSize(event) + event;
  }
  const droppedEvents = span.droppedEventsCount >>> 0;
  if (droppedEvents !== 0) size += 1 + varintSize(droppedEvents);
  const links = span.links;
  for (let i = 0; i < links.length; i++) {
    const link = sizeLink(state, links[i]!);
    size += 1 + varintSize(link) + link;
  }
  const droppedLinks = span.droppedLinksCount >>> 0;
  if (droppedLinks !== 0) size += 1 + varintSize(droppedLinks);
  const status = span.status;
  const message = textLength(status.message);
  sizes.push(message);
  const statusSize = statusBodySize(status.code | 0, message);
  size += 1 + varintSize(statusSize) + statusSize;
  if (spanFlags(span) !== 0) size += SPAN_FLAGS_FIELD;
  sizes.set(slot, size);
  return size;
}

function sizeEvent(state: SpanEncoderState, event: SpanEvent): number {
  const sizes = state.sizes;
  const slot = sizes.reserve();
  const name = textLength(event.name);
  sizes.push(name);
  let size = FIXED64_FIELD + sizeAttributes(state, event.attributes, 0);
  if (name !== 0) size += 1 + varintSize(name) + name;
  const dropped = event.droppedAttributesCount >>> 0;
  if (dropped !== 0) size += 1 + varintSize(dropped);
  sizes.set(slot, size);
  return size;
}

function sizeLink(state: SpanEncoderState, link: SpanLink): number {
  const sizes = state.sizes;
  const slot = sizes.reserve();
  const traceId = link.traceId.length >>> 1;
  const spanId = link.spanId.length >>> 1;
  const traceState = textLength(link.traceState);
  sizes.push(traceState);
  let size = sizeAttributes(state, link.attributes, 0);
  if (traceId !== 0) size += 1 + varintSize(traceId) + traceId;
  if (spanId !== 0) size += 1 + varintSize(spanId) + spanId;
  if (traceState !== 0) size += 1 + varintSize(traceState) + traceState;
  const dropped = link.droppedAttributesCount >>> 0;
  if (dropped !== 0) size += 1 + varintSize(dropped);
  if (linkFlags(link) !== 0) size += LINK_FLAGS_FIELD;
  sizes.set(slot, size);
  return size;
}

/**
 * Bytes of a run of `repeated KeyValue` fields (every such field number is below 16, so every
 * key takes one byte).
 */
function sizeAttributes(state: SpanEncoderState, attributes: Attributes, depth: number): number {
  const sizes = state.sizes;
  const fields = state.fields;
  let size = 0;
  for (const key in attributes) {
    if (!hasOwn.call(attributes, key)) continue;
    const value = attributes[key];
    if (value === undefined) continue;
    const slot = sizes.reserve();
    // The key's slot: (cache index << 1) | 1 for a cached key, (UTF-8 length << 1) otherwise.
    let keyField: number;
    const cached = fields.keyCacheIndex(key);
    if (cached >= 0) {
      sizes.push((cached << 1) | 1);
      keyField = fields.keyFields[cached]!.length;
    } else {
      const keyLength = textLength(key);
      sizes.push(keyLength << 1);
      keyField = keyLength !== 0 ? 1 + varintSize(keyLength) + keyLength : 0;
    }
    const any =
      typeof value === 'string' && cached >= 0
        ? sizeStringValue(state, value, cached)
        : sizeAnyValue(state, value, depth);
    const pair = keyField + 1 + varintSize(any) + any;
    sizes.set(slot, pair);
    size += 1 + varintSize(pair) + pair;
  }
  return size;
}

/**
 * Bytes of the AnyValue body holding the string `value` of the attribute whose key has cache index
 * `key`. Its slot: (value cache index << 1) | 1 for a cached value, (UTF-8 length << 1) otherwise.
 */
function sizeStringValue(state: SpanEncoderState, value: string, key: number): number {
  const index = state.fields.valueCacheIndex(value, key);
  if (index >= 0) {
    state.sizes.push((index << 1) | 1);
    return state.fields.valueFields[index]!.length;
  }
  const length = textLength(value);
  state.sizes.push(length << 1);
  return 1 + varintSize(length) + length;
}

/** Bytes of the AnyValue message body holding `value`. */
function sizeAnyValue(state: SpanEncoderState, value: AttributeValue, depth: number): number {
  switch (typeof value) {
    case 'string': {
      const length = textLength(value);
      state.sizes.push(length);
      return 1 + varintSize(length) + length;
    }
    case 'number':
      return isInt64(value) ? 1 + varintSize(value) : FIXED64_FIELD;
    case 'boolean':
      return 2;
    case 'bigint':
      return 1 + bigintVarintSize(value);
    case 'object': {
      if (value === null || depth >= MAX_NESTING) return 0;
      if (value instanceof Uint8Array) return 1 + varintSize(value.length) + value.length;
      const sizes = state.sizes;
      const slot = sizes.reserve();
      const body = Array.isArray(value)
        ? sizeArray(state, value, depth + 1)
        : sizeAttributes(state, value as Attributes, depth + 1);
      sizes.set(slot, body);
      return 1 + varintSize(body) + body;
    }
    default:
      return 0;
  }
}

function sizeArray(state: SpanEncoderState, values: readonly AttributeValue[], depth: number): number {
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const any = sizeAnyValue(state, values[i]!, depth);
    size += 1 + varintSize(any) + any;
  }
  return size;
}
