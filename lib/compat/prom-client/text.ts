/**
 * prom-client's API returns expositions as strings. The engine's writers produce UTF-8 bytes; nearly every
 * exposition is pure ASCII, and then a Latin-1 read builds the string by a plain copy, several times
 * faster than UTF-8 decoding of the same megabyte.
 */
import { Buffer, isAscii } from 'node:buffer';

export function bytesToString(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString(isAscii(buffer) ? 'latin1' : 'utf8');
}
