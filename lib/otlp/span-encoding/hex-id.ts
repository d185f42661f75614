/**
 * Ids are lowercase hex in SpanData and bytes on the wire: each pair of hex digits becomes one byte,
 * written in place (uppercase digits work too). An id of odd length loses its last digit; an ASCII
 * character that is not a hex digit counts as 0, and a non-ASCII one zeroes its whole byte. (The
 * tracer only produces valid ids.)
 */
import { putLength } from './put.js';

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

/** Writes a hex id as a bytes field with key byte `key` at `pos` (left out when empty); returns the new position. */
export function putId(buf: Buffer, pos: number, key: number, hex: string): number {
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
