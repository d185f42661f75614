import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { type Context, context, getSpanContext } from './context.js';
import { isSpanContextValid, type SpanContext, setSpanContext } from './span.js';
import { TraceState } from './trace-state.js';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** The parts of a `traceparent` header this version of the spec defines. */
export interface TraceParent {
  readonly version: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

const VERSION_00_LENGTH = 55;

function isLowerHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66);
}

function lowerHexRun(value: string, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (!isLowerHex(value.charCodeAt(i))) return false;
  return true;
}

function allZero(value: string, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (value.charCodeAt(i) !== 0x30) return false;
  return true;
}

/**
 * Parses a `traceparent` value exactly as W3C Trace Context says: `vv-<32 hex>-<16 hex>-<2 hex>`, lowercase
 * hex only; version `ff` and all-zero ids are invalid. Version 00 must be exactly 55 characters. A
 * higher version is read for its first four fields only: at least 55 characters, and anything after
 * the flags must start with `-`; only the sampled bit of its flags is kept (the other bits mean
 * nothing to this version). Returns undefined for anything else.
 * Spaces or tabs around the value (HTTP optional whitespace) are ignored.
 */
export function parseTraceParent(header: string): TraceParent | undefined {
  let value = header;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) value = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (value.length < VERSION_00_LENGTH) return undefined;
  if (!lowerHexRun(value, 0, 2) || value.charCodeAt(2) !== 0x2d) return undefined;
  const version = parseInt(value.slice(0, 2), 16);
  if (version === 0xff) return undefined;
  if (
    version === 0
      ? value.length !== VERSION_00_LENGTH
      : value.length > VERSION_00_LENGTH && value.charCodeAt(55) !== 0x2d
  ) {
    return undefined;
  }
  if (!lowerHexRun(value, 3, 32) || value.charCodeAt(35) !== 0x2d) return undefined;
  if (!lowerHexRun(value, 36, 16) || value.charCodeAt(52) !== 0x2d) return undefined;
  if (!lowerHexRun(value, 53, 2)) return undefined;
  if (allZero(value, 3, 32) || allZero(value, 36, 16)) return undefined;
  const flags = parseInt(value.slice(53, 55), 16);
  return {
    version,
    traceId: value.slice(3, 35),
    spanId: value.slice(36, 52),
    traceFlags: version === 0 ? flags : flags & 0x01,
  };
}

/** The version-00 `traceparent` for a span context (always version 00, the highest this code knows). */
export function formatTraceParent(spanContext: SpanContext): string {
  const flags = spanContext.traceFlags & 0xff;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags < 16 ? '0' : ''}${flags.toString(16)}`;
}

/** Header bags extract reads from: Node's IncomingHttpHeaders, or any object of header names. */
export type HeaderGetter = IncomingHttpHeaders | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Header bags inject writes to: a plain object (OutgoingHttpHeaders) or anything with `setHeader`. */
export type HeaderSetter = OutgoingHttpHeaders | { setHeader(name: string, value: string): unknown };

/**
 * All values of a header, whatever the case of its name (Node lowercases incoming names; other
 * carriers may not). Array values (repeated headers) are returned as they are.
 */
function headerValues(headers: HeaderGetter, name: string): string[] {
  const out: string[] = [];
  const push = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') out.push(v);
  };
  const bag = headers as Record<string, unknown>;
  push(bag[name]);
  for (const key in bag) {
    if (key !== name && key.length === name.length && key.toLowerCase() === name) push(bag[key]);
  }
  return out;
}

/**
 * Reads `traceparent` and `tracestate` and returns `ctx` (default: the active context) with the remote
 * parent set, or `ctx` unchanged when there is no valid `traceparent`.
 * - Several `traceparent` values (repeated headers) are invalid: a trace is not continued from two parents.
 * - Several `tracestate` headers are combined with `,` in order, as RFC 7230 joins field lines.
 * - `tracestate` is read only when `traceparent` is valid; an invalid `tracestate` is dropped whole
 *   (see {@link TraceState.parse}) and never affects `traceparent`.
 */
export function extract(headers: HeaderGetter, ctx: Context = context.active()): Context {
  if (headers === null || typeof headers !== 'object') return ctx;
  const parents = headerValues(headers, TRACEPARENT);
  if (parents.length !== 1) return ctx;
  const parent = parseTraceParent(parents[0]!);
  if (parent === undefined) return ctx;
  const states = headerValues(headers, TRACESTATE);
  const traceState = states.length === 0 ? TraceState.EMPTY : (TraceState.parse(states.join(',')) ?? TraceState.EMPTY);
  return setSpanContext(ctx, {
    traceId: parent.traceId,
    spanId: parent.spanId,
    traceFlags: parent.traceFlags,
    traceState,
    isRemote: true,
  });
}

/**
 * Writes `traceparent` (and `tracestate` when not empty, at most 512 characters: see
 * {@link TraceState.toHeader}) for the span in `ctx` (default: the active context). Writes nothing
 * when there is no span with a valid context.
 */
export function inject(headers: HeaderSetter, ctx: Context = context.active()): void {
  const spanContext = getSpanContext(ctx);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
  const traceparent = formatTraceParent(spanContext);
  const tracestate = TraceState.from(spanContext.traceState).toHeader();
  if (typeof (headers as { setHeader?: unknown }).setHeader === 'function') {
    // An OutgoingMessage (or alike): a tracestate left from an earlier inject or by the caller
    // belongs to another trace position, so it goes when this context has none.
    const target = headers as {
      setHeader(name: string, value: string): unknown;
      removeHeader?: (name: string) => unknown;
    };
    target.setHeader(TRACEPARENT, traceparent);
    if (tracestate !== '') target.setHeader(TRACESTATE, tracestate);
    else if (typeof target.removeHeader === 'function') target.removeHeader(TRACESTATE);
    return;
  }
  const target = headers as OutgoingHttpHeaders;
  target[TRACEPARENT] = traceparent;
  if (tracestate !== '') target[TRACESTATE] = tracestate;
  else delete target[TRACESTATE];
}
