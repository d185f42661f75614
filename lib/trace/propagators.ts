import { type Env, processEnv } from '../config/env.js';
import { emitZerotelWarning } from '../host.js';
import { Baggage, type BaggageEntry, baggageEntryMetadataFromString, getBaggage, setBaggage } from './baggage.js';
import { type Context, getSpanContext, isTracingSuppressed } from './context.js';
import { TRACEPARENT, TRACESTATE, formatTraceParent, parseTraceParent } from './propagation.js';
import { isSpanContextValid, setSpanContext } from './span.js';
import { TraceState } from './trace-state.js';

/** Reads header values from a carrier (the api's TextMapGetter). */
export interface TextMapGetter<Carrier = unknown> {
  keys(carrier: Carrier): string[];
  get(carrier: Carrier, key: string): undefined | string | string[];
}

/** Writes header values into a carrier (the api's TextMapSetter). */
export interface TextMapSetter<Carrier = unknown> {
  set(carrier: Carrier, key: string, value: string): void;
}

/** Carries context across a process boundary in text headers (the api's TextMapPropagator). */
export interface TextMapPropagator<Carrier = unknown> {
  inject(context: Context, carrier: Carrier, setter: TextMapSetter<Carrier>): void;
  extract(context: Context, carrier: Carrier, getter: TextMapGetter<Carrier>): Context;
  fields(): string[];
}

/** Reads a plain object of headers, as the api's default getter does. */
export const defaultTextMapGetter: TextMapGetter = {
  get(carrier, key) {
    if (carrier === null || carrier === undefined) return undefined;
    return (carrier as Record<string, undefined | string | string[]>)[key];
  },
  keys(carrier) {
    return carrier === null || carrier === undefined ? [] : Object.keys(carrier);
  },
};

/** Writes into a plain object of headers, as the api's default setter does. */
export const defaultTextMapSetter: TextMapSetter = {
  set(carrier, key, value) {
    if (carrier === null || carrier === undefined) return;
    (carrier as Record<string, string>)[key] = value;
  },
};

/** One header value from a getter's answer: an array (repeated header) is joined as RFC 9110 joins field lines. */
function joined(value: undefined | string | string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(',');
  return undefined;
}

/**
 * W3C Trace Context (`traceparent`, `tracestate`) for `api.propagation.setGlobalPropagator`.
 * Parsing is exact (see parseTraceParent and TraceState.parse): a bad `traceparent` starts a new
 * trace, a bad `tracestate` is dropped without touching the parent.
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter = defaultTextMapSetter): void {
    const spanContext = getSpanContext(context);
    if (spanContext === undefined || isTracingSuppressed(context) || !isSpanContextValid(spanContext)) return;
    setter.set(carrier, TRACEPARENT, formatTraceParent(spanContext));
    const tracestate = TraceState.from(spanContext.traceState).toHeader();
    if (tracestate !== '') setter.set(carrier, TRACESTATE, tracestate);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter = defaultTextMapGetter): Context {
    const header = getter.get(carrier, TRACEPARENT);
    // Repeated traceparent headers name two parents: neither is continued.
    if (typeof header !== 'string' && !(Array.isArray(header) && header.length === 1)) return context;
    const parent = parseTraceParent(typeof header === 'string' ? header : header[0]!);
    if (parent === undefined) return context;
    const state = joined(getter.get(carrier, TRACESTATE));
    return setSpanContext(context, {
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.traceFlags,
      traceState: state === undefined ? TraceState.EMPTY : (TraceState.parse(state) ?? TraceState.EMPTY),
      isRemote: true,
    });
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}

const BAGGAGE = 'baggage';
/** W3C Baggage limits: members per header, characters per member and per header. */
const MAX_MEMBERS = 180;
const MAX_MEMBER_LENGTH = 4096;
const MAX_HEADER_LENGTH = 8192;

/** One `key=value;properties` member, or undefined when it is malformed. */
function parseMember(member: string): [string, BaggageEntry] | undefined {
  const semicolon = member.indexOf(';');
  const pair = semicolon === -1 ? member : member.slice(0, semicolon);
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const rawKey = pair.slice(0, eq).trim();
  const rawValue = pair.slice(eq + 1).trim();
  if (rawKey === '' || rawValue === '') return undefined;
  let key: string;
  let value: string;
  try {
    key = decodeURIComponent(rawKey);
    value = decodeURIComponent(rawValue);
  } catch {
    return undefined;
  }
  const properties = semicolon === -1 ? '' : member.slice(semicolon + 1);
  return [key, properties === '' ? { value } : { value, metadata: baggageEntryMetadataFromString(properties) }];
}

/**
 * W3C Baggage (`baggage` header) for `api.propagation.setGlobalPropagator`. Malformed members are
 * skipped; at most 180 members of at most 4096 characters, 8192 in all, as the spec's limits and
 * OpenTelemetry JS have it.
 */
export class W3CBaggagePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter = defaultTextMapSetter): void {
    const baggage = getBaggage(context);
    if (baggage === undefined || isTracingSuppressed(context)) return;
    let header = '';
    let members = 0;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (members === MAX_MEMBERS) break;
      let member = `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}`;
      if (entry.metadata !== undefined) member += ';' + entry.metadata.toString();
      if (member.length > MAX_MEMBER_LENGTH) continue;
      const next = header === '' ? member : header + ',' + member;
      if (next.length > MAX_HEADER_LENGTH) continue;
      header = next;
      members++;
    }
    if (header !== '') setter.set(carrier, BAGGAGE, header);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter = defaultTextMapGetter): Context {
    const raw = getter.get(carrier, BAGGAGE);
    const lines = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
    const entries = new Map<string, BaggageEntry>();
    let size = 0;
    outer: for (const line of lines) {
      if (typeof line !== 'string') continue;
      for (const member of line.split(',')) {
        if (entries.size === MAX_MEMBERS) break outer;
        if (member.length > MAX_MEMBER_LENGTH) continue;
        const parsed = parseMember(member);
        if (parsed === undefined) continue;
        const added = (size === 0 ? 0 : 1) + member.length;
        if (size + added > MAX_HEADER_LENGTH) break outer;
        entries.set(parsed[0], parsed[1]);
        size += added;
      }
    }
    return entries.size === 0 ? context : setBaggage(context, new Baggage(entries));
  }

  fields(): string[] {
    return [BAGGAGE];
  }
}

/** Several propagators as one: inject and extract run through them in order. */
export class CompositePropagator implements TextMapPropagator {
  private readonly propagators: readonly TextMapPropagator[];
  private readonly names: string[];

  constructor(config: { readonly propagators?: readonly TextMapPropagator[] } = {}) {
    this.propagators = [...(config.propagators ?? [])];
    this.names = [...new Set(this.propagators.flatMap((p) => (typeof p.fields === 'function' ? p.fields() : [])))];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter = defaultTextMapSetter): void {
    for (const p of this.propagators) {
      try {
        p.inject(context, carrier, setter);
      } catch (error) {
        warnOnce(`a propagator failed to inject: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter = defaultTextMapGetter): Context {
    let ctx = context;
    for (const p of this.propagators) {
      try {
        ctx = p.extract(ctx, carrier, getter);
      } catch (error) {
        warnOnce(`a propagator failed to extract: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    return ctx;
  }

  fields(): string[] {
    return this.names.slice();
  }
}

const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  emitZerotelWarning(message, 'ZEROTEL_PROPAGATOR');
}

/** OTEL_PROPAGATORS names the specification defines that zerotel does not implement. */
const NOT_IMPLEMENTED = new Set(['b3', 'b3multi', 'jaeger', 'xray', 'ottrace']);

/**
 * The propagator OTEL_PROPAGATORS asks for: a comma-separated list of `tracecontext`, `baggage` and
 * `none` (default `tracecontext,baggage`). `none` alone propagates nothing. Names zerotel does not
 * implement (b3, b3multi, jaeger, xray, ottrace) and unknown names are left out with a warning
 * naming them.
 */
export function propagatorFromEnv(
  env: Env = processEnv(),
  warn: (message: string) => void = (m) => emitZerotelWarning(m, 'ZEROTEL_PROPAGATORS'),
): CompositePropagator {
  const text = env['OTEL_PROPAGATORS']?.trim();
  const names = (text === undefined || text === '' ? 'tracecontext,baggage' : text)
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (name === 'none') continue;
    else if (NOT_IMPLEMENTED.has(name))
      warn(`OTEL_PROPAGATORS: "${name}" is not implemented by zerotel; it is left out`);
    else warn(`OTEL_PROPAGATORS: unknown propagator "${name}" is left out (known: tracecontext, baggage, none)`);
  }
  if (names.includes('none') && propagators.length > 0) {
    warn('OTEL_PROPAGATORS: "none" given with other propagators; "none" is ignored');
  }
  return new CompositePropagator({ propagators });
}
