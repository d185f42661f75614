import { encodeUtf8Into } from './utf8.js';

/**
 * A growable output buffer for the text writers. Writing bytes straight into one byte array skips building
 * a rope of strings and flattening it, which costs more than the formatting itself on large registries.
 */
export class ByteSink {
  private buf: Uint8Array;
  private pos = 0;

  constructor(sizeHint: number) {
    this.buf = new Uint8Array(Math.max(1024, sizeHint));
  }

  /** Copies pre-encoded bytes (cached line prefixes). */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    this.buf.set(bytes, this.pos);
    this.pos += n;
  }

  /** Writes a string known to be ASCII (formatted numbers, keywords), one byte per character. */
  ascii(text: string): void {
    const n = text.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Writes any string as UTF-8: ASCII byte by byte, the rest (from the first non-ASCII character) encoded. */
  utf8(text: string): void {
    const n = text.length;
    const max = n * 3;
    if (this.pos + max > this.buf.length) this.grow(max);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = pos + encodeUtf8Into(i === 0 ? text : text.slice(i), buf.subarray(pos));
        return;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  byte(value: number): void {
    if (this.pos === this.buf.length) this.grow(1);
    this.buf[this.pos++] = value;
  }

  /** Writes a non-negative safe integer in decimal without making a string. */
  uint(value: number): void {
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    if (this.pos + digits > this.buf.length) this.grow(digits);
    const buf = this.buf;
    let pos = this.pos + digits;
    this.pos = pos;
    let v = value;
    do {
      const next = Math.floor(v / 10);
      buf[--pos] = 48 + (v - next * 10);
      v = next;
    } while (v > 0);
  }

  /** The bytes written so far (a view, not a copy). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  get length(): number {
    return this.pos;
  }

  private grow(needed: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + needed));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}
