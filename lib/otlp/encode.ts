/**
 * The OTLP trace request encoder: finished spans to `ExportTraceServiceRequest` bytes
 * (schema in proto/opentelemetry/proto/collector/trace/v1/trace_service.proto).
 *
 * Shape of the output:
 * - spans are grouped into one ResourceSpans per distinct Resource object, and inside it one
 *   ScopeSpans per distinct InstrumentationScope object (identity, not deep equality), both in
 *   the order they are first seen; spans keep their relative order within a group;
 * - fields are written in field-number order; scalar fields holding their default (0, '', empty
 *   bytes) are left out, as proto3 encoders do, except that ResourceSpans.resource,
 *   ScopeSpans.scope, KeyValue.value, Span.status and the span/event timestamps are always there;
 * - a member of the AnyValue oneof is always written once chosen, even '' or 0 or false.
 *
 * Attribute values (the AttributeValue union of the tracing contract):
 * - string -> string_value; boolean -> bool_value;
 * - number -> int_value when it is a safe integer other than -0 (negatives as the 10-byte
 *   two's-complement varint of int64), double_value otherwise (fractions, -0, NaN, +-Infinity,
 *   and integers beyond 2^53 whose exact value a double cannot promise);
 * - bigint -> int_value, reduced to int64 as `BigInt.asIntN(64, v)` would;
 * - Uint8Array (Buffer included) -> bytes_value;
 * - array -> array_value, elements in order;
 * - any other object -> kvlist_value built from its own enumerable string keys, in
 *   Object.keys order (integer-like keys first, as JS enumerates them);
 * - null, and undefined or a function inside an array -> an AnyValue with nothing set;
 *   a key whose value is undefined is skipped altogether, as JSON.stringify does.
 * Arrays and key/value lists nested deeper than {@link MAX_NESTING} levels are written as an
 * empty AnyValue, which also keeps a cyclic value from recursing forever.
 *
 * Span.flags and Link.flags carry the W3C trace flags in bits 0-7. Bits 8-9 say whether the
 * parent (for a link: the linked) context is remote, bit 8 meaning "this is known": set from
 * SpanData.parentIsRemote / SpanLink.isRemote when given, left clear ("unknown") when not. A
 * flags value of 0 is left out like any proto3 default.
 *
 * Span.kind: SpanData numbers kinds as @opentelemetry/api does (INTERNAL 0 ... CONSUMER 4); OTLP
 * numbers them from 1 (0 is UNSPECIFIED), see {@link otlpKind}. Status codes agree already.
 * ResourceSpans.schema_url and ScopeSpans.schema_url come from Resource / InstrumentationScope
 * `schemaUrl` when set.
 *
 * Ids are lowercase hex in SpanData and bytes on the wire: the write pass turns each pair of
 * hex digits into one byte in place (uppercase digits work too). An id of odd length loses its
 * last digit; an ASCII character that is not a hex digit counts as 0, and a non-ASCII one zeroes
 * its whole byte. (The tracer only produces valid ids.)
 *
 * Timestamps: HrTime [seconds, nanoseconds] becomes the fixed64 nanosecond count, computed
 * exactly in 32-bit halves (ProtoWriter.fixed64Nanos); times before the epoch give 0.
 *
 * Cost: one size pass over all spans that records every nested length (and every string's
 * UTF-8 length) in a reused SizeTable, then one write pass into a single Buffer of exactly the
 * computed size. Neither pass allocates per span; only the output Buffer is new, unless the caller
 * lends one (see {@link EncodeScratch}), and a bigint attribute needs bigint arithmetic to split.
 * Attribute keys, which repeat from span to span, are measured and encoded once and then copied
 * (see the key cache below), and so are string values that repeat (the value cache). A
 * {@link SpanArena} encodes each span as it ends, in a single pass that backfills the length
 * prefixes (see putSpanField), and assembles the request from those bytes later; both routes give
 * the same bytes.
 */

import { ProtoWriter as BytesWriter, SizeTable, bigintVarintSize, utf8Length, varintSize } from '../protobuf/writer.js';

/**
 * Typed as Buffer: on Node's gRPC path (the arena, the exporter's scratch) it is one, for Buffer's
 * native copies; a request encoded without a scratch is a plain Uint8Array, which every runtime has,
 * so string writes go through writeUtf8, which uses Buffer's method only on a Buffer.
 */
type ProtoWriter = BytesWriter<Buffer>;

/** Node's Buffer, where the runtime has it (workerd has not). */
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/**
 * Output bytes: a plain Uint8Array for requests encoded without a scratch; a Buffer (where there is
 * one) for the callers that lend a scratch (Node's gRPC path) and for the encoder's own cache entries.
 */
type Allocate = (size: number) => Buffer;
const allocateBytes: Allocate = (n) => new Uint8Array(n) as Buffer;
const allocateBuffer: Allocate = NodeBuffer !== undefined ? (n) => NodeBuffer.allocUnsafe(n) : allocateBytes;

function bufferWriter(size: number, into?: Buffer, allocate: Allocate = allocateBuffer): ProtoWriter {
  return new BytesWriter(size, into, allocate);
}

const utf8 = new TextEncoder();

/** Writes the `length` UTF-8 bytes of `s` at `pos`: natively into a Buffer, by TextEncoder elsewhere. */
function writeUtf8(buf: Buffer, pos: number, s: string, length: number): number {
  if (buf.write !== undefined) return buf.write(s, pos, length, 'utf8');
  if (pos + length > buf.length) throw OVERFLOW;
  return utf8.encodeInto(s, buf.subarray(pos, pos + length)).written;
}

/** Node's native UTF-8 length, where the runtime has Buffer. */
const nativeByteLength = NodeBuffer?.byteLength;
import type {
  AttributeValue,
  Attributes,
  EncodedSpanBatch,
  InstrumentationScope,
  Resource,
  SpanData,
  SpanEvent,
  SpanLink,
} from '../trace/span-data.js';

/**
 * How many array/key-value-list levels an attribute value may nest before it is cut off. Each
 * level costs a decoder two or three levels of message recursion (AnyValue, KeyValueList,
 * KeyValue), on top of the six a span attribute sits under; 16 keeps the worst case near 54,
 * well inside the 100 levels that protobuf C++, Java and protobufjs accept by default (a deeper
 * request would be refused whole).
 */
export const MAX_NESTING = 16;

// Keys of the fields written, precomputed: (field number << 3) | wire type.
// Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
const REQUEST_RESOURCE_SPANS = 0x0a; // ExportTraceServiceRequest.resource_spans = 1
const RESOURCE_SPANS_RESOURCE = 0x0a; // ResourceSpans.resource = 1
const RESOURCE_SPANS_SCOPE_SPANS = 0x12; // ResourceSpans.scope_spans = 2
const RESOURCE_ATTRIBUTES = 0x0a; // Resource.attributes = 1
const RESOURCE_DROPPED = 0x10; // Resource.dropped_attributes_count = 2
const SCOPE_SPANS_SCOPE = 0x0a; // ScopeSpans.scope = 1
const SCOPE_SPANS_SPANS = 0x12; // ScopeSpans.spans = 2
const SCHEMA_URL = 0x1a; // ResourceSpans.schema_url = 3 and ScopeSpans.schema_url = 3
const SCOPE_NAME = 0x0a; // InstrumentationScope.name = 1
const SCOPE_VERSION = 0x12; // InstrumentationScope.version = 2
const SCOPE_ATTRIBUTES = 0x1a; // InstrumentationScope.attributes = 3

const SPAN_TRACE_ID = 0x0a; // Span.trace_id = 1
const SPAN_SPAN_ID = 0x12; // Span.span_id = 2
const SPAN_TRACE_STATE = 0x1a; // Span.trace_state = 3
const SPAN_PARENT_SPAN_ID = 0x22; // Span.parent_span_id = 4
const SPAN_NAME = 0x2a; // Span.name = 5
const SPAN_KIND = 0x30; // Span.kind = 6
const SPAN_START = 0x39; // Span.start_time_unix_nano = 7, fixed64
const SPAN_END = 0x41; // Span.end_time_unix_nano = 8, fixed64
const SPAN_ATTRIBUTES = 0x4a; // Span.attributes = 9
const SPAN_DROPPED_ATTRIBUTES = 0x50; // Span.dropped_attributes_count = 10
const SPAN_EVENTS = 0x5a; // Span.events = 11
const SPAN_DROPPED_EVENTS = 0x60; // Span.dropped_events_count = 12
const SPAN_LINKS = 0x6a; // Span.links = 13
const SPAN_DROPPED_LINKS = 0x70; // Span.dropped_links_count = 14
const SPAN_STATUS = 0x7a; // Span.status = 15
// Span.flags = 16, fixed32: key 133, which takes two varint bytes.
const SPAN_FLAGS_0 = 0x85;
const SPAN_FLAGS_1 = 0x01;

const EVENT_TIME = 0x09; // Span.Event.time_unix_nano = 1, fixed64
const EVENT_NAME = 0x12; // Span.Event.name = 2
const EVENT_ATTRIBUTES = 0x1a; // Span.Event.attributes = 3
const EVENT_DROPPED = 0x20; // Span.Event.dropped_attributes_count = 4

const LINK_TRACE_ID = 0x0a; // Span.Link.trace_id = 1
const LINK_SPAN_ID = 0x12; // Span.Link.span_id = 2
const LINK_TRACE_STATE = 0x1a; // Span.Link.trace_state = 3
const LINK_ATTRIBUTES = 0x22; // Span.Link.attributes = 4
const LINK_DROPPED = 0x28; // Span.Link.dropped_attributes_count = 5
const LINK_FLAGS = 0x35; // Span.Link.flags = 6, fixed32

const STATUS_MESSAGE = 0x12; // Status.message = 2
const STATUS_CODE = 0x18; // Status.code = 3

const KV_KEY = 0x0a; // KeyValue.key = 1
const KV_VALUE = 0x12; // KeyValue.value = 2
const LIST_VALUES = 0x0a; // ArrayValue.values = 1 and KeyValueList.values = 1

const ANY_STRING = 0x0a; // AnyValue.string_value = 1
const ANY_BOOL = 0x10; // AnyValue.bool_value = 2
const ANY_INT = 0x18; // AnyValue.int_value = 3
const ANY_DOUBLE = 0x21; // AnyValue.double_value = 4, fixed64
const ANY_ARRAY = 0x2a; // AnyValue.array_value = 5
const ANY_KVLIST = 0x32; // AnyValue.kvlist_value = 6
const ANY_BYTES = 0x3a; // AnyValue.bytes_value = 7

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

/** Bytes of a schema_url field ('' is left out). */
function schemaUrlSize(url: string | undefined): number {
  if (typeof url !== 'string' || url.length === 0) return 0;
  const n = utf8Length(url);
  return 1 + varintSize(n) + n;
}

function writeSchemaUrl(w: ProtoWriter, url: string | undefined): void {
  if (typeof url !== 'string' || url.length === 0) return;
  w.byte(SCHEMA_URL);
  w.string(url, utf8Length(url));
}

/** Key (1 byte) + fixed64 payload. */
const FIXED64_FIELD = 9;
/** Two key bytes + fixed32 payload. */
const SPAN_FLAGS_FIELD = 6;
/** Key + fixed32 payload. */
const LINK_FLAGS_FIELD = 5;

/** Hex digit values by character code (ASCII); anything else is 0. */
const HEX = new Uint8Array(0x80);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}
/** The byte of two hex digits, indexed by `code1 << 7 | code2` (ASCII codes): one load per byte. */
const HEX_PAIR = new Uint8Array(0x4000);
for (let hi = 0; hi < 0x80; hi++)
  for (let lo = 0; lo < 0x80; lo++) HEX_PAIR[(hi << 7) | lo] = (HEX[hi]! << 4) | HEX[lo]!;

// Lengths from the size pass, in write order. Encoding is synchronous, so one table serves all.
const sizes = new SizeTable();

/**
 * Attribute keys come from a small vocabulary repeated on every span, so each key's encoded
 * `KeyValue.key` field (key byte, length, UTF-8) is kept: the size pass finds it with one Map
 * lookup instead of measuring the string, and the write pass copies it four bytes per store
 * (through a DataView on the output) instead of one character at a time. Bounded: at most
 * KEY_CACHE_ENTRIES keys of at most KEY_CACHE_LENGTH characters; a full cache is emptied before
 * the next encode starts (never between the two passes, whose slots refer to its entries).
 */
const KEY_CACHE_ENTRIES = 2048;
const KEY_CACHE_LENGTH = 128;
const keyIndex = new Map<string, number>();
/** The encoded key fields, by cache index. */
const keyFields: Uint8Array[] = [];
/** The same bytes as little-endian 32-bit words, zero-padded to a multiple of four. */
const keyWords: Int32Array[] = [];

/**
 * String attribute values repeat too (methods, routes, user agents, status texts), so the encoded
 * `AnyValue.string_value` field of a value is kept the same way, keyed by the string. Identifiers
 * that never repeat (request ids, hashes) must not churn the cache, so admission is decided per
 * attribute key: a key's values are cached until VALUE_PROBE lookups have been made under it, and
 * from then on only while at least half of those lookups found their value cached. Bounded: at most
 * VALUE_CACHE_ENTRIES values of at most VALUE_CACHE_LENGTH characters; a full cache is emptied
 * before the next encode starts (the per-key verdicts stay until the key cache is emptied).
 */
const VALUE_CACHE_ENTRIES = 4096;
const VALUE_CACHE_LENGTH = 64;
const VALUE_PROBE = 1024;
const valueIndex = new Map<string, number>();
/** Encoded `string_value` fields (key byte, length, UTF-8), by value cache index. */
const valueFields: Uint8Array[] = [];
/** The same bytes as little-endian 32-bit words, zero-padded to a multiple of four. */
const valueWords: Int32Array[] = [];
/** Per key cache index: value lookups and hits so far, and whether its values are no longer cached. */
const valueLookups = new Uint32Array(KEY_CACHE_ENTRIES);
const valueHits = new Uint32Array(KEY_CACHE_ENTRIES);
const valueOff = new Uint8Array(KEY_CACHE_ENTRIES);
/**
 * Per key cache index: a string value seen under the key PAIR_STREAK times in a row, and the whole
 * encoded `KeyValue` message of the pair after the field key (length, key field, value field), as
 * bytes and as words: a key whose value hardly changes (a method, a route) is written with one copy.
 */
const PAIR_STREAK = 8;
const pairValue: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_ENTRIES).fill(undefined);
const pairFields: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KEY_CACHE_ENTRIES).fill(undefined);
const pairWords: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(KEY_CACHE_ENTRIES).fill(undefined);
const pairStreak = new Uint8Array(KEY_CACHE_ENTRIES);

/** Per key cache index: the last string value found in the value cache under it, and that value's index. */
const lastValue: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_ENTRIES).fill(undefined);
const lastValueIndex = new Int32Array(KEY_CACHE_ENTRIES);

/** The output of the encode under way, for the word stores; released after each encode. */
const NO_VIEW = new DataView(new ArrayBuffer(0));
let view: DataView = NO_VIEW;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

// Grouping scratch, reused between calls: span indices in output order, and per group
// (one resource + one scope) its first index into `order`, its resource and its scope.
let order = new Uint32Array(1024);
const groupStart: number[] = [];
const groupResource: Resource[] = [];
const groupScope: InstrumentationScope[] = [];

/**
 * An output area lent to {@link encodeExportTraceRequest} across calls, so that a steady stream of
 * exports writes into one Buffer instead of allocating one per request. The encoder replaces
 * `buffer` with a larger one when a request does not fit (keeping nothing above
 * MAX_SCRATCH_BYTES). The caller must not lend it again while the bytes of the previous request
 * are still in use.
 */
export interface EncodeScratch {
  buffer: Buffer | undefined;
}

/** The largest output Buffer a scratch keeps between calls; a larger request gets a Buffer of its own. */
const MAX_SCRATCH_BYTES = 8 * 1024 * 1024;

/** The Buffer to write a request of `total` bytes into: the scratch's, grown when needed, or undefined (allocate). */
function scratchFor(scratch: EncodeScratch | undefined, total: number): Buffer | undefined {
  if (scratch === undefined || total === 0) return undefined;
  const held = scratch.buffer;
  if (held !== undefined && held.length >= total) return held;
  if (total > MAX_SCRATCH_BYTES) return undefined;
  // Headroom so that batches a little larger than the last do not reallocate every time; a Buffer
  // outside Node's shared pool, since it is kept.
  const grown = Buffer.allocUnsafeSlow(Math.min(MAX_SCRATCH_BYTES, total + (total >>> 2)));
  scratch.buffer = grown;
  return grown;
}

/**
 * Encodes spans as the bytes of one `ExportTraceServiceRequest`. An empty list gives an empty
 * message (zero bytes). With `scratch`, the result is a view of the scratch's Buffer (valid until
 * the scratch is lent again) whenever the request fits in it.
 *
 * Without the scratch argument the bytes are a plain Uint8Array, and nothing Node-only is touched:
 * the OTLP/HTTP exporter encodes this way on every runtime. A caller that lends a scratch (the gRPC
 * exporter, which may pass undefined while its scratch is busy) gets a Buffer, as before.
 */
export function encodeExportTraceRequest(spans: readonly SpanData[]): Uint8Array;
export function encodeExportTraceRequest(spans: readonly SpanData[], scratch: EncodeScratch | undefined): Buffer;
export function encodeExportTraceRequest(spans: readonly SpanData[], ...lent: [EncodeScratch?]): Uint8Array {
  return encodeRequest(spans, undefined, lent[0], lent.length === 0 ? allocateBytes : allocateBuffer);
}

/**
 * The request for `spans`; with `arena`, `spans` only supply each span's resource and scope and the
 * span messages are copied from the arena (entry i for span i).
 */
function encodeRequest(
  spans: readonly SpanData[],
  arena: SpanArena | undefined,
  scratch: EncodeScratch | undefined,
  allocate: Allocate,
): Buffer {
  trimCaches();
  arenaSource = arena;
  try {
    const groups = group(spans);
    sizes.reset();
    let total = 0;
    for (let g = 0; g < groups; ) {
      const end = resourceEnd(g, groups);
      const size = sizeResourceSpans(spans, g, end);
      total += 1 + varintSize(size) + size;
      g = end;
    }
    const w = bufferWriter(total, scratchFor(scratch, total), allocate);
    view = new DataView(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
    for (let g = 0; g < groups; ) {
      const end = resourceEnd(g, groups);
      w.byte(REQUEST_RESOURCE_SPANS);
      writeResourceSpans(w, spans, g, end);
      g = end;
    }
    return w.finish();
  } finally {
    // The scratch keeps neither the caller's objects nor the output alive.
    groupResource.length = 0;
    groupScope.length = 0;
    view = NO_VIEW;
    arenaSource = undefined;
  }
}

/** Empties the key and value caches when full; only ever between encodes, never between the two passes. */
function trimCaches(): void {
  if (keyFields.length >= KEY_CACHE_ENTRIES) {
    keyIndex.clear();
    keyFields.length = 0;
    keyWords.length = 0;
    memoKey.fill(undefined);
    valueLookups.fill(0);
    valueHits.fill(0);
    valueOff.fill(0);
    clearValues();
  } else if (valueFields.length >= VALUE_CACHE_ENTRIES) {
    clearValues();
  }
}

/** The arena whose span messages the request under way copies, if any (see encodeRequest). */
let arenaSource: SpanArena | undefined;

/**
 * A batch of spans encoded as they end (the {@link EncodedSpanBatch} of the OTLP exporter): each
 * span's `Span` message, with its length prefix, appended to one growing Buffer, plus the span's
 * resource and scope for grouping. A batch processor that keeps these instead of span objects keeps
 * ~0.5 KB of bytes per span rather than a graph of objects that the garbage collector must copy
 * while it waits; the request is then assembled by copying the messages under their
 * ResourceSpans/ScopeSpans headers. Storage is kept across `clear()`.
 */
export class SpanArena implements EncodedSpanBatch {
  /** Spans in the batch. */
  length = 0;
  private bytes: Buffer = EMPTY;
  private writer: ProtoWriter = bufferWriter(0, EMPTY);
  private view: DataView = NO_VIEW;
  private used = 0;
  /** End offset of each span's message in `bytes` (the start is the previous end). */
  private ends = new Uint32Array(64);
  /** Per span, what grouping reads: its resource and scope (no other field is set). */
  private readonly owners: { resource: Resource; scope: InstrumentationScope }[] = [];

  add(span: SpanData): void {
    trimCaches();
    const start = this.used;
    if (this.bytes.length - start < ONE_PASS_ROOM) this.grow(start + ONE_PASS_ROOM);
    // One pass first (see putSpanField); a span that does not fit in the room left, or any surprise,
    // goes through the exact two-pass route, which writes the same bytes.
    let end = -1;
    view = this.view;
    try {
      end = putSpanField(this.writer, start, span);
    } catch {
      end = -1;
    } finally {
      view = NO_VIEW;
    }
    if (end < 0 || end > this.bytes.length) this.addTwoPass(span);
    else this.used = end;
    this.record(span);
  }

  /** Encodes `span` at the end of the used bytes with a size pass and then a write pass. */
  private addTwoPass(span: SpanData): void {
    sizes.reset();
    const body = sizeSpan(span);
    // The whole `ScopeSpans.spans` field: key, length, message.
    const need = 1 + varintSize(body) + body;
    if (this.used + need > this.bytes.length) this.grow(this.used + need);
    const w = this.writer;
    w.pos = this.used;
    view = this.view;
    try {
      w.byte(SCOPE_SPANS_SPANS);
      writeSpan(w, span);
    } finally {
      view = NO_VIEW;
    }
    if (w.pos !== this.used + need)
      throw new Error(`span size pass announced ${need} bytes, write pass produced ${w.pos - this.used}`);
    this.used = w.pos;
  }

  /** Records the end of the span just written, and its resource and scope. */
  private record(span: SpanData): void {
    const i = this.length;
    if (i === this.ends.length) {
      const bigger = new Uint32Array(i * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.ends[i] = this.used;
    const owner = this.owners[i];
    if (owner === undefined) this.owners.push({ resource: span.resource, scope: span.scope });
    else {
      owner.resource = span.resource;
      owner.scope = span.scope;
    }
    this.length = i + 1;
  }

  clear(): void {
    this.length = 0;
    this.used = 0;
    // Let go of resources and scopes; the holder objects stay for reuse.
    for (const owner of this.owners) {
      owner.resource = NO_RESOURCE;
      owner.scope = NO_SCOPE;
    }
  }

  /** The request holding every span of the batch, as encodeExportTraceRequest would give it. */
  encodeRequest(scratch?: EncodeScratch): Buffer {
    const owners = this.owners;
    if (owners.length > this.length) {
      // Grouping reads one entry per span: hand it exactly this batch's entries.
      return encodeRequest(owners.slice(0, this.length) as unknown as SpanData[], this, scratch, allocateBuffer);
    }
    return encodeRequest(owners as unknown as SpanData[], this, scratch, allocateBuffer);
  }

  /** Bytes of span `i`'s `ScopeSpans.spans` field. */
  spanBytes(i: number): number {
    return this.ends[i]! - (i === 0 ? 0 : this.ends[i - 1]!);
  }

  /** Bytes of every span's field together. */
  get usedBytes(): number {
    return this.used;
  }

  /** Copies span `i`'s `ScopeSpans.spans` field into `w`. */
  copySpan(w: ProtoWriter, i: number): void {
    const start = i === 0 ? 0 : this.ends[i - 1]!;
    const end = this.ends[i]!;
    this.bytes.copy(w.buf, w.pos, start, end);
    w.pos += end - start;
  }

  /** Copies the fields of all spans, in the order they were added, into `w`. */
  copyAll(w: ProtoWriter): void {
    this.bytes.copy(w.buf, w.pos, 0, this.used);
    w.pos += this.used;
  }

  private grow(atLeast: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(atLeast, this.bytes.length * 2, 64 * 1024));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
    this.writer = bufferWriter(bigger.length, bigger);
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }
}

/** Not a Buffer: this is evaluated while the module loads, also on runtimes without Buffer. */
const EMPTY = new Uint8Array(0) as Buffer;
const NO_RESOURCE: Resource = Object.freeze({ attributes: Object.freeze({}), droppedAttributesCount: 0 });
const NO_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: Object.freeze({}) });

// ---------------------------------------------------------------------------------------------
// Grouping.
// ---------------------------------------------------------------------------------------------

/**
 * Fills `order` and the group arrays; returns the number of groups. Groups of one resource are
 * adjacent, resources in first-seen order, scopes in first-seen order within their resource.
 */
function group(spans: readonly SpanData[]): number {
  const n = spans.length;
  groupStart.length = 0;
  groupResource.length = 0;
  groupScope.length = 0;
  if (n === 0) return 0;
  if (order.length < n) order = new Uint32Array(Math.max(n, order.length * 2));
  const resource = spans[0]!.resource;
  const scope = spans[0]!.scope;
  let uniform = true;
  for (let i = 1; i < n; i++) {
    const span = spans[i]!;
    if (span.resource !== resource || span.scope !== scope) {
      uniform = false;
      break;
    }
  }
  if (uniform) {
    // The usual batch: one process, one tracer.
    for (let i = 0; i < n; i++) order[i] = i;
    groupStart.push(0, n);
    groupResource.push(resource);
    groupScope.push(scope);
    return 1;
  }
  return groupMixed(spans);
}

/** The general case: a counting sort of span indices by group. Allocates per group, not per span. */
function groupMixed(spans: readonly SpanData[]): number {
  const n = spans.length;
  // Group ids in first-seen order, and for each the index of its resource in first-seen order.
  const resources = new Map<Resource, Map<InstrumentationScope, number>>();
  const resourceRank = new Map<Resource, number>();
  const firstResource: number[] = [];
  const counts: number[] = [];
  const spanGroup = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const span = spans[i]!;
    let scopes = resources.get(span.resource);
    if (scopes === undefined) {
      scopes = new Map();
      resources.set(span.resource, scopes);
      resourceRank.set(span.resource, resourceRank.size);
    }
    let id = scopes.get(span.scope);
    if (id === undefined) {
      id = counts.length;
      scopes.set(span.scope, id);
      counts.push(0);
      firstResource.push(resourceRank.get(span.resource)!);
      groupResource.push(span.resource);
      groupScope.push(span.scope);
    }
    counts[id]!++;
    spanGroup[i] = id;
  }
  // Output rank of each group: by resource rank, then by first appearance (a stable sort).
  const groups = counts.length;
  const byOutput = Array.from({ length: groups }, (_, k) => k).sort(
    (a, b) => firstResource[a]! - firstResource[b]! || a - b,
  );
  const rank = new Uint32Array(groups);
  const next = new Uint32Array(groups);
  const resourcesInOrder: Resource[] = [];
  const scopesInOrder: InstrumentationScope[] = [];
  let offset = 0;
  for (let r = 0; r < groups; r++) {
    const id = byOutput[r]!;
    rank[id] = r;
    next[r] = offset;
    groupStart.push(offset);
    resourcesInOrder.push(groupResource[id]!);
    scopesInOrder.push(groupScope[id]!);
    offset += counts[id]!;
  }
  groupStart.push(offset);
  for (let i = 0; i < n; i++) order[next[rank[spanGroup[i]!]!]!++] = i;
  for (let r = 0; r < groups; r++) {
    groupResource[r] = resourcesInOrder[r]!;
    groupScope[r] = scopesInOrder[r]!;
  }
  return groups;
}

/** The group after the last one sharing the resource of group `g`. */
function resourceEnd(g: number, groups: number): number {
  const resource = groupResource[g];
  let end = g + 1;
  while (end < groups && groupResource[end] === resource) end++;
  return end;
}

// ---------------------------------------------------------------------------------------------
// Size pass. Each message reserves its slot first, then its children fill theirs, so the write
// pass can read lengths back with `sizes.next()` in the order it writes. Slots, in order:
//   ResourceSpans: [resource spans] [resource] <attributes of the resource>, then per scope:
//   ScopeSpans:    [scope spans] [scope] [name] [version] <attributes of the scope>, then per span:
//   Span:          [span] [trace state] [name] <attributes> <events> <links> [status message]
//   Event:         [event] [name] <attributes>
//   Link:          [link] [trace state] <attributes>
//   attributes:    per key: [key/value] [key] <value>
//   value:         string: [string]; array: [array body] <elements>; object: [list body] <attributes>
// ---------------------------------------------------------------------------------------------

function sizeResourceSpans(spans: readonly SpanData[], from: number, to: number): number {
  const slot = sizes.reserve();
  const resource = sizeResource(groupResource[from]!);
  let size = 1 + varintSize(resource) + resource;
  for (let g = from; g < to; g++) {
    const scopeSpans = sizeScopeSpans(spans, g);
    size += 1 + varintSize(scopeSpans) + scopeSpans;
  }
  size += schemaUrlSize(groupResource[from]!.schemaUrl);
  sizes.set(slot, size);
  return size;
}

function sizeResource(resource: Resource): number {
  const slot = sizes.reserve();
  let size = sizeAttributes(resource.attributes, 0);
  const dropped = resource.droppedAttributesCount >>> 0;
  if (dropped !== 0) size += 1 + varintSize(dropped);
  sizes.set(slot, size);
  return size;
}

function sizeScopeSpans(spans: readonly SpanData[], g: number): number {
  const slot = sizes.reserve();
  const scope = sizeScope(groupScope[g]!);
  let size = 1 + varintSize(scope) + scope;
  const end = groupStart[g + 1]!;
  const arena = arenaSource;
  if (arena !== undefined) {
    if (groupStart[g] === 0 && end === arena.length) size += arena.usedBytes;
    else for (let k = groupStart[g]!; k < end; k++) size += arena.spanBytes(order[k]!);
  } else {
    for (let k = groupStart[g]!; k < end; k++) {
      const span = sizeSpan(spans[order[k]!]!);
      size += 1 + varintSize(span) + span;
    }
  }
  size += schemaUrlSize(groupScope[g]!.schemaUrl);
  sizes.set(slot, size);
  return size;
}

function sizeScope(scope: InstrumentationScope): number {
  const slot = sizes.reserve();
  const name = textLength(scope.name);
  const version = textLength(scope.version);
  sizes.push(name);
  sizes.push(version);
  let size = sizeAttributes(scope.attributes, 0);
  if (name !== 0) size += 1 + varintSize(name) + name;
  if (version !== 0) size += 1 + varintSize(version) + version;
  sizes.set(slot, size);
  return size;
}

function sizeSpan(span: SpanData): number {
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
  size += sizeAttributes(span.attributes, 0);
  const droppedAttributes = span.droppedAttributesCount >>> 0;
  if (droppedAttributes !== 0) size += 1 + varintSize(droppedAttributes);
  const events = span.events;
  for (let i = 0; i < events.length; i++) {
    const event = sizeEvent(events[i]!);
    size += 1 + varintSize(event) + event;
  }
  const droppedEvents = span.droppedEventsCount >>> 0;
  if (droppedEvents !== 0) size += 1 + varintSize(droppedEvents);
  const links = span.links;
  for (let i = 0; i < links.length; i++) {
    const link = sizeLink(links[i]!);
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

function statusBodySize(code: number, messageLength: number): number {
  return (
    (messageLength !== 0 ? 1 + varintSize(messageLength) + messageLength : 0) + (code !== 0 ? 1 + varintSize(code) : 0)
  );
}

function sizeEvent(event: SpanEvent): number {
  const slot = sizes.reserve();
  const name = textLength(event.name);
  sizes.push(name);
  let size = FIXED64_FIELD + sizeAttributes(event.attributes, 0);
  if (name !== 0) size += 1 + varintSize(name) + name;
  const dropped = event.droppedAttributesCount >>> 0;
  if (dropped !== 0) size += 1 + varintSize(dropped);
  sizes.set(slot, size);
  return size;
}

function sizeLink(link: SpanLink): number {
  const slot = sizes.reserve();
  const traceId = link.traceId.length >>> 1;
  const spanId = link.spanId.length >>> 1;
  const traceState = textLength(link.traceState);
  sizes.push(traceState);
  let size = sizeAttributes(link.attributes, 0);
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
function sizeAttributes(attributes: Attributes, depth: number): number {
  let size = 0;
  for (const key in attributes) {
    if (!hasOwn.call(attributes, key)) continue;
    const value = attributes[key];
    if (value === undefined) continue;
    const slot = sizes.reserve();
    // The key's slot: (cache index << 1) | 1 for a cached key, (UTF-8 length << 1) otherwise.
    let keyField: number;
    let cached = keyIndex.get(key);
    if (cached === undefined) cached = cacheKey(key);
    if (cached >= 0) {
      sizes.push((cached << 1) | 1);
      keyField = keyFields[cached]!.length;
    } else {
      const keyLength = textLength(key);
      sizes.push(keyLength << 1);
      keyField = keyLength !== 0 ? 1 + varintSize(keyLength) + keyLength : 0;
    }
    const any = typeof value === 'string' && cached >= 0 ? sizeStringValue(value, cached) : sizeAnyValue(value, depth);
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
function sizeStringValue(value: string, key: number): number {
  const index = valueCacheIndex(value, key);
  if (index >= 0) {
    sizes.push((index << 1) | 1);
    return valueFields[index]!.length;
  }
  const length = textLength(value);
  sizes.push(length << 1);
  return 1 + varintSize(length) + length;
}

/**
 * The value cache index of the string `value` under the attribute key of cache index `key`, caching
 * it when the key's values are still admitted; -1 when it is not cached. The last value found under
 * each key is remembered, so a key whose value rarely changes skips the Map lookup.
 */
function valueCacheIndex(value: string, key: number): number {
  let cached: number | undefined;
  if (lastValue[key] === value) cached = lastValueIndex[key]!;
  // A key whose values stopped being cached (identifiers) skips the lookup too: the values found
  // under it would mostly be misses, and a miss costs hashing a new string.
  else if (valueOff[key] !== 0) return -1;
  else cached = valueIndex.get(value);
  if (cached !== undefined) {
    countHit(key);
    lastValue[key] = value;
    lastValueIndex[key] = cached;
    return cached;
  }
  if (valueOff[key] === 0) {
    const lookups = valueLookups[key]!;
    if (lookups < VALUE_PROBE) valueLookups[key] = lookups + 1;
    else if (valueHits[key]! * 2 < lookups) valueOff[key] = 1;
    if (valueOff[key] === 0) {
      const index = cacheValue(value);
      if (index >= 0) {
        lastValue[key] = value;
        lastValueIndex[key] = index;
        return index;
      }
    }
  }
  return -1;
}

/** Counts a value found in the cache under the key of cache index `key` (see valueCacheIndex). */
function countHit(key: number): void {
  if (valueLookups[key]! < VALUE_PROBE) {
    valueLookups[key] = valueLookups[key]! + 1;
    valueHits[key] = valueHits[key]! + 1;
  }
}

/** Keeps the whole KeyValue of the key of cache index `key` and the cached value `index` (`value`). */
function cachePair(key: number, value: string, index: number): void {
  const keyField = keyFields[key]!;
  const valueField = valueFields[index]!;
  const body = keyField.length + 1 + varintSize(valueField.length) + valueField.length;
  const w = bufferWriter(varintSize(body) + body);
  w.varint(body);
  w.raw(keyField);
  w.byte(KV_VALUE);
  w.varint(valueField.length);
  w.raw(valueField);
  const field = new Uint8Array(w.finish());
  const words = new Int32Array((field.length + 3) >>> 2);
  new Uint8Array(words.buffer).set(field);
  if (!LITTLE_ENDIAN) for (let i = 0; i < words.length; i++) words[i] = swap32(words[i]!);
  pairValue[key] = value;
  pairFields[key] = field;
  pairWords[key] = words;
  pairStreak[key] = 0;
}

/** Adds `value` to the value cache; returns its index, or -1 when it is not cached. */
function cacheValue(value: string): number {
  if (value.length > VALUE_CACHE_LENGTH || valueFields.length >= VALUE_CACHE_ENTRIES) return -1;
  const length = utf8Length(value);
  const w = bufferWriter(1 + varintSize(length) + length);
  w.byte(ANY_STRING);
  w.string(value, length);
  // Copied, as for keys: the writer's Buffer may be a slice of Node's shared pool.
  const field = new Uint8Array(w.finish());
  const words = new Int32Array((field.length + 3) >>> 2);
  new Uint8Array(words.buffer).set(field);
  if (!LITTLE_ENDIAN) for (let i = 0; i < words.length; i++) words[i] = swap32(words[i]!);
  const index = valueFields.length;
  valueFields.push(field);
  valueWords.push(words);
  valueIndex.set(value, index);
  return index;
}

function clearValues(): void {
  lastValue.fill(undefined);
  pairValue.fill(undefined);
  pairFields.fill(undefined);
  pairWords.fill(undefined);
  pairStreak.fill(0);
  valueIndex.clear();
  valueFields.length = 0;
  valueWords.length = 0;
}

/**
 * What the one-pass writer saw last at each place of a run of attributes, per kind of run: the key
 * and its key cache index (or -1). Emptied with the key cache.
 */
const KEY_MEMO_RUN = 32;
const memoKey: (string | undefined)[] = new Array<string | undefined>(4 * KEY_MEMO_RUN).fill(undefined);
const memoIndex = new Int32Array(4 * KEY_MEMO_RUN);

/** Adds `key` to the key cache; returns its index, or -1 when it is not cached. */
function cacheKey(key: string): number {
  if (key.length === 0 || key.length > KEY_CACHE_LENGTH || keyFields.length >= KEY_CACHE_ENTRIES) return -1;
  const length = utf8Length(key);
  const w = bufferWriter(1 + varintSize(length) + length);
  w.byte(KV_KEY);
  w.string(key, length);
  const index = keyFields.length;
  // A copy: the writer's Buffer may be a slice of Node's shared pool, which a long-lived cache
  // entry would keep alive.
  const field = new Uint8Array(w.finish());
  const words = new Int32Array((field.length + 3) >>> 2);
  new Uint8Array(words.buffer).set(field);
  if (!LITTLE_ENDIAN) for (let i = 0; i < words.length; i++) words[i] = swap32(words[i]!);
  keyFields.push(field);
  keyWords.push(words);
  keyIndex.set(key, index);
  return index;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * UTF-8 length of a string, as utf8Length gives it, by the quickest route: a short ASCII string
 * is measured in JS, anything longer natively (Buffer.byteLength counts a lone surrogate as the
 * three bytes of U+FFFD, as utf8Length does and as Buffer writes it).
 */
function textLength(s: string): number {
  const n = s.length;
  if (n <= SHORT_TEXT) {
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return utf8Length(s);
    return n;
  }
  return nativeByteLength !== undefined ? nativeByteLength(s, 'utf8') : utf8Length(s);
}

/** Up to this many characters, textLength scans in JS instead of calling into native code. */
const SHORT_TEXT = 8;

/** Bytes of the AnyValue message body holding `value`. */
function sizeAnyValue(value: AttributeValue, depth: number): number {
  switch (typeof value) {
    case 'string': {
      const length = textLength(value);
      sizes.push(length);
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
      if (Array.isArray(value)) {
        const slot = sizes.reserve();
        const body = sizeArray(value, depth + 1);
        sizes.set(slot, body);
        return 1 + varintSize(body) + body;
      }
      if (value instanceof Uint8Array) return 1 + varintSize(value.length) + value.length;
      const slot = sizes.reserve();
      const body = sizeAttributes(value as Attributes, depth + 1);
      sizes.set(slot, body);
      return 1 + varintSize(body) + body;
    }
    default:
      return 0;
  }
}

function sizeArray(values: readonly AttributeValue[], depth: number): number {
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const any = sizeAnyValue(values[i]!, depth);
    size += 1 + varintSize(any) + any;
  }
  return size;
}

/** True when a number goes out as int_value: a safe integer, and not -0 (which only a double keeps). */
function isInt64(v: number): boolean {
  return Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0);
}

// ---------------------------------------------------------------------------------------------
// Write pass: the same walk, reading the lengths back.
// ---------------------------------------------------------------------------------------------

function writeResourceSpans(w: ProtoWriter, spans: readonly SpanData[], from: number, to: number): void {
  w.varint(sizes.next());
  const resource = groupResource[from]!;
  w.byte(RESOURCE_SPANS_RESOURCE);
  w.varint(sizes.next());
  writeAttributes(w, resource.attributes, RESOURCE_ATTRIBUTES, 0);
  const dropped = resource.droppedAttributesCount >>> 0;
  if (dropped !== 0) {
    w.byte(RESOURCE_DROPPED);
    w.varint(dropped);
  }
  for (let g = from; g < to; g++) {
    w.byte(RESOURCE_SPANS_SCOPE_SPANS);
    writeScopeSpans(w, spans, g);
  }
  writeSchemaUrl(w, resource.schemaUrl);
}

function writeScopeSpans(w: ProtoWriter, spans: readonly SpanData[], g: number): void {
  w.varint(sizes.next());
  const scope = groupScope[g]!;
  w.byte(SCOPE_SPANS_SCOPE);
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
  writeAttributes(w, scope.attributes, SCOPE_ATTRIBUTES, 0);
  const end = groupStart[g + 1]!;
  const arena = arenaSource;
  if (arena !== undefined) {
    // One group holding every span (the usual batch) keeps their order: one copy does.
    if (groupStart[g] === 0 && end === arena.length) arena.copyAll(w);
    else for (let k = groupStart[g]!; k < end; k++) arena.copySpan(w, order[k]!);
  } else {
    for (let k = groupStart[g]!; k < end; k++) {
      w.byte(SCOPE_SPANS_SPANS);
      writeSpan(w, spans[order[k]!]!);
    }
  }
  writeSchemaUrl(w, scope.schemaUrl);
}

function writeSpan(w: ProtoWriter, span: SpanData): void {
  w.varint(sizes.next());
  const traceState = sizes.next();
  const name = sizes.next();
  writeId(w, SPAN_TRACE_ID, span.traceId);
  writeId(w, SPAN_SPAN_ID, span.spanId);
  if (traceState !== 0) {
    w.byte(SPAN_TRACE_STATE);
    w.string(span.traceState, traceState);
  }
  writeId(w, SPAN_PARENT_SPAN_ID, span.parentSpanId);
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
  writeAttributes(w, span.attributes, SPAN_ATTRIBUTES, 0);
  const droppedAttributes = span.droppedAttributesCount >>> 0;
  if (droppedAttributes !== 0) {
    w.byte(SPAN_DROPPED_ATTRIBUTES);
    w.varint(droppedAttributes);
  }
  const events = span.events;
  for (let i = 0; i < events.length; i++) {
    w.byte(SPAN_EVENTS);
    writeEvent(w, events[i]!);
  }
  const droppedEvents = span.droppedEventsCount >>> 0;
  if (droppedEvents !== 0) {
    w.byte(SPAN_DROPPED_EVENTS);
    w.varint(droppedEvents);
  }
  const links = span.links;
  for (let i = 0; i < links.length; i++) {
    w.byte(SPAN_LINKS);
    writeLink(w, links[i]!);
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

function writeEvent(w: ProtoWriter, event: SpanEvent): void {
  w.varint(sizes.next());
  const name = sizes.next();
  const time = event.time;
  w.byte(EVENT_TIME);
  w.fixed64Nanos(time[0], time[1]);
  if (name !== 0) {
    w.byte(EVENT_NAME);
    w.string(event.name, name);
  }
  writeAttributes(w, event.attributes, EVENT_ATTRIBUTES, 0);
  const dropped = event.droppedAttributesCount >>> 0;
  if (dropped !== 0) {
    w.byte(EVENT_DROPPED);
    w.varint(dropped);
  }
}

function writeLink(w: ProtoWriter, link: SpanLink): void {
  w.varint(sizes.next());
  const traceState = sizes.next();
  writeId(w, LINK_TRACE_ID, link.traceId);
  writeId(w, LINK_SPAN_ID, link.spanId);
  if (traceState !== 0) {
    w.byte(LINK_TRACE_STATE);
    w.string(link.traceState, traceState);
  }
  writeAttributes(w, link.attributes, LINK_ATTRIBUTES, 0);
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

/** Writes a hex id as a bytes field (left out when empty), two digits per byte, in place. */
function writeId(w: ProtoWriter, key: number, hex: string): void {
  const n = hex.length >>> 1;
  if (n === 0) return;
  w.byte(key);
  w.varint(n);
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = hex.charCodeAt(i);
    const lo = hex.charCodeAt(i + 1);
    buf[pos++] = (hi | lo) < 0x80 ? HEX_PAIR[(hi << 7) | lo]! : 0;
  }
  w.pos = pos;
}

/**
 * Writes a run of `repeated KeyValue` fields with key byte `key`. The attribute writers keep the
 * output position in a local (handing it back and forth with `w.pos` only around the writer's
 * own methods): they run for every attribute of every span, and this saves a field load and
 * store per byte.
 */
function writeAttributes(w: ProtoWriter, attributes: Attributes, key: number, depth: number): void {
  w.pos = putAttributes(w, w.pos, attributes, key, depth);
}

function putAttributes(w: ProtoWriter, pos: number, attributes: Attributes, key: number, depth: number): number {
  const buf = w.buf;
  for (const name in attributes) {
    if (!hasOwn.call(attributes, name)) continue;
    const value = attributes[name];
    if (value === undefined) continue;
    buf[pos++] = key;
    pos = putLength(buf, pos, sizes.next());
    const keySlot = sizes.next();
    if ((keySlot & 1) !== 0) {
      const index = keySlot >>> 1;
      const words = keyWords[index]!;
      const length = keyFields[index]!.length;
      if (pos + 4 * words.length <= buf.length) {
        // Four bytes per store; the up to three bytes written past the field are overwritten next.
        for (let i = 0, p = pos; i < words.length; i++, p += 4) view.setInt32(p, words[i]!, true);
      } else {
        buf.set(keyFields[index]!, pos);
      }
      pos += length;
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
        const field = valueFields[index]!;
        const length = field.length;
        pos = putLength(buf, pos, length);
        const words = valueWords[index]!;
        if (pos + 4 * words.length <= buf.length) {
          for (let i = 0, p = pos; i < words.length; i++, p += 4) view.setInt32(p, words[i]!, true);
        } else {
          buf.set(field, pos);
        }
        pos += length;
      } else {
        const length = valueSlot >>> 1;
        pos = putLength(buf, pos, 1 + varintSize(length) + length);
        buf[pos++] = ANY_STRING;
        pos = putString(buf, pos, value, length);
      }
    } else {
      pos = putAnyValue(w, pos, value, depth);
    }
  }
  return pos;
}

/** Writes the length prefix and body of the AnyValue holding `value`; returns the new position. */
function putAnyValue(w: ProtoWriter, pos: number, value: AttributeValue, depth: number): number {
  const buf = w.buf;
  switch (typeof value) {
    case 'string': {
      const length = sizes.next();
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
        const body = sizes.next();
        pos = putLength(buf, pos, 1 + varintSize(body) + body);
        buf[pos++] = ANY_ARRAY;
        pos = putLength(buf, pos, body);
        const values = value as readonly AttributeValue[];
        for (let i = 0; i < values.length; i++) {
          buf[pos++] = LIST_VALUES;
          pos = putAnyValue(w, pos, values[i]!, depth + 1);
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
      const body = sizes.next();
      pos = putLength(buf, pos, 1 + varintSize(body) + body);
      buf[pos++] = ANY_KVLIST;
      pos = putLength(buf, pos, body);
      return putAttributes(w, pos, value as Attributes, LIST_VALUES, depth + 1);
    }
    default:
      buf[pos] = 0;
      return pos + 1;
  }
}

/** Writes a varint of 0 <= v < 2^31 (a length, or a small integer) at `pos`; returns the new position. */
function putLength(buf: Buffer, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Writes `s` with its length prefix; `length` is its UTF-8 length. Returns the new position. */
function putString(buf: Buffer, pos: number, s: string, length: number): number {
  pos = putLength(buf, pos, length);
  const n = s.length;
  if (length === n && n <= SHORT_COPY) {
    // ASCII (only then do the UTF-8 and UTF-16 lengths agree): a JS copy beats a native call.
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    return pos;
  }
  return length === 0 ? pos : pos + writeUtf8(buf, pos, s, length);
}

/** Longest ASCII string putString copies in JS. */
const SHORT_COPY = 64;

// ---------------------------------------------------------------------------------------------
// One-pass span encoding, for the arena. Each nested message gets room for its length prefix
// before its body is written (one byte for attributes, events, links and the status, two for the
// span itself); once the body is done the length goes in, and in the rare case the prefix needs
// a different number of bytes the body is moved by that difference. No size pass, so each
// attribute key and string value is looked up in the caches once instead of twice.
//
// The caller keeps ONE_PASS_ROOM bytes free, which holds any ordinary span. Writing never checks
// bounds byte by byte: stores past the end of a Buffer are dropped and the native copies throw,
// so a span that did not fit shows as an end position past the Buffer (or an exception), and the
// caller then encodes it again with the two passes, into a Buffer grown to the exact size.
// ---------------------------------------------------------------------------------------------

/** Bytes kept free at the end of an arena before a one-pass encode. */
const ONE_PASS_ROOM = 16 * 1024;

/** Thrown by a one-pass encode when a native copy would run past the Buffer. */
const OVERFLOW = new RangeError('span does not fit in the room left');

/**
 * Puts the length of the body between `at + reserved` and `pos` at `at`, where `reserved` bytes
 * were left for it, moving the body when its varint takes another number of bytes. Returns the
 * new end of the body.
 */
function closeLength(buf: Buffer, at: number, reserved: number, pos: number): number {
  // Past the end, some stores were dropped; moving the body back could hide that.
  if (pos > buf.length) throw OVERFLOW;
  const body = pos - at - reserved;
  const need = varintSize(body);
  if (need !== reserved) {
    buf.copyWithin(at + need, at + reserved, pos);
    pos += need - reserved;
  }
  putLength(buf, at, body);
  return pos;
}

/** Writes `s` with its length prefix, measuring it on the way; returns the new position. */
function putText(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n < 0x80) {
    // Try ASCII, whose length (one prefix byte) is known before the bytes.
    let p = pos + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i === n) {
      buf[pos] = n;
      return p;
    }
  }
  const length = textLength(s);
  pos = putLength(buf, pos, length);
  if (pos + length > buf.length) throw OVERFLOW;
  return length === 0 ? pos : pos + writeUtf8(buf, pos, s, length);
}

/** Copies a cached field (its bytes and the same as words) at `pos`; returns the new position. */
function putCached(buf: Buffer, pos: number, field: Uint8Array, words: Int32Array): number {
  if (pos + 4 * words.length <= buf.length) {
    // Four bytes per store; the up to three bytes written past the field are overwritten next.
    for (let i = 0, p = pos; i < words.length; i++, p += 4) view.setInt32(p, words[i]!, true);
  } else {
    buf.set(field, pos);
  }
  return pos + field.length;
}

/** Writes a hex id as a bytes field (left out when empty), as writeId does. */
function putId(buf: Buffer, pos: number, key: number, hex: string): number {
  const n = hex.length >>> 1;
  if (n === 0) return pos;
  buf[pos++] = key;
  pos = putLength(buf, pos, n);
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = hex.charCodeAt(i);
    const lo = hex.charCodeAt(i + 1);
    buf[pos++] = (hi | lo) < 0x80 ? HEX_PAIR[(hi << 7) | lo]! : 0;
  }
  return pos;
}

/** Writes a varint field of any int64 number (a count, a kind, a code) at `pos` with the writer. */
function putVarintField(w: ProtoWriter, pos: number, key: number, v: number): number {
  w.buf[pos++] = key;
  if (v >= 0 && v < 0x80000000) return putLength(w.buf, pos, v);
  w.pos = pos;
  w.varint(v);
  return w.pos;
}

/**
 * Writes the key and fixed64 nanoseconds of an HrTime. For whole seconds below 2^32 (until 2106)
 * and whole nanoseconds below 1e9, as the clock gives them, a shorter exact split than
 * ProtoWriter.fixed64Nanos: seconds * 1e9 = (seconds * 1953125) * 2^9, whose first factor stays
 * below 2^53; anything else goes through fixed64Nanos.
 */
function putTime(w: ProtoWriter, pos: number, key: number, time: readonly [number, number]): number {
  const buf = w.buf;
  buf[pos++] = key;
  const seconds = time[0];
  const nanos = time[1];
  if (seconds >>> 0 === seconds && nanos >>> 0 === nanos && nanos < 1e9) {
    const t = seconds * 1953125;
    let high = Math.floor(t / 8388608); // 2^23: t = high * 2^23 + rest, and rest * 2^9 < 2^32
    let low = (t - high * 8388608) * 512 + nanos;
    if (low >= 4294967296) {
      low -= 4294967296;
      high += 1;
    }
    buf[pos] = low;
    buf[pos + 1] = low >>> 8;
    buf[pos + 2] = low >>> 16;
    buf[pos + 3] = low >>> 24;
    buf[pos + 4] = high;
    buf[pos + 5] = high >>> 8;
    buf[pos + 6] = high >>> 16;
    buf[pos + 7] = high >>> 24;
    return pos + 8;
  }
  w.pos = pos;
  w.fixed64Nanos(seconds, nanos);
  return w.pos;
}

/** Writes the whole `ScopeSpans.spans` field of `span` at `pos`; returns where it ends. */
function putSpanField(w: ProtoWriter, pos: number, span: SpanData): number {
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
  pos = putAttributesOnce(w, pos, span.attributes, SPAN_ATTRIBUTES, 0);
  const droppedAttributes = span.droppedAttributesCount >>> 0;
  if (droppedAttributes !== 0) pos = putVarintField(w, pos, SPAN_DROPPED_ATTRIBUTES, droppedAttributes);
  const events = span.events;
  for (let i = 0; i < events.length; i++) pos = putEventOnce(w, pos, events[i]!);
  const droppedEvents = span.droppedEventsCount >>> 0;
  if (droppedEvents !== 0) pos = putVarintField(w, pos, SPAN_DROPPED_EVENTS, droppedEvents);
  const links = span.links;
  for (let i = 0; i < links.length; i++) pos = putLinkOnce(w, pos, links[i]!);
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

function putEventOnce(w: ProtoWriter, pos: number, event: SpanEvent): number {
  const buf = w.buf;
  buf[pos++] = SPAN_EVENTS;
  const at = pos++;
  pos = putTime(w, pos, EVENT_TIME, event.time);
  if (event.name.length !== 0) {
    buf[pos++] = EVENT_NAME;
    pos = putText(buf, pos, event.name);
  }
  pos = putAttributesOnce(w, pos, event.attributes, EVENT_ATTRIBUTES, 0);
  const dropped = event.droppedAttributesCount >>> 0;
  if (dropped !== 0) pos = putVarintField(w, pos, EVENT_DROPPED, dropped);
  return closeLength(buf, at, 1, pos);
}

function putLinkOnce(w: ProtoWriter, pos: number, link: SpanLink): number {
  const buf = w.buf;
  buf[pos++] = SPAN_LINKS;
  const at = pos++;
  pos = putId(buf, pos, LINK_TRACE_ID, link.traceId);
  pos = putId(buf, pos, LINK_SPAN_ID, link.spanId);
  if (link.traceState.length !== 0) {
    buf[pos++] = LINK_TRACE_STATE;
    pos = putText(buf, pos, link.traceState);
  }
  pos = putAttributesOnce(w, pos, link.attributes, LINK_ATTRIBUTES, 0);
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

/** Writes a run of `repeated KeyValue` fields with key byte `key`, in one pass. */
function putAttributesOnce(w: ProtoWriter, pos: number, attributes: Attributes, key: number, depth: number): number {
  const buf = w.buf;
  // Memo slots: KEY_MEMO_RUN per kind of run (span, event, link attributes; nested lists share one).
  const base =
    key === SPAN_ATTRIBUTES
      ? 0
      : key === EVENT_ATTRIBUTES
        ? KEY_MEMO_RUN
        : key === LINK_ATTRIBUTES
          ? 2 * KEY_MEMO_RUN
          : 3 * KEY_MEMO_RUN;
  const memoEnd = base + KEY_MEMO_RUN;
  let memo = base;
  for (const name in attributes) {
    if (!hasOwn.call(attributes, name)) continue;
    const value = attributes[name];
    if (value === undefined) continue;
    buf[pos++] = key;
    // The key at this place of the last run of this kind is most likely this one: a string compare
    // (of the same internalized string, usually) instead of a Map lookup.
    let cached: number | undefined;
    if (memo < memoEnd && memoKey[memo] === name) cached = memoIndex[memo]!;
    else {
      cached = keyIndex.get(name);
      if (cached === undefined) cached = cacheKey(name);
      if (memo < memoEnd) {
        memoKey[memo] = name;
        memoIndex[memo] = cached;
      }
    }
    memo++;
    if (typeof value === 'string' && cached >= 0 && pairValue[cached] === value) {
      countHit(cached);
      pos = putCached(buf, pos, pairFields[cached]!, pairWords[cached]!);
      continue;
    }
    const at = pos++;
    if (cached >= 0) pos = putCached(buf, pos, keyFields[cached]!, keyWords[cached]!);
    else if (name.length !== 0) {
      buf[pos++] = KV_KEY;
      pos = putText(buf, pos, name);
    }
    buf[pos++] = KV_VALUE;
    if (typeof value === 'string' && cached >= 0) {
      const repeated = lastValue[cached] === value;
      const index = valueCacheIndex(value, cached);
      if (index >= 0) {
        const field = valueFields[index]!;
        pos = putLength(buf, pos, field.length);
        pos = putCached(buf, pos, field, valueWords[index]!);
        if (!repeated) pairStreak[cached] = 0;
        else if (++pairStreak[cached]! >= PAIR_STREAK) cachePair(cached, value, index);
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
      pos = putAnyOnce(w, pos, value, depth);
    }
    pos = closeLength(buf, at, 1, pos);
  }
  return pos;
}

/** Writes the length prefix and body of the AnyValue holding `value`, in one pass. */
function putAnyOnce(w: ProtoWriter, pos: number, value: AttributeValue, depth: number): number {
  const buf = w.buf;
  if (typeof value === 'string') {
    const at = pos++;
    buf[pos++] = ANY_STRING;
    return closeLength(buf, at, 1, putText(buf, pos, value));
  }
  if (typeof value !== 'object' || value === null || depth >= MAX_NESTING || value instanceof Uint8Array) {
    // Lengths known up front: the two-pass writer needs no recorded size for these.
    return putAnyValue(w, pos, value, depth);
  }
  const at = pos++;
  if (Array.isArray(value)) {
    buf[pos++] = ANY_ARRAY;
    const bodyAt = pos++;
    const values = value as readonly AttributeValue[];
    for (let i = 0; i < values.length; i++) {
      buf[pos++] = LIST_VALUES;
      pos = putAnyOnce(w, pos, values[i]!, depth + 1);
    }
    pos = closeLength(buf, bodyAt, 1, pos);
  } else {
    buf[pos++] = ANY_KVLIST;
    const bodyAt = pos++;
    pos = closeLength(buf, bodyAt, 1, putAttributesOnce(w, pos, value as Attributes, LIST_VALUES, depth + 1));
  }
  return closeLength(buf, at, 1, pos);
}
