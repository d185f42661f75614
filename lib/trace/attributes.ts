import type { AttributeValue, Attributes } from './span-data.js';

/**
 * Limits on what one span keeps, as the OpenTelemetry spec names them. Whatever goes beyond a count
 * limit is dropped and counted in the span's, event's or link's dropped counter.
 */
export interface SpanLimits {
  /** Attributes per span (default 128). New keys past the limit are dropped; existing keys can still change. */
  readonly attributeCountLimit: number;
  /** Longest string kept, in characters (code points); longer strings are truncated. Default: no limit. */
  readonly attributeValueLengthLimit: number;
  /** Events per span (default 128); past it the oldest event is evicted (as OpenTelemetry Go and JS do). */
  readonly eventCountLimit: number;
  /** Links per span (default 128); past it the oldest link is evicted. */
  readonly linkCountLimit: number;
  /** Attributes per event (default 128). */
  readonly attributePerEventCountLimit: number;
  /** Attributes per link (default 128). */
  readonly attributePerLinkCountLimit: number;
}

export const DEFAULT_SPAN_LIMITS: SpanLimits = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
});

/** Fills unset limits with the defaults; a limit that is not a non-negative integer throws (Infinity is allowed). */
export function resolveSpanLimits(limits: Partial<SpanLimits> = {}): SpanLimits {
  const out = { ...DEFAULT_SPAN_LIMITS };
  for (const name of Object.keys(DEFAULT_SPAN_LIMITS) as (keyof SpanLimits)[]) {
    const value = limits[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value === Infinity || (Number.isInteger(value) && value >= 0))) {
      throw new RangeError(`span limit ${name} must be a non-negative integer or Infinity, got ${String(value)}`);
    }
    out[name] = value;
  }
  return Object.freeze(out);
}

/** Nesting deeper than this is refused: it bounds the work on cyclic or pathological values. */
const MAX_DEPTH = 16;

type Kind = 'string' | 'boolean' | 'number' | 'bigint' | 'bytes' | 'array' | 'map';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function kindOf(value: unknown): Kind | undefined {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'bigint':
      return 'bigint';
    case 'object':
      if (value === null) return undefined;
      if (value instanceof Uint8Array) return 'bytes';
      if (Array.isArray(value)) return 'array';
      return isPlainObject(value) ? 'map' : undefined;
    default:
      return undefined;
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Truncates to `limit` code points, never splitting a surrogate pair. */
export function truncateString(value: string, limit: number): string {
  if (value.length <= limit) return value;
  let i = 0;
  let count = 0;
  const n = value.length;
  while (i < n && count < limit) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = value.charCodeAt(i + 1);
      i += d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    } else {
      i += 1;
    }
    count++;
  }
  return i >= n ? value : value.slice(0, i);
}

/**
 * Checks one attribute value and returns what to store, or undefined when the value is invalid.
 *
 * Valid: strings (truncated to `lengthLimit` characters), booleans, numbers (any, NaN included, as
 * OTLP doubles carry them), bigints within int64, Uint8Arrays (copied), arrays whose elements are all
 * of one kind (each checked the same way; empty arrays are fine) apart from null or undefined elements,
 * which are kept as null (sent as an empty AnyValue), and plain objects (OTLP kvlists)
 * whose keys are non-empty and whose values are all valid.
 * Invalid, and then dropped whole without counting as dropped-by-limit: undefined, null, functions,
 * symbols, class instances (Date, Map...), bigints beyond int64, arrays mixing kinds or holding an
 * invalid element, and nesting deeper than 16 levels.
 * Arrays and objects are copied, so later changes by the caller do not reach the span.
 */
export function sanitizeAttributeValue(value: unknown, lengthLimit: number): AttributeValue | undefined {
  return sanitize(value, lengthLimit, 0);
}

function sanitize(value: unknown, lengthLimit: number, depth: number): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return value.length > lengthLimit ? truncateString(value, lengthLimit) : value;
    case 'boolean':
    case 'number':
      return value;
    case 'bigint':
      return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null || depth >= MAX_DEPTH) return undefined;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return sanitizeArray(value, lengthLimit, depth);
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, AttributeValue> = {};
  for (const key of Object.keys(value)) {
    if (key.length === 0) return undefined;
    const item = sanitize((value as Record<string, unknown>)[key], lengthLimit, depth + 1);
    if (item === undefined) return undefined;
    setOwn(out, key, item);
  }
  return out;
}

function sanitizeArray(value: readonly unknown[], lengthLimit: number, depth: number): AttributeValue | undefined {
  const n = value.length;
  const out = new Array<AttributeValue | null>(n);
  if (n === 0) return out;
  let kind: Kind | undefined;
  for (let i = 0; i < n; i++) {
    const element = value[i];
    // null and undefined elements are kept, as null: the attribute rules preserve them in arrays.
    if (element === null || element === undefined) {
      out[i] = null;
      continue;
    }
    const elementKind = kindOf(element);
    if (elementKind === undefined || (kind !== undefined && elementKind !== kind)) return undefined;
    kind = elementKind;
    const item = sanitize(element, lengthLimit, depth + 1);
    if (item === undefined) return undefined;
    out[i] = item;
  }
  return out;
}

/** Sets an own property, `__proto__` included (a plain assignment would change the prototype instead). */
export function setOwn(target: Record<string, AttributeValue>, key: string, value: AttributeValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export const hasOwn = (target: object, key: string): boolean => Object.hasOwn(target, key);

/** How many entries the last copy made by {@link copySimpleAttributes} holds. */
export let simpleCount = 0;

/**
 * The fast path for the usual attributes: a copy of `input` made with one spread when every own
 * enumerable entry has a non-empty string key and a string (of at most `lengthLimit` characters),
 * number or boolean value, there are at most `countLimit` of them and no symbol keys; undefined
 * otherwise, after which the caller copies entry by entry. Such values are stored as given, so the
 * copy is what the entry-by-entry route would build. Sets {@link simpleCount}.
 */
export function copySimpleAttributes(
  input: Readonly<Record<string, unknown>>,
  countLimit: number,
  lengthLimit: number,
): Record<string, AttributeValue> | undefined {
  const copy = { ...input } as Record<string, AttributeValue>;
  let count = 0;
  for (const key in copy) {
    if (!hasOwn(copy, key)) continue;
    const value = copy[key];
    if (
      key.length === 0 ||
      !(
        typeof value === 'number' ||
        typeof value === 'boolean' ||
        (typeof value === 'string' && value.length <= lengthLimit)
      )
    ) {
      return undefined;
    }
    count++;
  }
  if (count > countLimit || Object.getOwnPropertySymbols(copy).length !== 0) return undefined;
  simpleCount = count;
  return copy;
}

/** An attribute map and how many entries its count limit dropped. */
export interface LimitedAttributes {
  readonly attributes: Attributes;
  readonly dropped: number;
}

const NONE: LimitedAttributes = Object.freeze({ attributes: Object.freeze({}), dropped: 0 });

/**
 * Copies caller attributes (for an event or a link) keeping at most `countLimit` valid entries, in the
 * caller's key order; the rest are counted as dropped. Invalid entries are skipped and not counted.
 */
export function limitAttributes(
  input: Readonly<Record<string, unknown>> | undefined,
  countLimit: number,
  lengthLimit: number,
): LimitedAttributes {
  if (input === undefined || input === null || typeof input !== 'object') return NONE;
  const simple = copySimpleAttributes(input, countLimit, lengthLimit);
  if (simple !== undefined) return simpleCount === 0 ? NONE : { attributes: simple, dropped: 0 };
  const keys = Object.keys(input);
  if (keys.length === 0) return NONE;
  const attributes: Record<string, AttributeValue> = {};
  let count = 0;
  let dropped = 0;
  for (const key of keys) {
    if (key.length === 0) continue;
    const value = sanitize(input[key], lengthLimit, 0);
    if (value === undefined) continue;
    if (count >= countLimit) {
      dropped++;
      continue;
    }
    setOwn(attributes, key, value);
    count++;
  }
  return { attributes, dropped };
}
