import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import {
  type EncodeScratch,
  MAX_NESTING,
  SpanArena,
  encodeExportTraceRequest,
} from '../../lib/otlp/span-encoding/index.js';
import { nanosWords, splitNanos } from '../../lib/protobuf/writer.js';
import type {
  AttributeValue,
  Attributes,
  HrTime,
  InstrumentationScope,
  Resource,
  SpanData,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
} from '../../lib/trace/span-data.js';
import { mulberry32 as rng } from '../../bench/workloads.js';

// ---------------------------------------------------------------------------------------------
// Decoders: our proto/ files, and upstream's (an older release, without Span.flags, Link.flags
// and InstrumentationScope.attributes / dropped_attributes_count).
// ---------------------------------------------------------------------------------------------

const OURS = fileURLToPath(new URL('../../proto', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('../../node_modules/otlp-upstream-protos/build/protos', import.meta.url));
const SERVICE_FILE = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
const REQUEST = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';

const LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: Number,
  defaults: true,
  arrays: true,
  oneofs: true,
} as const;

function requestDecoder(includeDir: string): (bytes: Uint8Array) => Decoded {
  const definition = protoLoader.loadSync(SERVICE_FILE, { ...LOADER_OPTIONS, includeDirs: [includeDir] });
  const request = definition[REQUEST] as protoLoader.MessageTypeDefinition<object, Decoded>;
  return (bytes) => request.deserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const decodeOurs = requestDecoder(OURS);
const decodeUpstream = requestDecoder(UPSTREAM);

// The decoded object, loosely typed: the normalizers below check the shape as they go.
type Decoded = { [key: string]: any };

// ---------------------------------------------------------------------------------------------
// One canonical form for both sides: what we meant to send, and what a decoder read.
// Ids as hex, 64-bit values as exact decimal strings, attributes as [key, value] lists in
// enumeration order, every AnyValue as a one-key object naming its kind.
// ---------------------------------------------------------------------------------------------

type Any =
  | { s: string }
  | { b: boolean }
  | { i: string }
  | { d: number }
  | { bytes: string }
  | { arr: Any[] }
  | { kv: [string, Any][] }
  | Record<string, never>;

interface Dialect {
  /** Upstream 0.34 protos: no flags on spans and links, no scope attributes. */
  readonly old: boolean;
}

const NEW: Dialect = { old: false };
const OLD: Dialect = { old: true };

function expectedAny(v: AttributeValue | null | undefined, depth: number): Any {
  switch (typeof v) {
    case 'string':
      return { s: v };
    case 'boolean':
      return { b: v };
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? { i: String(v) } : { d: v };
    case 'bigint':
      return { i: BigInt.asIntN(64, v).toString() };
    case 'object':
      if (v === null || depth >= MAX_NESTING) return {};
      if (Array.isArray(v)) return { arr: v.map((x) => expectedAny(x, depth + 1)) };
      if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
      return { kv: expectedAttributes(v as Attributes, depth + 1) };
    default:
      return {};
  }
}

function expectedAttributes(attributes: Attributes, depth = 0): [string, Any][] {
  const out: [string, Any][] = [];
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined) continue;
    out.push([key, expectedAny(value, depth)]);
  }
  return out;
}

function nanosOf(t: HrTime): string {
  return (BigInt(t[0]) * 1000000000n + BigInt(t[1])).toString();
}

/** Bits 8-9 of Span.flags and Link.flags: remoteness known, and remote. */
function remoteBits(isRemote: boolean | undefined): number {
  return isRemote === undefined ? 0 : isRemote ? 0x300 : 0x100;
}

function expectedSpan(s: SpanData, d: Dialect): object {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState,
    parentSpanId: s.parentSpanId,
    ...(d.old ? {} : { flags: (s.traceFlags & 0xff) | remoteBits(s.parentIsRemote) }),
    name: s.name,
    // The api's numbering (INTERNAL 0 ... CONSUMER 4) on OTLP's (UNSPECIFIED 0, INTERNAL 1 ...).
    kind: s.kind >= 0 && s.kind <= 4 ? s.kind + 1 : 0,
    start: nanosOf(s.startTime),
    end: nanosOf(s.endTime),
    attributes: expectedAttributes(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e) => ({
      time: nanosOf(e.time),
      name: e.name,
      attributes: expectedAttributes(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount,
    })),
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      traceState: l.traceState,
      attributes: expectedAttributes(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount,
      ...(d.old ? {} : { flags: (l.traceFlags & 0xff) | remoteBits(l.isRemote) }),
    })),
    droppedLinksCount: s.droppedLinksCount,
    status: { code: s.status.code, message: s.status.message },
  };
}

function expectedScope(scope: InstrumentationScope, d: Dialect): object {
  return {
    name: scope.name,
    version: scope.version,
    ...(d.old ? {} : { attributes: expectedAttributes(scope.attributes), droppedAttributesCount: 0 }),
  };
}

/** Independent grouping: resources by identity in first-seen order, then scopes likewise. */
function expectedRequest(spans: readonly SpanData[], d: Dialect): object[] {
  const byResource = new Map<Resource, Map<InstrumentationScope, SpanData[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) byResource.set(span.resource, (scopes = new Map()));
    let list = scopes.get(span.scope);
    if (list === undefined) scopes.set(span.scope, (list = []));
    list.push(span);
  }
  return [...byResource].map(([resource, scopes]) => ({
    resource: {
      attributes: expectedAttributes(resource.attributes),
      droppedAttributesCount: resource.droppedAttributesCount,
    },
    scopeSpans: [...scopes].map(([scope, list]) => ({
      scope: expectedScope(scope, d),
      spans: list.map((s) => expectedSpan(s, d)),
    })),
  }));
}

function hex(b: unknown): string {
  assert.ok(Buffer.isBuffer(b), `expected bytes, got ${typeof b}`);
  return b.toString('hex');
}

function decodedAny(v: Decoded | null): Any {
  assert.ok(v !== null && v !== undefined, 'KeyValue.value is always written');
  switch (v.value) {
    case undefined:
      return {};
    case 'stringValue':
      return { s: v.stringValue };
    case 'boolValue':
      return { b: v.boolValue };
    case 'intValue':
      assert.equal(typeof v.intValue, 'string');
      return { i: v.intValue };
    case 'doubleValue':
      return { d: v.doubleValue };
    case 'bytesValue':
      return { bytes: hex(v.bytesValue) };
    case 'arrayValue':
      return { arr: v.arrayValue.values.map(decodedAny) };
    case 'kvlistValue':
      return { kv: decodedAttributes(v.kvlistValue.values) };
    default:
      throw new Error(`unexpected AnyValue member ${String(v.value)}`);
  }
}

function decodedAttributes(list: Decoded[]): [string, Any][] {
  return list.map((kv) => [kv.key, decodedAny(kv.value)]);
}

function decodedSpan(s: Decoded, d: Dialect): object {
  if (d.old) assert.equal(s.flags, undefined, 'the old schema has no Span.flags');
  return {
    traceId: hex(s.traceId),
    spanId: hex(s.spanId),
    traceState: s.traceState,
    parentSpanId: hex(s.parentSpanId),
    ...(d.old ? {} : { flags: s.flags }),
    name: s.name,
    kind: s.kind,
    start: s.startTimeUnixNano,
    end: s.endTimeUnixNano,
    attributes: decodedAttributes(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e: Decoded) => ({
      time: e.timeUnixNano,
      name: e.name,
      attributes: decodedAttributes(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount,
    })),
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l: Decoded) => ({
      traceId: hex(l.traceId),
      spanId: hex(l.spanId),
      traceState: l.traceState,
      attributes: decodedAttributes(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount,
      ...(d.old ? {} : { flags: l.flags }),
    })),
    droppedLinksCount: s.droppedLinksCount,
    status: { code: s.status.code, message: s.status.message },
  };
}

function decodedRequest(m: Decoded, d: Dialect): object[] {
  return m.resourceSpans.map((rs: Decoded) => ({
    resource: {
      attributes: decodedAttributes(rs.resource.attributes),
      droppedAttributesCount: rs.resource.droppedAttributesCount,
    },
    scopeSpans: rs.scopeSpans.map((ss: Decoded) => ({
      scope: {
        name: ss.scope.name,
        version: ss.scope.version,
        ...(d.old
          ? {}
          : {
              attributes: decodedAttributes(ss.scope.attributes),
              droppedAttributesCount: ss.scope.droppedAttributesCount,
            }),
      },
      spans: ss.spans.map((s: Decoded) => decodedSpan(s, d)),
    })),
  }));
}

/** Encodes, decodes with both schemas, and compares with what was meant. */
function roundTrip(spans: readonly SpanData[]): Uint8Array {
  const bytes = encodeExportTraceRequest(spans);
  assert.deepStrictEqual(decodedRequest(decodeOurs(bytes), NEW), expectedRequest(spans, NEW));
  assert.deepStrictEqual(decodedRequest(decodeUpstream(bytes), OLD), expectedRequest(spans, OLD));
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Randomized spans.
// ---------------------------------------------------------------------------------------------

class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  hex(bytes: number): string {
    let s = '';
    for (let i = 0; i < bytes; i++) s += this.int(256).toString(16).padStart(2, '0');
    return s;
  }
  // ASCII, 2-byte, 3-byte and 4-byte (surrogate pair) UTF-8 characters, and control characters.
  private static readonly CHARS = [
    'a',
    'b',
    'z',
    'Q',
    '0',
    '9',
    ' ',
    '/',
    '.',
    '_',
    '-',
    '=',
    ',',
    '"',
    '\\',
    '\n',
    '\t',
    '\0',
    '\x7f',
    'é',
    'ß',
    'ñ',
    'Ω',
    '\u0080',
    '\u07ff',
    '中',
    '文',
    '€',
    '\u0800',
    '\uffff',
    '\ufeff',
    '😀',
    '𝄞',
    '\u{10ffff}',
    '\u{10000}',
  ];
  str(): string {
    const roll = this.r();
    if (roll < 0.08) return '';
    // Now and then a long one: multi-byte length prefixes and the Buffer.write path.
    const n = roll < 0.1 ? 100 + this.int(300) : this.int(24);
    const asciiOnly = this.chance(0.5);
    let s = '';
    for (let i = 0; i < n; i++) s += asciiOnly ? String.fromCharCode(0x20 + this.int(95)) : this.pick(Gen.CHARS);
    return s;
  }
  key(): string {
    const roll = this.r();
    if (roll < 0.03) return '';
    if (roll < 0.08) return String(this.int(100)); // integer-like keys enumerate first
    return this.str() || 'k';
  }
  number(): number {
    const special = [
      0,
      -0,
      1,
      -1,
      127,
      128,
      -128,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 32,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      2 ** 53,
      -(2 ** 53),
      2 ** 63,
      -(2 ** 63),
      2 ** 64,
      NaN,
      Infinity,
      -Infinity,
      0.5,
      -1.5,
      1e300,
      -1e-300,
      5e-324,
      Number.MAX_VALUE,
      Number.EPSILON,
    ];
    const roll = this.r();
    if (roll < 0.3) return this.pick(special);
    if (roll < 0.55) return this.int(2 ** 20) - 2 ** 19;
    if (roll < 0.7) return Math.floor((this.r() - 0.5) * 2 ** 54); // large, some beyond 2^53
    return (this.r() - 0.5) * 10 ** this.int(20);
  }
  bigint(): bigint {
    const special = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 62n)];
    if (this.chance(0.4)) return this.pick(special);
    const hi = BigInt(this.int(2 ** 32));
    const lo = BigInt(this.int(2 ** 32));
    return BigInt.asIntN(64, (hi << 32n) | lo);
  }
  bytes(): Uint8Array {
    const n = this.chance(0.1) ? 0 : this.int(40);
    const out = new Uint8Array(n + 4);
    for (let i = 0; i < out.length; i++) out[i] = this.int(256);
    // Views with an offset, and Buffers, are Uint8Arrays too.
    if (this.chance(0.3)) return out.subarray(2, 2 + n);
    if (this.chance(0.3)) return Buffer.from(out.subarray(0, n));
    return out.subarray(0, n);
  }
  value(depth: number): AttributeValue {
    const kinds = depth < 3 ? 8 : 6;
    switch (this.int(kinds)) {
      case 0:
        return this.str();
      case 1:
        return this.chance(0.5);
      case 2:
      case 3:
        return this.number();
      case 4:
        return this.bigint();
      case 5:
        return this.bytes();
      case 6: {
        const n = this.int(5);
        const out: AttributeValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      default:
        return this.attributes(this.int(5), depth + 1);
    }
  }
  attributes(n: number, depth = 0): Attributes {
    const out: { [key: string]: AttributeValue } = {};
    for (let i = 0; i < n; i++) out[this.key()] = this.value(depth);
    return out;
  }
  count(): number {
    const roll = this.r();
    if (roll < 0.6) return 0;
    if (roll < 0.9) return this.int(300);
    return this.pick([2 ** 32 - 1, 2 ** 31, 16384, 127, 128]);
  }
  time(): HrTime {
    const roll = this.r();
    if (roll < 0.05) return [0, 0];
    if (roll < 0.1) return [18446744073, 709551615]; // 2^64 - 1 ns exactly
    if (roll < 0.15) return [this.int(2 ** 34), 999999999];
    if (roll < 0.6) return [1.7e9 + this.int(1e8), this.int(1e9)];
    return [this.int(18446744073), this.int(1e9)];
  }
  traceState(): string {
    return this.chance(0.7) ? '' : `vendor${this.int(9)}=${this.hex(4)},rojo=00f067aa0ba902b7`;
  }
  flags(): number {
    return this.pick([0, 1, 1, 1, this.int(256)]);
  }
  event(): SpanEvent {
    return {
      name: this.str(),
      time: this.time(),
      attributes: this.attributes(this.int(4)),
      droppedAttributesCount: this.count(),
    };
  }
  link(): SpanLink {
    return {
      traceId: this.hex(16),
      spanId: this.hex(8),
      traceState: this.traceState(),
      traceFlags: this.flags(),
      isRemote: this.pick([undefined, true, false]),
      attributes: this.attributes(this.int(4)),
      droppedAttributesCount: this.count(),
    };
  }
  span(resources: readonly Resource[], scopes: readonly InstrumentationScope[]): SpanData {
    const events: SpanEvent[] = [];
    const eventCount = this.chance(0.05) ? 20 + this.int(40) : this.int(4);
    for (let i = 0; i < eventCount; i++) events.push(this.event());
    const links: SpanLink[] = [];
    const linkCount = this.chance(0.05) ? 10 + this.int(20) : this.int(3);
    for (let i = 0; i < linkCount; i++) links.push(this.link());
    return {
      resource: this.pick(resources),
      scope: this.pick(scopes),
      traceId: this.hex(16),
      spanId: this.hex(8),
      parentSpanId: this.chance(0.3) ? '' : this.hex(8),
      parentIsRemote: this.pick([undefined, true, false]),
      traceState: this.traceState(),
      traceFlags: this.flags(),
      name: this.str(),
      kind: this.int(6) as SpanKind,
      startTime: this.time(),
      endTime: this.time(),
      attributes: this.attributes(this.chance(0.05) ? 60 : this.int(10)),
      droppedAttributesCount: this.count(),
      events,
      droppedEventsCount: this.count(),
      links,
      droppedLinksCount: this.count(),
      status: { code: this.int(3) as StatusCode, message: this.chance(0.5) ? '' : this.str() },
    };
  }
  resource(): Resource {
    return { attributes: this.attributes(1 + this.int(8)), droppedAttributesCount: this.count() };
  }
  scope(): InstrumentationScope {
    return {
      name: this.str(),
      version: this.chance(0.3) ? '' : `${this.int(9)}.${this.int(20)}.0`,
      attributes: this.attributes(this.int(3)),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

describe('encodeExportTraceRequest: decode equality', () => {
  it('randomized spans (4,000 in 40 requests) decode equal with our protos and upstream ones', () => {
    const g = new Gen(20240607);
    const resources = [g.resource(), g.resource(), g.resource()];
    const scopes = [g.scope(), g.scope(), g.scope(), g.scope()];
    let total = 0;
    for (let request = 0; request < 40; request++) {
      // Mostly mixed batches, some with a single resource and scope (the common fast path).
      const uniform = request % 4 === 0;
      const rs = uniform ? [resources[request % 3]!] : resources;
      const ss = uniform ? [scopes[request % 4]!] : scopes;
      const spans: SpanData[] = [];
      for (let i = 0; i < 100; i++) spans.push(g.span(rs, ss));
      roundTrip(spans);
      total += spans.length;
    }
    assert.equal(total, 4000);
  });

  it('one large batch (1,500 spans, 3 resources x 4 scopes)', () => {
    const g = new Gen(7);
    const resources = [g.resource(), g.resource(), g.resource()];
    const scopes = [g.scope(), g.scope(), g.scope(), g.scope()];
    const spans: SpanData[] = [];
    for (let i = 0; i < 1500; i++) spans.push(g.span(resources, scopes));
    const bytes = roundTrip(spans);
    const decoded = decodeOurs(bytes);
    assert.equal(decoded.resourceSpans.length, 3);
  });

  it('an empty batch is an empty message', () => {
    const bytes = encodeExportTraceRequest([]);
    assert.equal(bytes.length, 0);
    assert.deepStrictEqual(decodeOurs(bytes).resourceSpans, []);
  });

  it('a minimal span: defaults left out, timestamps and status always present', () => {
    const resource: Resource = { attributes: {}, droppedAttributesCount: 0 };
    const scope: InstrumentationScope = { name: '', version: '', attributes: {} };
    const span = baseSpan(resource, scope, { name: '', traceFlags: 0, status: { code: 0, message: '' }, kind: 0 });
    const bytes = roundTrip([span]);
    // resource_spans{resource{}, scope_spans{scope{}, spans{ids, kind INTERNAL (OTLP 1), times, status{}}}}
    const spanBytes = 18 + 10 + 10 + 2 + 9 + 9 + 2;
    // Five field headers of two bytes: resource_spans, resource, scope_spans, scope, spans.
    assert.equal(bytes.length, 5 * 2 + spanBytes);
  });
});

function baseSpan(resource: Resource, scope: InstrumentationScope, over: Partial<SpanData> = {}): SpanData {
  return {
    resource,
    scope,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    traceState: '',
    traceFlags: 1,
    name: 'span',
    kind: 2,
    startTime: [1718000000, 123456789],
    endTime: [1718000001, 987654321],
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 1, message: '' },
    ...over,
  };
}

describe('encodeExportTraceRequest: grouping', () => {
  it('groups by resource then scope identity, first-seen order, spans keep their order', () => {
    const rA: Resource = { attributes: { 'service.name': 'a' }, droppedAttributesCount: 0 };
    const rB: Resource = { attributes: { 'service.name': 'a' }, droppedAttributesCount: 0 }; // equal, not identical
    const s1: InstrumentationScope = { name: 's1', version: '', attributes: {} };
    const s2: InstrumentationScope = { name: 's2', version: '', attributes: {} };
    const plan: [Resource, InstrumentationScope, string][] = [
      [rB, s2, 'b2-0'],
      [rA, s1, 'a1-0'],
      [rB, s1, 'b1-0'],
      [rA, s2, 'a2-0'],
      [rB, s2, 'b2-1'],
      [rA, s1, 'a1-1'],
    ];
    const spans = plan.map(([r, s, name]) => baseSpan(r, s, { name }));
    const decoded = decodeOurs(roundTrip(spans));
    const shape = decoded.resourceSpans.map((rs: Decoded) =>
      rs.scopeSpans.map((ss: Decoded) => [ss.scope.name, ss.spans.map((s: Decoded) => s.name)]),
    );
    assert.deepStrictEqual(shape, [
      [
        ['s2', ['b2-0', 'b2-1']],
        ['s1', ['b1-0']],
      ],
      [
        ['s1', ['a1-0', 'a1-1']],
        ['s2', ['a2-0']],
      ],
    ]);
  });

  it('reuses its scratch correctly across calls of different shapes and sizes', () => {
    const g = new Gen(99);
    const resources = [g.resource(), g.resource()];
    const scopes = [g.scope(), g.scope()];
    for (const n of [3, 2000, 1, 0, 700, 5]) {
      const spans: SpanData[] = [];
      for (let i = 0; i < n; i++) spans.push(g.span(n % 2 === 0 ? resources : [resources[0]!], scopes));
      roundTrip(spans);
    }
  });
});

describe('encodeExportTraceRequest: attribute values', () => {
  const resource: Resource = { attributes: {}, droppedAttributesCount: 0 };
  const scope: InstrumentationScope = { name: 'test', version: '1', attributes: { 'scope.attr': [1, 'x'] } };

  function valueOf(v: AttributeValue | null | undefined): Decoded {
    const span = baseSpan(resource, scope, { attributes: { v: v as AttributeValue } });
    const decoded = decodeOurs(encodeExportTraceRequest([span]));
    return decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value;
  }

  it('integers: safe integers as int64, negatives included', () => {
    for (const v of [0, 1, -1, 300, -300, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1)]) {
      const got = valueOf(v);
      assert.equal(got.value, 'intValue', String(v));
      assert.equal(got.intValue, String(v));
    }
  });

  it('doubles: fractions, -0, NaN, infinities, and integers beyond 2^53', () => {
    for (const v of [0.5, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 70, 5e-324]) {
      const got = valueOf(v);
      assert.equal(got.value, 'doubleValue', String(v));
      assert.ok(Object.is(got.doubleValue, v), `${v} came back as ${got.doubleValue}`);
    }
  });

  it('bigint: int64, reduced modulo 2^64 beyond its range', () => {
    const cases: [bigint, string][] = [
      [0n, '0'],
      [-(2n ** 63n), '-9223372036854775808'],
      [2n ** 63n - 1n, '9223372036854775807'],
      [2n ** 63n, '-9223372036854775808'],
      [2n ** 64n + 5n, '5'],
    ];
    for (const [v, want] of cases) {
      const got = valueOf(v);
      assert.equal(got.value, 'intValue');
      assert.equal(got.intValue, want);
    }
  });

  it('empty string, false and empty bytes are still set (oneof presence)', () => {
    assert.equal(valueOf('').value, 'stringValue');
    assert.equal(valueOf(false).value, 'boolValue');
    assert.equal(valueOf(new Uint8Array(0)).value, 'bytesValue');
    assert.equal(valueOf([]).value, 'arrayValue');
    assert.equal(valueOf({}).value, 'kvlistValue');
  });

  it('null is an empty AnyValue; an undefined value drops its key', () => {
    assert.equal(valueOf(null).value, undefined);
    const span = baseSpan(resource, scope, {
      attributes: { a: 1, gone: undefined as unknown as AttributeValue, b: [undefined as unknown as AttributeValue] },
    });
    roundTrip([span]);
    const attrs = decodeOurs(encodeExportTraceRequest([span])).resourceSpans[0].scopeSpans[0].spans[0].attributes;
    assert.deepStrictEqual(
      attrs.map((kv: Decoded) => kv.key),
      ['a', 'b'],
    );
    assert.equal(attrs[1].value.arrayValue.values[0].value, undefined);
  });

  it('lone surrogates are sent as U+FFFD', () => {
    const span = baseSpan(resource, scope, { name: 'a\ud800b\udc00', attributes: { ['k\udfff']: 'v\ud83d' } });
    const s = decodeOurs(encodeExportTraceRequest([span])).resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(s.name, 'a\ufffdb\ufffd');
    assert.equal(s.attributes[0].key, 'k\ufffd');
    assert.equal(s.attributes[0].value.stringValue, 'v\ufffd');
  });

  it('deep nesting is cut off at MAX_NESTING and cycles terminate', () => {
    let deep: AttributeValue = 'leaf';
    for (let i = 0; i < MAX_NESTING + 5; i++) deep = i % 2 === 0 ? [deep] : { n: deep };
    roundTrip([baseSpan(resource, scope, { attributes: { deep } })]);
    const cyclic: { [k: string]: AttributeValue } = { a: 1 };
    (cyclic as { self?: AttributeValue }).self = cyclic;
    const list: AttributeValue[] = [];
    list.push(list);
    roundTrip([baseSpan(resource, scope, { attributes: { cyclic, list } })]);
  });

  it('long and multi-byte strings, keys and values', () => {
    const long = 'x'.repeat(20000);
    const mixed = 'é中😀'.repeat(3000);
    roundTrip([baseSpan(resource, scope, { name: mixed, attributes: { [long]: mixed, [mixed]: long } })]);
  });
});

describe('encodeExportTraceRequest: repeated string values', () => {
  const resource: Resource = { attributes: { 'service.name': 'svc' }, droppedAttributesCount: 0 };
  const scope: InstrumentationScope = { name: 'test', version: '1', attributes: {} };

  it('values that repeat, values that never do and values too long to keep decode equal over many requests', () => {
    const methods = ['GET', 'POST', '', 'DELETÉ', 'päth/中/😀'];
    const long = 'L'.repeat(200);
    let unique = 0;
    for (let request = 0; request < 12; request++) {
      const spans: SpanData[] = [];
      for (let i = 0; i < 300; i++) {
        const n = request * 300 + i;
        spans.push(
          baseSpan(resource, scope, {
            attributes: {
              'http.request.method': methods[n % methods.length]!,
              'request.id': `id-${unique++}`,
              'long.value': n % 3 === 0 ? long : `${long}${n % 2}`,
              // The same string under another key, and a string inside a nested value.
              'method.copy': methods[(n + 1) % methods.length]!,
              nested: { method: methods[n % methods.length]!, n },
              // Many keys, each with too few lookups to be judged: their distinct values fill the cache.
              [`spread.${n % 50}`]: `u-${n}`,
            },
            events: [
              {
                name: 'e',
                time: [1718000000, 5],
                attributes: { 'event.kind': methods[n % 2]! },
                droppedAttributesCount: 0,
              },
            ],
          }),
        );
      }
      roundTrip(spans);
    }
  });

  it('a value seen under a key with a lone surrogate is sent as U+FFFD every time', () => {
    for (let i = 0; i < 3; i++) {
      const span = baseSpan(resource, scope, { attributes: { k: 'x\udc00y' } });
      const s = decodeOurs(encodeExportTraceRequest([span])).resourceSpans[0].scopeSpans[0].spans[0];
      assert.equal(s.attributes[0].value.stringValue, 'x\ufffdy');
    }
  });
});

describe('encodeExportTraceRequest: a lent output Buffer', () => {
  it('writes into the scratch when the request fits, grows it when not, and gives the same bytes', () => {
    const g = new Gen(7);
    const resources = [g.resource()];
    const scopes = [g.scope()];
    const scratch: EncodeScratch = { buffer: undefined };
    let previous: Buffer | undefined;
    for (const n of [50, 10, 400, 400, 1, 0]) {
      const spans: SpanData[] = [];
      for (let i = 0; i < n; i++) spans.push(g.span(resources, scopes));
      const fresh = Buffer.from(encodeExportTraceRequest(spans));
      const lent = encodeExportTraceRequest(spans, scratch);
      assert.deepStrictEqual(lent, fresh);
      if (n > 0) {
        assert.equal(lent.buffer, scratch.buffer!.buffer, 'a view of the scratch');
        assert.ok(scratch.buffer!.length >= lent.length);
      }
      if (previous !== undefined && n > 0 && n <= 50)
        assert.equal(scratch.buffer, previous, 'no growth for a smaller request');
      previous = scratch.buffer;
      roundTrip(spans);
    }
  });
});

describe('SpanArena: spans encoded as they end', () => {
  it('gives the same request bytes as encoding the span objects, across clears, shapes and sizes', () => {
    const g = new Gen(11);
    const resources = [g.resource(), g.resource()];
    const scopes = [g.scope(), g.scope(), g.scope()];
    const arena = new SpanArena();
    const scratch: EncodeScratch = { buffer: undefined };
    for (const n of [5, 700, 1, 0, 300, 64, 65]) {
      arena.clear();
      const spans: SpanData[] = [];
      for (let i = 0; i < n; i++) {
        const span = g.span(n % 2 === 0 ? resources : [resources[0]!], n % 3 === 0 ? scopes : [scopes[1]!]);
        spans.push(span);
        arena.add(span);
      }
      assert.equal(arena.length, n);
      const expected = Buffer.from(encodeExportTraceRequest(spans));
      assert.deepStrictEqual(arena.encodeRequest(), expected);
      assert.deepStrictEqual(arena.encodeRequest(scratch), expected);
      roundTrip(spans);
    }
  });
});

describe('SpanArena: one-pass encoding', () => {
  const resource: Resource = { attributes: { 'service.name': 'svc' }, droppedAttributesCount: 0 };
  const scope: InstrumentationScope = { name: 'lib', version: '1.0.0', attributes: {} };
  const span = (attributes: Record<string, unknown>, extra: Partial<SpanData> = {}): SpanData =>
    ({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      traceState: '',
      traceFlags: 1,
      name: 'GET /x',
      kind: 2,
      startTime: [1700000000, 5],
      endTime: [1700000001, 7],
      attributes,
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 1, message: '' },
      resource,
      scope,
      ...extra,
    }) as SpanData;

  it('writes what the two passes write: prefixes of every width, big spans, repeated pairs, any time', () => {
    const shapes: Record<string, unknown>[] = [
      { a: 'GET', b: 1, c: 1.5, d: true, e: -3, f: 2 ** 40, g: -0, h: NaN, i: 10n, j: new Uint8Array([1, 2]) },
      { u: 'héllo wörld ✓ 😀', ключ: 'значение', long: 'y'.repeat(200), mid: 'z'.repeat(127), edge: 'q'.repeat(128) },
      {
        arr: ['a', 'b', 'ü'],
        nested: { k: 'v', deep: { x: [1, 2, 3], y: 'é'.repeat(100) } },
        n: null,
        empty: '',
        '': 'no key',
      },
      { big: 'x'.repeat(20_000) },
      { list: Array.from({ length: 300 }, (_, i) => `item${i}`) },
      { lone: '\ud800abc', lone2: 'abc\udc00' },
    ];
    const spans: SpanData[] = [];
    for (let round = 0; round < 3; round++) {
      for (const attributes of shapes) {
        spans.push(span(attributes));
        spans.push(
          span(attributes, {
            traceState: 'a=b,c=d',
            name: 'ñ'.repeat(70),
            kind: 0,
            droppedAttributesCount: 5,
            events: [{ name: 'ev', time: [1, 2], attributes: attributes as Attributes, droppedAttributesCount: 3 }],
            droppedEventsCount: 2,
            links: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                traceState: 'k=v',
                traceFlags: 1,
                attributes: attributes as Attributes,
                droppedAttributesCount: 1,
              },
            ],
            droppedLinksCount: 300,
            status: { code: 2, message: 'bad ✗' },
          }),
        );
      }
    }
    const times: HrTime[] = [
      [0, 0],
      [0, 999999999],
      [4294967295, 999999999],
      [4294967296, 0],
      [18446744073, 709551615],
      [18446744074, 0],
    ];
    for (let i = 0; i < 3000; i++) {
      const time: HrTime = i < times.length ? times[i]! : [(i * 2654435761) % 4294967296, (i * 40503) % 1e9];
      spans.push(
        span(
          {
            'http.method': i % 500 < 400 ? 'GET' : 'POST',
            'url.path': `/v1/${i % 7}`,
            id: `id${i}`,
            n: i,
            ok: i % 2 === 0,
          },
          { startTime: time, endTime: time },
        ),
      );
    }
    const arena = new SpanArena();
    for (const s of spans) arena.add(s);
    assert.deepStrictEqual(arena.encodeRequest(), Buffer.from(encodeExportTraceRequest(spans)));
  });
});

describe('encodeExportTraceRequest: span fields', () => {
  const resource: Resource = { attributes: { 'service.name': 'svc' }, droppedAttributesCount: 3 };
  const scope: InstrumentationScope = { name: 'lib', version: '2.0.0', attributes: {} };

  it('flags: the W3C trace flags in bits 0-7, remoteness in bits 8-9 when known', () => {
    const link = (isRemote: boolean | undefined): SpanLink => ({
      traceId: 'ffffffffffffffffffffffffffffffff',
      spanId: '0000000000000001',
      traceState: 'a=b',
      traceFlags: 0x301,
      ...(isRemote === undefined ? {} : { isRemote }),
      attributes: {},
      droppedAttributesCount: 0,
    });
    const cases: [boolean | undefined, number][] = [
      [undefined, 0],
      [false, 0x100],
      [true, 0x300],
    ];
    for (const [isRemote, bits] of cases) {
      const span = baseSpan(resource, scope, {
        traceFlags: 0x1ff,
        links: [link(isRemote)],
        ...(isRemote === undefined ? {} : { parentIsRemote: isRemote }),
      });
      const s = decodeOurs(roundTrip([span])).resourceSpans[0].scopeSpans[0].spans[0];
      assert.equal(s.flags, 0xff | bits);
      assert.equal(s.links[0].flags, 0x01 | bits);
    }
  });

  it('kinds: the api numbering on the wire as OTLP numbers it', () => {
    const wire = [0, 1, 2, 3, 4].map((kind) => {
      const span = baseSpan(resource, scope, { kind: kind as SpanData['kind'] });
      return decodeOurs(roundTrip([span])).resourceSpans[0].scopeSpans[0].spans[0].kind;
    });
    // INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER in trace.proto's Span.SpanKind.
    assert.deepEqual(wire, [1, 2, 3, 4, 5]);
  });

  it('schema URLs of the resource and the scope', () => {
    const r: Resource = { ...resource, schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' };
    const sc: InstrumentationScope = { ...scope, schemaUrl: 'https://example.com/schemas/ü' };
    const rs = decodeOurs(roundTrip([baseSpan(r, sc)])).resourceSpans[0];
    assert.equal(rs.schemaUrl, 'https://opentelemetry.io/schemas/1.24.0');
    assert.equal(rs.scopeSpans[0].schemaUrl, 'https://example.com/schemas/ü');
  });

  it('ids are written as raw bytes; uppercase hex is accepted', () => {
    const span = baseSpan(resource, scope, {
      traceId: '0AF7651916CD43DD8448EB211C80319C',
      spanId: 'B7AD6B7169203331',
    });
    const s = decodeOurs(encodeExportTraceRequest([span])).resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(s.traceId.toString('hex'), '0af7651916cd43dd8448eb211c80319c');
    assert.equal(s.spanId.toString('hex'), 'b7ad6b7169203331');
    assert.equal(s.parentSpanId.toString('hex'), '00f067aa0ba902b7');
  });

  it('a root span has no parent_span_id', () => {
    const bytes = encodeExportTraceRequest([baseSpan(resource, scope, { parentSpanId: '' })]);
    const s = decodeOurs(bytes).resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(s.parentSpanId.length, 0);
    // The span id field (key 0x12) is followed directly by the name (key 0x2a), not by a
    // parent_span_id field (key 0x22).
    const spanId = Buffer.from(bytes).indexOf(Buffer.from('1208b7ad6b7169203331', 'hex'));
    assert.ok(spanId > 0);
    assert.equal(bytes[spanId + 10], 0x2a);
  });

  it('timestamps are exact 64-bit nanoseconds', () => {
    const times: HrTime[] = [
      [0, 0],
      [0, 1],
      [1, 0],
      [4, 294967296], // 2^32 ns
      [9007199, 254740993], // 2^53 + 1 ns
      [1718000000, 999999999],
      [18446744073, 709551615], // 2^64 - 1 ns
    ];
    for (const t of times) {
      const span = baseSpan(resource, scope, {
        startTime: t,
        endTime: t,
        events: [{ name: 'e', time: t, attributes: {}, droppedAttributesCount: 0 }],
      });
      const s = decodeOurs(roundTrip([span])).resourceSpans[0].scopeSpans[0].spans[0];
      assert.equal(s.startTimeUnixNano, nanosOf(t));
    }
  });

  it('every event and link field, and dropped counts', () => {
    const g = new Gen(3);
    const events: SpanEvent[] = [];
    for (let i = 0; i < 200; i++) events.push(g.event());
    const links: SpanLink[] = [];
    for (let i = 0; i < 128; i++) links.push(g.link());
    roundTrip([
      baseSpan(resource, scope, {
        events,
        links,
        droppedAttributesCount: 7,
        droppedEventsCount: 2 ** 32 - 1,
        droppedLinksCount: 128,
        status: { code: 2, message: 'boom: ünïcødé' },
        traceState: 'congo=t61rcWkgMzE',
      }),
    ]);
  });
});

describe('encodeExportTraceRequest: against OpenTelemetry JS', () => {
  it('the T1 batch decodes like ProtobufTraceSerializer output, remote bits of flags included', async () => {
    const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
    const { buildT1, otelSpans, zerotelSpans } = await import('../../bench/cases/otlp-encode.js');
    const t1 = buildT1();
    const ours = decodeOurs(encodeExportTraceRequest(zerotelSpans(t1)));
    const theirs = decodeOurs(Buffer.from(ProtobufTraceSerializer.serializeRequest(await otelSpans(t1))!));
    // Both know the parent is local: SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE is set, IS_REMOTE is not.
    for (const span of theirs.resourceSpans[0].scopeSpans[0].spans) assert.equal(span.flags, 0x101);
    assert.equal(ours.resourceSpans[0].scopeSpans[0].spans.length, 512);
    assert.deepStrictEqual(ours, theirs);
  });
});

describe('splitNanos', () => {
  function viaBigint(seconds: number, nanos: number): bigint {
    const v = BigInt(seconds) * 1000000000n + BigInt(nanos);
    if (v < 0n) return 0n;
    return v >= 1n << 64n ? (1n << 64n) - 1n : v;
  }
  function words(): bigint {
    return (BigInt(nanosWords[1]!) << 32n) | BigInt(nanosWords[0]!);
  }

  it('matches bigint arithmetic on random and boundary times', () => {
    const r = rng(1);
    const cases: [number, number][] = [
      [0, 0],
      [0, 999999999],
      [4, 294967295],
      [4, 294967296],
      [65535, 999999999],
      [65536, 0],
      [2 ** 32 - 1, 999999999],
      [2 ** 32, 0],
      [18446744073, 709551615],
      [18446744073, 709551616], // one past 2^64 - 1: clamped
      [2 ** 40, 0], // far beyond: clamped
      [0, -1], // before the epoch: 0
      [5, -1],
    ];
    for (let i = 0; i < 20000; i++) cases.push([Math.floor(r() * 18446744073), Math.floor(r() * 1e9)]);
    for (const [s, n] of cases) {
      splitNanos(s, n);
      assert.equal(words(), viaBigint(s, n), `[${s}, ${n}]`);
    }
  });

  it('NaN gives 0', () => {
    splitNanos(NaN, 0);
    assert.equal(words(), 0n);
  });
});
