/** How SpanData values map to the wire's: kinds, flags, nesting limit, int or double. */
import type { SpanData, SpanLink } from '../../trace/span-data.js';

/**
 * How many array/key-value-list levels an attribute value may nest before it is cut off. Each
 * level costs a decoder two or three levels of message recursion (AnyValue, KeyValueList,
 * KeyValue), on top of the six a span attribute sits under; 16 keeps the worst case near 54,
 * well inside the 100 levels that protobuf C++, Java and protobufjs accept by default (a deeper
 * request would be refused whole).
 */
export const MAX_NESTING = 16;

/** OTLP's Span.kind for the api's numbering (INTERNAL 0 ... CONSUMER 4); UNSPECIFIED for anything else. */
export function otlpKind(kind: number): number {
  return kind >= 0 && kind <= 4 && (kind | 0) === kind ? kind + 1 : 0;
}

/** Bits 8 and 9 of Span.flags / Link.flags: "remoteness known" and "remote", when known. */
function remoteBits(isRemote: boolean | undefined): number {
  return isRemote === undefined ? 0 : isRemote ? 0x300 : 0x100;
}

/** Span.flags: W3C trace flags plus the parent's remoteness bits. */
export function spanFlags(span: SpanData): number {
  return (span.traceFlags & 0xff) | remoteBits(span.parentIsRemote);
}

/** Link.flags: W3C trace flags plus the linked context's remoteness bits. */
export function linkFlags(link: SpanLink): number {
  return (link.traceFlags & 0xff) | remoteBits(link.isRemote);
}

/** True when a number goes out as int_value: a safe integer, and not -0 (which only a double keeps). */
export function isInt64(v: number): boolean {
  return Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0);
}
