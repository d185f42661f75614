/**
 * What instrumentation sees of a span: its identity (SpanContext), the Span interface and the
 * SpanProcessor contract. Kept apart from the span implementations so the context module can name
 * these types without importing the spans that use it.
 */
import type { Context } from './context-type.js';
import { isValidSpanId, isValidTraceId } from './ids.js';
import type { AttributesInput, AttributeValueInput, SpanData, StatusCode } from './span-data.js';
import type { TimeInput } from './time.js';
import { TraceState } from './trace-state.js';

/** W3C trace flags. */
export const TraceFlags = { NONE: 0, SAMPLED: 1 } as const;

/** What identifies a span across processes: the part of a span that propagation carries. */
export interface SpanContext {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** W3C trace flags (bit 0: sampled). */
  readonly traceFlags: number;
  readonly traceState: TraceState;
  /** True when the context came from another process (extracted from headers). */
  readonly isRemote: boolean;
}

/**
 * A span context as callers may give it (for links): @opentelemetry/api's shape, where the
 * tracestate may be missing or another implementation's list and `isRemote` may be missing.
 */
export interface SpanContextInput {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: { serialize(): string };
  readonly isRemote?: boolean;
}

export const INVALID_SPAN_CONTEXT: SpanContext = Object.freeze({
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  traceFlags: TraceFlags.NONE,
  traceState: TraceState.EMPTY,
  isRemote: false,
});

/**
 * The context last found valid, with the ids it held then. Starting a span asks about its parent
 * twice in a row (the tracer, then a parent-based sampler); the second answer comes from here. The
 * ids are compared too, so a context object changed in between is checked again.
 */
let lastValid: SpanContextInput | undefined;
let lastTraceId = '';
let lastSpanId = '';

/**
 * The test of isValidTraceId / isValidSpanId for a string, as a loop over its characters (quicker
 * than the regular expression on this path, which runs for every span with a parent): exactly
 * `length` lowercase hex digits, not all zero.
 */
function isHexId(id: string, length: number): boolean {
  if (id.length !== length) return false;
  // OR of every digit's difference from '0': zero only when all digits are '0'.
  let nonZero = 0;
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0x80 || LOWER_HEX[c] === 0) return false;
    nonZero |= c ^ 0x30;
  }
  return nonZero !== 0;
}

/** 1 at the character codes of 0-9 and a-f. */
const LOWER_HEX = new Uint8Array(0x80);
for (let c = 0x30; c <= 0x39; c++) LOWER_HEX[c] = 1;
for (let c = 0x61; c <= 0x66; c++) LOWER_HEX[c] = 1;

/** True when both ids are well formed and not all zero. */
export function isSpanContextValid(spanContext: SpanContextInput): boolean {
  const { traceId, spanId } = spanContext;
  if (spanContext === lastValid && traceId === lastTraceId && spanId === lastSpanId) return true;
  const valid =
    typeof traceId === 'string' && typeof spanId === 'string'
      ? isHexId(traceId, 32) && isHexId(spanId, 16)
      : isValidTraceId(traceId) && isValidSpanId(spanId);
  if (!valid) return false;
  lastValid = spanContext;
  lastTraceId = traceId;
  lastSpanId = spanId;
  return true;
}

/** A link to another span, as callers give it. */
export interface Link {
  readonly context: SpanContextInput;
  readonly attributes?: AttributesInput;
}

/** A status as callers set it; the message only counts for ERROR. */
export interface SpanStatusInput {
  readonly code: StatusCode;
  readonly message?: string;
}

/** A span as instrumentation sees it. Every method is safe to call after `end()` (it does nothing). */
export interface Span {
  spanContext(): SpanContext;
  /** Sets one attribute; an invalid value is ignored (see `sanitizeAttributeValue` for the rules). */
  setAttribute(key: string, value: AttributeValueInput): this;
  setAttributes(attributes: AttributesInput): this;
  /** Adds an event now, or at `time`; `addEvent(name, time)` is accepted too. */
  addEvent(name: string, attributesOrTime?: AttributesInput | TimeInput, time?: TimeInput): this;
  addLink(link: Link): this;
  addLinks(links: readonly Link[]): this;
  /** UNSET is ignored; OK is final; an ERROR's message is kept, OK's is not (OpenTelemetry rules). */
  setStatus(status: SpanStatusInput): this;
  updateName(name: string): this;
  /** Adds an `exception` event with exception.type, exception.message and exception.stacktrace. */
  recordException(exception: unknown, time?: TimeInput, attributes?: AttributesInput): void;
  /** Ends the span (now, or at `endTime`); later calls are ignored. */
  end(endTime?: TimeInput): void;
  /** True while the span records: sampled (or record-only) and not ended. */
  isRecording(): boolean;
}

/** Receives spans as they start and end: the batch processor, or a test double. */
export interface SpanProcessor {
  onStart(span: Span, parentContext: Context): void;
  /** Called once per recording span, with the finished span's data. Must not throw. */
  onEnd(span: SpanData): void;
  /** Resolves true once every span ended before the call is exported, false when `timeoutMillis` passed first. */
  forceFlush(timeoutMillis?: number): Promise<boolean>;
  /** Flushes, shuts the exporter down and releases timers; resolves false if the timeout cut it short. */
  shutdown(timeoutMillis?: number): Promise<boolean>;
}
