/**
 * The OTLP/JSON form of an ExportTraceServiceRequest, grouped and mapped as the protobuf encoder
 * (span-encoding/) does: one ResourceSpans per distinct Resource object and one ScopeSpans per distinct scope
 * object, in the order first seen; attribute values by the same rules (safe integers as int_value, other
 * numbers as double_value, bigint as int_value, bytes, arrays, key/value lists, null as an empty value).
 * The OTLP/JSON rules: lowerCamelCase keys, integer enums, hex trace and span ids, 64-bit integers as
 * decimal strings, bytes as base64, proto3 defaults left out.
 */

import type {
  AttributeValue,
  Attributes,
  HrTime,
  InstrumentationScope,
  Resource,
  SpanData,
} from '../trace/span-data.js';
import { linkFlags, MAX_NESTING, otlpKind, spanFlags } from './span-encoding/index.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Encodes spans as OTLP/JSON text. */
export function encodeExportTraceJson(spans: readonly SpanData[]): string {
  const resources = new Map<Resource, Map<InstrumentationScope, Json[]>>();
  for (const span of spans) {
    let scopes = resources.get(span.resource);
    if (scopes === undefined) resources.set(span.resource, (scopes = new Map()));
    let list = scopes.get(span.scope);
    if (list === undefined) scopes.set(span.scope, (list = []));
    list.push(spanJson(span));
  }
  const resourceSpans: Json[] = [];
  for (const [resource, scopes] of resources) {
    const scopeSpans: Json[] = [];
    for (const [scope, list] of scopes) {
      scopeSpans.push({
        scope: scopeJson(scope),
        spans: list,
        ...(scope.schemaUrl ? { schemaUrl: scope.schemaUrl } : {}),
      });
    }
    resourceSpans.push({
      resource: resourceJson(resource),
      scopeSpans,
      ...(resource.schemaUrl ? { schemaUrl: resource.schemaUrl } : {}),
    });
  }
  return JSON.stringify({ resourceSpans });
}

function resourceJson(resource: Resource): Json {
  const out: { [key: string]: Json } = {};
  const attrs = attributesJson(resource.attributes, 0);
  if (attrs.length > 0) out.attributes = attrs;
  if (resource.droppedAttributesCount > 0) out.droppedAttributesCount = resource.droppedAttributesCount;
  return out;
}

function scopeJson(scope: InstrumentationScope): Json {
  const out: { [key: string]: Json } = {};
  if (scope.name !== '') out.name = scope.name;
  if (scope.version !== '') out.version = scope.version;
  const attrs = attributesJson(scope.attributes, 0);
  if (attrs.length > 0) out.attributes = attrs;
  return out;
}

function spanJson(span: SpanData): Json {
  const out: { [key: string]: Json } = { traceId: span.traceId, spanId: span.spanId };
  if (span.traceState !== '') out.traceState = span.traceState;
  if (span.parentSpanId !== '') out.parentSpanId = span.parentSpanId;
  // The same flags and kind numbers as the protobuf encoder: OTLP's, not the api's.
  const flags = spanFlags(span);
  if (flags !== 0) out.flags = flags;
  out.name = span.name;
  const kind = otlpKind(span.kind);
  if (kind !== 0) out.kind = kind;
  out.startTimeUnixNano = hrTimeNanos(span.startTime);
  out.endTimeUnixNano = hrTimeNanos(span.endTime);
  const attrs = attributesJson(span.attributes, 0);
  if (attrs.length > 0) out.attributes = attrs;
  if (span.droppedAttributesCount > 0) out.droppedAttributesCount = span.droppedAttributesCount;
  if (span.events.length > 0) {
    out.events = span.events.map((e) => {
      const event: { [key: string]: Json } = { timeUnixNano: hrTimeNanos(e.time), name: e.name };
      const a = attributesJson(e.attributes, 0);
      if (a.length > 0) event.attributes = a;
      if (e.droppedAttributesCount > 0) event.droppedAttributesCount = e.droppedAttributesCount;
      return event;
    });
  }
  if (span.droppedEventsCount > 0) out.droppedEventsCount = span.droppedEventsCount;
  if (span.links.length > 0) {
    out.links = span.links.map((l) => {
      const link: { [key: string]: Json } = { traceId: l.traceId, spanId: l.spanId };
      if (l.traceState !== '') link.traceState = l.traceState;
      const a = attributesJson(l.attributes, 0);
      if (a.length > 0) link.attributes = a;
      if (l.droppedAttributesCount > 0) link.droppedAttributesCount = l.droppedAttributesCount;
      const lf = linkFlags(l);
      if (lf !== 0) link.flags = lf;
      return link;
    });
  }
  if (span.droppedLinksCount > 0) out.droppedLinksCount = span.droppedLinksCount;
  const status: { [key: string]: Json } = {};
  if (span.status.message !== '') status.message = span.status.message;
  if (span.status.code !== 0) status.code = span.status.code;
  out.status = status;
  return out;
}

function attributesJson(attributes: Attributes, depth: number): Json[] {
  const out: Json[] = [];
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined) continue;
    out.push({ key, value: anyValue(value, depth) });
  }
  return out;
}

function anyValue(value: AttributeValue | null | undefined, depth: number): Json {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return { intValue: String(value) };
      return {
        doubleValue: Number.isFinite(value)
          ? value
          : Number.isNaN(value)
            ? 'NaN'
            : value > 0
              ? 'Infinity'
              : '-Infinity',
      };
    case 'bigint':
      return { intValue: BigInt.asIntN(64, value).toString() };
    case 'object':
      if (value === null) return {};
      if (value instanceof Uint8Array) return { bytesValue: base64(value) };
      if (depth >= MAX_NESTING) return {};
      if (Array.isArray(value))
        return { arrayValue: { values: (value as readonly AttributeValue[]).map((v) => anyValue(v, depth + 1)) } };
      return { kvlistValue: { values: attributesJson(value as Attributes, depth + 1) } };
    default:
      return {};
  }
}

/** HrTime as a decimal string of nanoseconds, exact (no double rounding); 0 before the epoch. */
function hrTimeNanos(time: HrTime): string {
  const [seconds, nanos] = time;
  if (!(seconds > 0 || nanos > 0)) return '0';
  const s = Math.trunc(seconds) + Math.floor(nanos / 1e9);
  const n = Math.trunc(nanos) % 1e9;
  return s <= 0 ? String(n) : String(s) + String(n).padStart(9, '0');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding, without Buffer (runs on every runtime). */
function base64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! + BASE64[(n >> 6) & 63]! + BASE64[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! + (i + 1 < bytes.length ? BASE64[(n >> 6) & 63]! : '=') + '=';
  }
  return out;
}
