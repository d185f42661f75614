/**
 * A small protobuf wire-format reader for the few messages zerotel receives (gRPC responses and
 * status details). It favours clear failures over speed: every read is bounds-checked and a
 * truncated or malformed input throws a {@link ProtobufDecodeError} naming what went wrong and
 * where, never returning garbage or reading past the end.
 *
 * Typical use:
 *   const r = new ProtoReader(bytes);
 *   while (!r.done()) {
 *     const key = r.key();
 *     switch (key) { case 0x0a: ...; default: r.skip(key); }
 *   }
 */

import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './writer.js';

/** Wire type 3 (deprecated proto2 groups): start of a group. */
const WIRE_START_GROUP = 3;
/** Wire type 4: end of a group. */
const WIRE_END_GROUP = 4;

const TWO_32 = 4294967296;

/** Thrown for input that is not a well-formed protobuf message. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

/** Node's Buffer (its UTF-8 decoding is the quicker one); workerd has none, and TextDecoder does. */
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const utf8Decoder = new TextDecoder('utf-8');

export class ProtoReader {
  private readonly buf: Uint8Array;
  /** Offset of the next byte to read. */
  pos: number;
  /** Offset just past the last byte this reader may read. */
  readonly end: number;
  // The last varint read, as two unsigned 32-bit words.
  private lo = 0;
  private hi = 0;

  /** Reads `buf[start, end)` (the whole array by default). */
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) {
      throw new RangeError(`protobuf reader range [${start}, ${end}) outside a ${buf.length}-byte input`);
    }
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** True once every byte has been consumed. */
  done(): boolean {
    return this.pos >= this.end;
  }

  /**
   * Reads a field key and returns it whole (`field << 3 | wireType`), validating it: the field
   * number must be at least 1 and the wire type one of 0-5.
   */
  key(): number {
    const at = this.pos;
    this.varint();
    if (this.hi !== 0) throw this.error('field key beyond 32 bits', at);
    const key = this.lo;
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 0) throw this.error(`field number 0 in key ${key}`, at);
    if (wire > 5) throw this.error(`invalid wire type ${wire} for field ${field}`, at);
    return key;
  }

  /**
   * Reads a varint into `lo` and `hi` (its low and high 32 bits, unsigned). Throws on a varint
   * longer than 10 bytes or cut off by the end of the input; bits past the 64th are dropped.
   */
  private varint(): void {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    // Bytes 0-3 fill bits 0-27 of the low word.
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= this.end) throw this.truncated('varint', start);
      const b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    // Byte 4 straddles the words: 4 bits to the low one, 3 to the high one.
    if (pos >= this.end) throw this.truncated('varint', start);
    let b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >>> 4;
    // Bytes 5-9 fill the high word from bit 3 (of byte 9 only its lowest bit fits).
    for (let shift = 3; b >= 0x80; shift += 7) {
      if (pos - start >= 10) throw this.error('varint longer than 10 bytes', start);
      if (pos >= this.end) throw this.truncated('varint', start);
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Reads a uint64 varint as a number: exact up to 2^53, the nearest double beyond. */
  uint64(): number {
    this.varint();
    return this.hi * TWO_32 + this.lo;
  }

  /** Reads an int64 varint (two's complement) as a number: exact within +-2^53. */
  int64(): number {
    this.varint();
    if (this.hi < 0x80000000) return this.hi * TWO_32 + this.lo;
    // Negative: minus the two's complement of the 64-bit pattern.
    return -((~this.hi >>> 0) * TWO_32 + (~this.lo >>> 0) + 1);
  }

  /** Reads a varint keeping its low 32 bits, unsigned (uint32; also field keys). */
  uint32(): number {
    this.varint();
    return this.lo;
  }

  /** Reads an int32 varint (negative values arrive as 10-byte varints) as a signed number. */
  int32(): number {
    this.varint();
    return this.lo | 0;
  }

  /** Reads a bool varint (any non-zero value is true). */
  bool(): boolean {
    this.varint();
    return (this.lo | this.hi) !== 0;
  }

  /** Reads a little-endian fixed32 as an unsigned number. */
  fixed32(): number {
    const at = this.need(4, 'fixed32');
    const buf = this.buf;
    this.pos = at + 4;
    return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
  }

  /** Reads a little-endian fixed64 as an unsigned number (exact up to 2^53). */
  fixed64(): number {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return hi * TWO_32 + lo;
  }

  /** Reads a length-delimited field body; returns a view of it (no copy). */
  bytes(): Uint8Array {
    const start = this.pos;
    const length = this.uint64();
    if (length > this.end - this.pos) {
      throw this.error(`length ${length} runs past the end (${this.end - this.pos} bytes left)`, start);
    }
    const at = this.pos;
    this.pos = at + length;
    return this.buf.subarray(at, at + length);
  }

  /** Reads a string field body as UTF-8 (invalid sequences become U+FFFD). */
  string(): string {
    const body = this.bytes();
    if (NodeBuffer === undefined) return utf8Decoder.decode(body);
    return NodeBuffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }

  /** A reader over the next length-delimited field body (an embedded message). */
  message(): ProtoReader {
    const start = this.pos;
    const length = this.uint64();
    if (length > this.end - this.pos) {
      throw this.error(`message length ${length} runs past the end (${this.end - this.pos} bytes left)`, start);
    }
    const at = this.pos;
    this.pos = at + length;
    return new ProtoReader(this.buf, at, at + length);
  }

  /** Skips the value of a field whose key was just read (unknown fields, groups included). */
  skip(key: number): void {
    const wire = key & 7;
    switch (wire) {
      case WIRE_VARINT:
        this.uint64();
        return;
      case WIRE_FIXED64:
        this.pos = this.need(8, 'fixed64') + 8;
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.pos = this.need(4, 'fixed32') + 4;
        return;
      case WIRE_START_GROUP: {
        const field = key >>> 3;
        const start = this.pos;
        for (;;) {
          if (this.done()) throw this.truncated(`group ${field}`, start);
          const inner = this.key();
          if ((inner & 7) === WIRE_END_GROUP) {
            if (inner >>> 3 !== field) throw this.error(`group ${field} closed by end of group ${inner >>> 3}`, start);
            return;
          }
          this.skip(inner);
        }
      }
      case WIRE_END_GROUP:
        throw this.error(`unexpected end of group ${key >>> 3}`, this.pos);
      default:
        throw this.error(`invalid wire type ${wire}`, this.pos);
    }
  }

  /** Checks that `n` more bytes exist and returns the current offset. */
  private need(n: number, what: string): number {
    if (this.end - this.pos < n) throw this.truncated(what, this.pos);
    return this.pos;
  }

  private truncated(what: string, at: number): ProtobufDecodeError {
    return this.error(`truncated ${what}`, at);
  }

  private error(what: string, at: number): ProtobufDecodeError {
    return new ProtobufDecodeError(`malformed protobuf: ${what} at offset ${at}`);
  }
}
