import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import {
  ProtoWriter,
  SizeTable,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
  bigintVarintSize,
  encodeWith,
  lenPrefixedSize,
  stringFieldSize,
  tag,
  tagSize,
  utf8Length,
  varint64Size,
  varintSize,
  zigzag32,
  zigzag64,
} from '../../lib/protobuf/writer.js';
import { mulberry32 as rng } from '../../bench/workloads.js';

/** Independent reference: the varint of a value taken modulo 2^64, built with bigint arithmetic. */
function referenceVarint(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  for (;;) {
    const low = Number(u & 0x7fn);
    u >>= 7n;
    if (u === 0n) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

function hex(bytes: Uint8Array | number[]): string {
  return Buffer.from(bytes).toString('hex');
}

const P = (e: number) => 2 ** e;

const UNSIGNED: number[] = [
  0,
  1,
  127,
  128,
  255,
  300,
  16383,
  16384,
  P(21) - 1,
  P(21),
  P(28) - 1,
  P(28),
  P(31) - 1,
  P(31),
  P(32) - 1,
  P(32),
  P(35) - 1,
  P(35),
  P(42) - 1,
  P(42),
  P(49) - 1,
  P(49),
  P(53) - 1,
  P(53),
  P(53) + 2,
  P(56),
  P(63) - 1024,
  P(63),
  P(64) - 2048,
];
const NEGATIVE: number[] = [-1, -2, -127, -128, -(P(31) - 1), -P(31), -P(32), -(P(53) - 1), -P(53), -P(63)];

describe('varint of numbers', () => {
  for (const v of [...UNSIGNED, ...NEGATIVE]) {
    it(`encodes ${v}`, () => {
      const expected = referenceVarint(BigInt(v));
      assert.equal(varintSize(v), expected.length, 'size');
      const out = encodeWith(varintSize(v), (w) => w.varint(v));
      assert.equal(hex(out), hex(expected));
    });
  }

  it('writes negative int32/int64 values as 10 bytes', () => {
    assert.equal(hex(encodeWith(10, (w) => w.varint(-1))), 'ffffffffffffffffff01');
    assert.equal(hex(encodeWith(10, (w) => w.varint(-P(63)))), '80808080808080808001');
    for (const v of NEGATIVE) assert.equal(varintSize(v), 10);
  });

  it('decodes back through protobufjs as uint64 / int64', () => {
    for (const v of UNSIGNED) {
      const buf = encodeWith(varintSize(v), (w) => w.varint(v));
      assert.equal(protobuf.Reader.create(buf).uint64().toString(), BigInt(v).toString());
    }
    for (const v of NEGATIVE) {
      const buf = encodeWith(varintSize(v), (w) => w.varint(v));
      assert.equal(protobuf.Reader.create(buf).int64().toString(), BigInt(v).toString());
    }
  });

  it('matches the reference for random integers of every magnitude', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const magnitude = Math.floor(r() * 64);
      let v = Math.floor(r() * P(magnitude));
      if (r() < 0.3) v = -v;
      if (v < -P(63)) v = -P(63);
      const expected = referenceVarint(BigInt(v));
      assert.equal(varintSize(v), expected.length, `size of ${v}`);
      assert.equal(hex(encodeWith(expected.length, (w) => w.varint(v))), hex(expected), `bytes of ${v}`);
    }
  });
});

describe('64-bit varints from halves and bigints', () => {
  const cases: bigint[] = [
    0n,
    1n,
    127n,
    128n,
    2n ** 31n - 1n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 53n - 1n,
    2n ** 53n + 1n,
    2n ** 56n - 1n,
    2n ** 56n,
    2n ** 63n - 1n,
    2n ** 63n,
    2n ** 64n - 1n,
  ];
  for (const v of cases) {
    it(`encodes ${v} as (lo, hi) and as bigint`, () => {
      const expected = referenceVarint(v);
      const lo = Number(v & 0xffffffffn);
      const hi = Number(v >> 32n);
      assert.equal(varint64Size(lo, hi), expected.length);
      assert.equal(bigintVarintSize(v), expected.length);
      assert.equal(hex(encodeWith(expected.length, (w) => w.varint64(lo, hi))), hex(expected));
      assert.equal(hex(encodeWith(expected.length, (w) => w.varintBig(v))), hex(expected));
      const decoded = protobuf.Reader.create(encodeWith(expected.length, (w) => w.varintBig(v))).uint64();
      assert.equal(decoded.toString(), v.toString());
    });
  }

  it('encodes 2^64 - 1 as nine 0xff bytes then 0x01', () => {
    assert.equal(hex(encodeWith(10, (w) => w.varintBig(2n ** 64n - 1n))), 'ffffffffffffffffff01');
    assert.equal(hex(encodeWith(10, (w) => w.varint64(0xffffffff, 0xffffffff))), 'ffffffffffffffffff01');
  });

  it("takes negative bigints as two's complement", () => {
    for (const v of [-1n, -2n, -(2n ** 31n), -(2n ** 63n)]) {
      assert.equal(bigintVarintSize(v), 10);
      const buf = encodeWith(10, (w) => w.varintBig(v));
      assert.equal(hex(buf), hex(referenceVarint(v)));
      assert.equal(protobuf.Reader.create(buf).int64().toString(), v.toString());
    }
  });
});

describe('tags and zigzag', () => {
  it('builds keys', () => {
    assert.equal(tag(1, WIRE_LEN), 0x0a);
    assert.equal(tag(1, WIRE_FIXED64), 0x09);
    assert.equal(tag(3, WIRE_VARINT), 0x18);
    assert.equal(tag(2, WIRE_FIXED32), 0x15);
    assert.equal(tag(16, WIRE_LEN), 0x82);
    assert.equal(tagSize(15), 1);
    assert.equal(tagSize(16), 2);
    assert.equal(tagSize(2047), 2);
    assert.equal(tagSize(2048), 3);
    assert.equal(tagSize(2 ** 29 - 1), 5);
    assert.equal(hex(encodeWith(2, (w) => w.tag(16, WIRE_LEN))), '8201');
    assert.equal(hex(encodeWith(5, (w) => w.tag(2 ** 29 - 1, WIRE_FIXED32))), 'fdffffff0f');
  });

  it('zigzags', () => {
    assert.deepEqual([0, -1, 1, -2, 2147483647, -2147483648].map(zigzag32), [0, 1, 2, 3, 4294967294, 4294967295]);
    assert.deepEqual([0, -1, 1, -2, 2 ** 40, -(2 ** 40)].map(zigzag64), [0, 1, 2, 3, 2 ** 41, 2 ** 41 - 1]);
    for (const v of [-5, 5, -(2 ** 31), 2 ** 31 - 1]) {
      const buf = encodeWith(varintSize(zigzag32(v)), (w) => w.varint(zigzag32(v)));
      assert.equal(protobuf.Reader.create(buf).sint32(), v);
    }
    for (const v of [-5, 5, -(2 ** 45), 2 ** 45]) {
      const buf = encodeWith(varintSize(zigzag64(v)), (w) => w.varint(zigzag64(v)));
      assert.equal(protobuf.Reader.create(buf).sint64().toString(), String(v));
    }
  });
});

describe('fixed-width values', () => {
  const doubles = [
    0,
    -0,
    1,
    -1,
    0.1,
    1 / 3,
    11.25,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Infinity,
    -Infinity,
    NaN,
    2 ** 53,
    1e21,
    -3.75,
  ];
  it('writes doubles little-endian with their exact bits', () => {
    for (const v of doubles) {
      const expected = Buffer.alloc(8);
      expected.writeDoubleLE(v);
      const out = encodeWith(8, (w) => w.double(v));
      assert.equal(hex(out), hex(expected), String(v));
      assert.ok(Object.is(Buffer.from(out).readDoubleLE(0), v), String(v));
    }
    assert.equal(hex(encodeWith(8, (w) => w.double(-0))), '0000000000000080');
    assert.equal(hex(encodeWith(8, (w) => w.double(5e-324))), '0100000000000000');
    assert.equal(hex(encodeWith(8, (w) => w.double(Infinity))), '000000000000f07f');
  });

  it('writes floats little-endian', () => {
    for (const v of [0, -0, 1, 0.1, -2.5, Infinity, 3.4028234663852886e38]) {
      const expected = Buffer.alloc(4);
      expected.writeFloatLE(v);
      assert.equal(hex(encodeWith(4, (w) => w.float(v))), hex(expected), String(v));
    }
  });

  it('writes fixed32 and fixed64 little-endian', () => {
    assert.equal(hex(encodeWith(4, (w) => w.fixed32(0x12345678))), '78563412');
    assert.equal(hex(encodeWith(4, (w) => w.fixed32(-1))), 'ffffffff');
    assert.equal(hex(encodeWith(4, (w) => w.fixed32(0xffffffff))), 'ffffffff');
    assert.equal(hex(encodeWith(8, (w) => w.fixed64(1, 0x7ff80000))), '010000000000f87f');
    const buf = encodeWith(8, (w) => w.fixed64(0x89abcdef, 0x01234567));
    assert.equal(Buffer.from(buf).readBigUInt64LE(0), 0x0123456789abcdefn);
    assert.equal(protobuf.Reader.create(buf).fixed64().toString(), 0x0123456789abcdefn.toString());
  });
});

/** A random string mixing ASCII, 2- and 3-byte characters, astral pairs and lone surrogates. */
function randomString(r: () => number, maxLength: number): string {
  const n = Math.floor(r() * maxLength);
  let s = '';
  for (let i = 0; i < n; i++) {
    const kind = r();
    if (kind < 0.4) s += String.fromCharCode(Math.floor(r() * 0x80));
    else if (kind < 0.55) s += String.fromCharCode(0x80 + Math.floor(r() * 0x780));
    else if (kind < 0.7) s += String.fromCharCode(0x800 + Math.floor(r() * (0xd800 - 0x800)));
    else if (kind < 0.75) s += String.fromCharCode(0xe000 + Math.floor(r() * 0x2000));
    else if (kind < 0.88) s += String.fromCodePoint(0x10000 + Math.floor(r() * 0x100000));
    else s += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // lone high or low surrogate
  }
  return s;
}

const EDGE_STRINGS = [
  '',
  'a',
  '\u007f',
  '\u0080',
  '\u07ff',
  '\u0800',
  '\uffff',
  '\ud7ff',
  '\ue000',
  '\u{10000}',
  '\u{10ffff}',
  '\ud800',
  '\udc00',
  '\udbff\udfff',
  '\ud800\ud800\udc00',
  '\udc00\ud800',
  'a\udbff',
  '\udfffz',
  'x\ud83d\ude00y',
  'é'.repeat(100),
  'ascii only but longer than the short-string threshold of the writer',
];

describe('utf8Length and string writes', () => {
  it('agrees with Buffer.byteLength on edge cases', () => {
    for (const s of EDGE_STRINGS) assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
  });

  it('counts a lone surrogate as U+FFFD (3 bytes)', () => {
    assert.equal(utf8Length('\ud800'), 3);
    assert.equal(utf8Length('\udc00'), 3);
    assert.equal(utf8Length('\ud800\ud800\udc00'), 7);
  });

  it('agrees with Buffer.byteLength on random strings', () => {
    const r = rng(42);
    for (let i = 0; i < 5000; i++) {
      const s = randomString(r, 40);
      assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
    }
  });

  it('writes the same bytes as Buffer.from, lone surrogates as EF BF BD', () => {
    const r = rng(99);
    const strings = [...EDGE_STRINGS];
    for (let i = 0; i < 2000; i++) strings.push(randomString(r, i % 2 === 0 ? 20 : 120));
    for (const s of strings) {
      const length = utf8Length(s);
      const out = encodeWith(lenPrefixedSize(length), (w) => w.string(s, length));
      const expected = Buffer.concat([Buffer.from(referenceVarint(BigInt(length))), Buffer.from(s, 'utf8')]);
      assert.equal(hex(out), hex(expected), JSON.stringify(s));
    }
    assert.equal(hex(encodeWith(4, (w) => w.string('\ud800', 3))), '03efbfbd');
  });

  it('sizes whole string fields', () => {
    assert.equal(stringFieldSize(1, 0), 2);
    assert.equal(stringFieldSize(16, 200), 2 + 2 + 200);
    const out = encodeWith(stringFieldSize(2, 3), (w) => {
      w.tag(2, WIRE_LEN);
      w.string('abc', 3);
    });
    assert.equal(hex(out), '1203616263');
  });
});

describe('bytes, raw copies and the writer contract', () => {
  it('writes bytes with a length prefix and raw copies without', () => {
    const small = Uint8Array.from([1, 2, 3]);
    const large = Uint8Array.from({ length: 200 }, (_, i) => i);
    const out = encodeWith(lenPrefixedSize(3) + lenPrefixedSize(200) + 3, (w) => {
      w.bytes(small);
      w.bytes(large);
      w.raw(small);
    });
    assert.equal(hex(out), '03010203' + 'c801' + hex(large) + '010203');
  });

  it('refuses to finish when the write pass differs from the size pass', () => {
    assert.throws(() => encodeWith(3, (w) => w.varint(1)), /announced 3 bytes, write pass produced 1/);
    const w = new ProtoWriter(2);
    w.byte(1);
    w.byte(2);
    assert.equal(hex(w.finish()), '0102');
  });

  it('keeps sizes in reservation order and grows on demand', () => {
    const table = new SizeTable();
    for (let round = 0; round < 2; round++) {
      table.reset();
      const slots: number[] = [];
      for (let i = 0; i < 1000; i++) slots.push(table.reserve());
      for (let i = 999; i >= 0; i--) table.set(slots[i]!, i * 3 + round);
      table.push(4000000000);
      for (let i = 0; i < 1000; i++) assert.equal(table.next(), i * 3 + round);
      assert.equal(table.next(), 4000000000);
    }
  });

  it('builds a nested message with a size pass then one write pass', () => {
    // message Inner { string s = 1; double d = 2; }  message Outer { uint64 n = 1; Inner inner = 2; }
    const s = 'héllo';
    const sLength = utf8Length(s);
    const inner = stringFieldSize(1, sLength) + 1 + 8;
    const outer = 1 + varintSize(P(40)) + 1 + lenPrefixedSize(inner);
    const out = encodeWith(outer, (w) => {
      w.byte(tag(1, WIRE_VARINT));
      w.varint(P(40));
      w.byte(tag(2, WIRE_LEN));
      w.varint(inner);
      w.byte(tag(1, WIRE_LEN));
      w.string(s, sLength);
      w.byte(tag(2, WIRE_FIXED64));
      w.double(2.5);
    });
    const root = protobuf.parse(
      'syntax = "proto2"; message Inner { optional string s = 1; optional double d = 2; }' +
        ' message Outer { optional uint64 n = 1; optional Inner inner = 2; }',
      { keepCase: true },
    ).root;
    const Outer = root.lookupType('Outer');
    const decoded = Outer.toObject(Outer.decode(out), { longs: String });
    assert.deepEqual(decoded, { n: String(P(40)), inner: { s, d: 2.5 } });
  });
});
