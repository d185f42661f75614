/**
 * A small protobuf wire-format writer, shared by every encoder in the package.
 *
 * Encoders work in two passes over their input:
 *  1. a size pass, using the `*Size` functions below, that computes the exact byte length of
 *     every nested message (recording them in a {@link SizeTable}, in the order they will be
 *     written) and the total length;
 *  2. a write pass into one {@link ProtoWriter} of exactly that total length, reading the
 *     recorded lengths back in the same order for the length prefixes.
 *
 * Nothing here allocates per field: the only allocation of an encode is the output bytes
 * (plus the SizeTable growing, which happens once and is then reused), and that one is avoided
 * when the caller lends a buffer to write into.
 *
 * Runtime-neutral: only Uint8Array and TextEncoder, so it runs on Node, Bun, Deno and workerd alike.
 *
 * Numbers: 64-bit integers are accepted either as a JS number (exact for every integer a
 * double can hold, including those beyond 2^53), as a (lo, hi) pair of unsigned 32-bit
 * halves, or as a bigint (convenient, but allocates; keep it off hot paths).
 */

/** Wire type of varint-encoded fields (int32, int64, uint32, uint64, sint*, bool, enum). */
export const WIRE_VARINT = 0;
/** Wire type of 8-byte little-endian fields (fixed64, sfixed64, double). */
export const WIRE_FIXED64 = 1;
/** Wire type of length-prefixed fields (string, bytes, embedded messages, packed repeated). */
export const WIRE_LEN = 2;
/** Wire type of 4-byte little-endian fields (fixed32, sfixed32, float). */
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;

/** The key (tag) of a field as an unsigned number: `field << 3 | wireType` (field < 2^29). */
export function tag(field: number, wireType: number): number {
  return ((field << 3) | wireType) >>> 0;
}

/** Bytes taken by the key of `field` (any wire type). */
export function tagSize(field: number): number {
  return varintSize((field << 3) >>> 0);
}

/**
 * Bytes taken by the varint of an integer number: for 0 <= v < 2^64 the unsigned encoding,
 * for v < 0 the 10-byte two's-complement encoding that int32/int64 use.
 */
export function varintSize(v: number): number {
  if (v < 0) return 10;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 34359738368) return 5; // 2^35
  if (v < 4398046511104) return 6; // 2^42
  if (v < 562949953421312) return 7; // 2^49
  if (v < 72057594037927936) return 8; // 2^56
  if (v < TWO_63) return 9;
  return 10;
}

/** Bytes taken by the varint of the unsigned 64-bit value `hi * 2^32 + lo` (both uint32). */
export function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varintSize(lo >>> 0);
  const bits = 64 - Math.clz32(hi);
  return ((bits + 6) / 7) | 0;
}

/** Bytes taken by the varint of a bigint, taken modulo 2^64 (so negative values take 10). */
export function bigintVarintSize(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return varint64Size(Number(u & 0xffffffffn), Number(u >> 32n));
}

/** The zigzag (sint32) mapping of a 32-bit signed integer, as an unsigned number. */
export function zigzag32(v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

/** The zigzag (sint64) mapping of a safe integer (|v| < 2^52 stays exact) as a number. */
export function zigzag64(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/**
 * Bytes the UTF-8 encoding of `s` takes, without encoding it. A lone surrogate counts as
 * U+FFFD (3 bytes), matching what TextEncoder (and so ProtoWriter.string) writes for it.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      len += 1;
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        // A valid pair: two UTF-16 units become four bytes.
        len += 2;
        i++;
        continue;
      }
    }
    // Rest of the BMP, and lone surrogates (written as U+FFFD): three bytes for one unit.
    len += 2;
  }
  return len;
}

/** Bytes taken by a length-delimited field body of `length` bytes, including its length prefix. */
export function lenPrefixedSize(length: number): number {
  return varintSize(length) + length;
}

/** Bytes taken by a whole string field (key, length, UTF-8 bytes) whose UTF-8 length is known. */
export function stringFieldSize(field: number, byteLength: number): number {
  return tagSize(field) + varintSize(byteLength) + byteLength;
}

/**
 * Lengths computed in a size pass, read back in the same order by the write pass.
 * Reserve a slot before sizing a nested message, fill it once its children are sized.
 * Reused across encodes: `reset()` keeps the storage.
 */
export class SizeTable {
  private data = new Uint32Array(256);
  private length = 0;
  private cursor = 0;

  /** Forgets all recorded lengths, keeping the storage. */
  reset(): void {
    this.length = 0;
    this.cursor = 0;
  }

  /** Appends an empty slot and returns its index. */
  reserve(): number {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    return this.length++;
  }

  /** Stores `value` (0 <= value < 2^32) in the slot `index`. */
  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Appends `value` as a new slot. */
  push(value: number): void {
    this.set(this.reserve(), value);
  }

  /** Returns the next recorded length of the write pass (slots in reservation order). */
  next(): number {
    return this.data[this.cursor++]!;
  }
}

// Scratch for reinterpreting doubles and floats without allocating.
const f64 = new Float64Array(1);
const f64bytes = new Uint8Array(f64.buffer);
const f32 = new Float32Array(1);
const f32bytes = new Uint8Array(f32.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Below this many characters, ASCII strings are copied by a JS loop instead of TextEncoder.encodeInto. */
const SHORT_STRING = 48;

const encoder = new TextEncoder();

/** The default allocator: plain bytes, available on every runtime. */
function newBytes(size: number): Uint8Array {
  return new Uint8Array(size);
}

/**
 * Writes protobuf wire data into one byte array allocated up front with the exact size.
 * Methods never check bounds (the size pass is the contract); `finish()` verifies the total.
 * `B` is the type of the output: a Uint8Array unless the caller brings its own allocator
 * (a Node caller that wants Buffers passes one that makes Buffers).
 */
export class ProtoWriter<B extends Uint8Array = Uint8Array> {
  /** The output; its length is the size given to the constructor. */
  readonly buf: B;
  /** Offset of the next byte to write. */
  pos = 0;

  /**
   * Allocates the output for exactly `size` bytes, or, given `into` of at least `size` bytes, writes
   * into its first `size` bytes instead (`buf` is then a view of them; nothing is allocated).
   * `allocate` makes the output when `into` is missing or too small.
   */
  constructor(size: number);
  constructor(size: number, into: B | undefined, allocate: (size: number) => B);
  constructor(size: number, into?: B, allocate: (size: number) => B = newBytes as (size: number) => B) {
    this.buf = into !== undefined && into.length >= size ? (into.subarray(0, size) as B) : allocate(size);
  }

  /** Writes one raw byte (a precomputed single-byte key, typically). */
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Writes the key of `field` with `wireType`. */
  tag(field: number, wireType: number): void {
    this.varint(((field << 3) | wireType) >>> 0);
  }

  /**
   * Writes an integer number as a varint: 0 <= v < 2^64 unsigned, v < 0 as the 10-byte
   * two's complement used by int32/int64 (v >= -2^63). Exactly `varintSize(v)` bytes.
   */
  varint(v: number): void {
    if (v >= 0 && v < 0x80000000) {
      const buf = this.buf;
      let pos = this.pos;
      while (v > 0x7f) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[pos++] = v;
      this.pos = pos;
      return;
    }
    // Split into two unsigned halves; for negatives the floor division gives the
    // two's-complement high word once reduced to 32 bits.
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    this.varint64(lo >>> 0, hi >>> 0);
  }

  /** Writes the unsigned 64-bit value `hi * 2^32 + lo` (both uint32) as a varint. */
  varint64(lo: number, hi: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** Writes a bigint as a varint, taken modulo 2^64 (negative values become 10 bytes). */
  varintBig(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  /** Writes a 32-bit value little-endian (uint32 or int32; also used for sfixed32). */
  fixed32(v: number): void {
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = v;
    buf[pos + 1] = v >>> 8;
    buf[pos + 2] = v >>> 16;
    buf[pos + 3] = v >>> 24;
    this.pos = pos + 4;
  }

  /** Writes the 64-bit value `hi * 2^32 + lo` little-endian (fixed64, sfixed64, raw double bits). */
  fixed64(lo: number, hi: number): void {
    this.fixed32(lo);
    this.fixed32(hi);
  }

  /**
   * Writes `seconds * 1e9 + nanos` as a little-endian fixed64 (a Unix time in nanoseconds from an
   * HrTime), exactly and without bigint: the product passes 2^53, so it is assembled from pieces
   * that each stay below 2^53 (see {@link splitNanos}).
   */
  fixed64Nanos(seconds: number, nanos: number): void {
    splitNanos(seconds, nanos);
    this.fixed32(nanosWords[0]!);
    this.fixed32(nanosWords[1]!);
  }

  /** Writes an IEEE 754 double little-endian, with the bit pattern the engine holds for `v`. */
  double(v: number): void {
    f64[0] = v;
    const buf = this.buf;
    const pos = this.pos;
    if (LITTLE_ENDIAN) {
      buf[pos] = f64bytes[0]!;
      buf[pos + 1] = f64bytes[1]!;
      buf[pos + 2] = f64bytes[2]!;
      buf[pos + 3] = f64bytes[3]!;
      buf[pos + 4] = f64bytes[4]!;
      buf[pos + 5] = f64bytes[5]!;
      buf[pos + 6] = f64bytes[6]!;
      buf[pos + 7] = f64bytes[7]!;
    } else {
      for (let i = 0; i < 8; i++) buf[pos + i] = f64bytes[7 - i]!;
    }
    this.pos = pos + 8;
  }

  /** Writes an IEEE 754 single (rounded from `v`) little-endian. */
  float(v: number): void {
    f32[0] = v;
    const buf = this.buf;
    const pos = this.pos;
    if (LITTLE_ENDIAN) {
      buf[pos] = f32bytes[0]!;
      buf[pos + 1] = f32bytes[1]!;
      buf[pos + 2] = f32bytes[2]!;
      buf[pos + 3] = f32bytes[3]!;
    } else {
      for (let i = 0; i < 4; i++) buf[pos + i] = f32bytes[3 - i]!;
    }
    this.pos = pos + 4;
  }

  /** Copies `src` verbatim, without a length prefix (pre-encoded fields). */
  raw(src: Uint8Array): void {
    const n = src.length;
    if (n < 16) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = src[i]!;
      this.pos = pos;
    } else {
      this.buf.set(src, this.pos);
      this.pos += n;
    }
  }

  /** Writes `src` with its varint length prefix (a bytes field body). */
  bytes(src: Uint8Array): void {
    this.varint(src.length);
    this.raw(src);
  }

  /**
   * Writes `s` as UTF-8 with its varint length prefix; `byteLength` must be `utf8Length(s)`.
   * Lone surrogates are written as U+FFFD.
   */
  string(s: string, byteLength: number): void {
    this.varint(byteLength);
    this.utf8(s, byteLength);
  }

  /** Writes `s` as UTF-8 without a prefix; `byteLength` must be `utf8Length(s)`. */
  utf8(s: string, byteLength: number): void {
    const n = s.length;
    if (byteLength === n && n < SHORT_STRING) {
      // Pure ASCII (UTF-8 length equals the UTF-16 length only then).
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
      this.pos = pos;
    } else if (byteLength !== 0) {
      this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + byteLength)).written;
    }
  }

  /** Returns the output, throwing if the bytes written differ from the size announced. */
  finish(): B {
    if (this.pos !== this.buf.length) {
      throw new Error(`protobuf size pass announced ${this.buf.length} bytes, write pass produced ${this.pos}`);
    }
    return this.buf;
  }
}

/**
 * The two 32-bit words of the last {@link splitNanos} result: `[low, high]` of the unsigned 64-bit
 * nanosecond count. Scratch storage, overwritten by the next call.
 */
export const nanosWords = new Uint32Array(2);

/**
 * Splits `seconds * 1e9 + nanos` into the two unsigned 32-bit words of {@link nanosWords}, exactly,
 * with double arithmetic only. With seconds = sHi * 2^16 + sLo and sHi * 1e9 = aHi * 2^16 + aLo:
 *   seconds * 1e9 + nanos = aHi * 2^32 + (aLo * 2^16 + sLo * 1e9 + nanos)
 * where every term stays far below 2^53 for any time a uint64 can hold (the bracket is under
 * 2^47), so nothing rounds; the bracket's carry goes to the high word. A total below zero (or NaN)
 * gives 0 and one past 2^64 - 1 gives 2^64 - 1; a fractional nanosecond part is truncated.
 */
export function splitNanos(seconds: number, nanos: number): void {
  const sHi = Math.floor(seconds / 65536);
  const sLo = seconds - sHi * 65536;
  const a = sHi * 1e9;
  const aHi = Math.floor(a / 65536);
  const aLo = a - aHi * 65536;
  let low = aLo * 65536 + sLo * 1e9 + nanos;
  const carry = Math.floor(low / TWO_32);
  low -= carry * TWO_32;
  const high = aHi + carry;
  if (high >= 0 && high < TWO_32) {
    nanosWords[0] = low;
    nanosWords[1] = high;
  } else if (high >= TWO_32) {
    nanosWords[0] = 0xffffffff;
    nanosWords[1] = 0xffffffff;
  } else {
    nanosWords[0] = 0;
    nanosWords[1] = 0;
  }
}

/**
 * Encodes a message in one call for non-hot paths (tests, caches built once):
 * `size` bytes are allocated and `write` must fill them exactly.
 */
export function encodeWith(size: number, write: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter(size);
  write(w);
  return w.finish();
}
