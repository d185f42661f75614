/** Strings on the wire: measuring their UTF-8 length and writing them, by the quickest route for their size. */
import { utf8Length } from '../../protobuf/writer.js';
import { NodeBuffer } from './output.js';
import { OVERFLOW, putLength } from './put.js';

/** Node's native UTF-8 length, where the runtime has Buffer. */
const nativeByteLength = NodeBuffer?.byteLength;

const utf8 = new TextEncoder();

/** Up to this many characters, textLength scans in JS instead of calling into native code. */
const SHORT_TEXT = 8;

/**
 * UTF-8 length of a string, as utf8Length gives it, by the quickest route: a short ASCII string
 * is measured in JS, anything longer natively (Buffer.byteLength counts a lone surrogate as the
 * three bytes of U+FFFD, as utf8Length does and as Buffer writes it).
 */
export function textLength(s: string): number {
  const n = s.length;
  if (n <= SHORT_TEXT) {
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return utf8Length(s);
    return n;
  }
  return nativeByteLength !== undefined ? nativeByteLength(s, 'utf8') : utf8Length(s);
}

/** Writes the `length` UTF-8 bytes of `s` at `pos`: natively into a Buffer, by TextEncoder elsewhere. */
export function writeUtf8(buf: Buffer, pos: number, s: string, length: number): number {
  if (buf.write !== undefined) return buf.write(s, pos, length, 'utf8');
  if (pos + length > buf.length) throw OVERFLOW;
  return utf8.encodeInto(s, buf.subarray(pos, pos + length)).written;
}

/** Writes `s` with its length prefix, measuring it on the way; returns the new position. */
export function putText(buf: Buffer, pos: number, s: string): number {
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
