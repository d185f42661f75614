/**
 * Writes at an explicit position, kept in a local by the callers instead of the writer's `pos`
 * (the attribute writers run for every attribute of every span, and this saves a field load and
 * store per byte). Each returns the new position.
 */
import { varintSize } from '../../protobuf/writer.js';
import type { SpanWriter } from './output.js';

/** Thrown by a one-pass encode when a native copy would run past the Buffer. */
export const OVERFLOW = new RangeError('span does not fit in the room left');

/** Writes a varint of 0 <= v < 2^31 (a length, or a small integer) at `pos`. */
export function putLength(buf: Buffer, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Puts the length of the body between `at + reserved` and `pos` at `at`, where `reserved` bytes
 * were left for it, moving the body when its varint takes another number of bytes. Returns the
 * new end of the body.
 */
export function closeLength(buf: Buffer, at: number, reserved: number, pos: number): number {
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

/** Writes a varint field of any int64 number (a count, a kind, a code) at `pos` with the writer. */
export function putVarintField(w: SpanWriter, pos: number, key: number, v: number): number {
  w.buf[pos++] = key;
  if (v >= 0 && v < 0x80000000) return putLength(w.buf, pos, v);
  w.pos = pos;
  w.varint(v);
  return w.pos;
}

/** Copies a cached field (its bytes, and the same as words) at `pos`. */
export function putCached(w: SpanWriter, pos: number, field: Uint8Array, words: Int32Array): number {
  const buf = w.buf;
  if (pos + 4 * words.length <= buf.length) {
    // Four bytes per store; the up to three bytes written past the field are overwritten next.
    const view = w.view;
    for (let i = 0, p = pos; i < words.length; i++, p += 4) view.setInt32(p, words[i]!, true);
  } else {
    buf.set(field, pos);
  }
  return pos + field.length;
}

/**
 * Writes the key and fixed64 nanoseconds of an HrTime. For whole seconds below 2^32 (until 2106)
 * and whole nanoseconds below 1e9, as the clock gives them, a shorter exact split than
 * ProtoWriter.fixed64Nanos: seconds * 1e9 = (seconds * 1953125) * 2^9, whose first factor stays
 * below 2^53; anything else goes through fixed64Nanos.
 */
export function putTime(w: SpanWriter, pos: number, key: number, time: readonly [number, number]): number {
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
