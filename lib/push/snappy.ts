/**
 * Snappy block format (not the framed/stream format): what Prometheus remote write puts in a request body.
 *
 * Layout: the uncompressed length as a varint, then elements, each a literal run or a back-reference
 * (copy) into the output produced so far. The compressor works as the reference implementation does,
 * so its ratio matches it: the input is cut into independent 64 KiB blocks; in each, 4-byte sequences
 * are hashed into a table of their last position; a hit is extended as far as the bytes agree and
 * becomes a copy; after a run of misses the scan skips ahead faster (1 byte per 32 misses more), which
 * keeps incompressible data cheap. Runtime-neutral: Uint8Array only.
 */

/** Input is compressed in independent blocks of this size (copies never reach across one). */
const BLOCK_SIZE = 1 << 16;
/** The hash table never grows beyond this many entries (uint16 positions within one block). */
const MAX_TABLE_BITS = 14;
/** A block must have this many bytes after a match start to try a match (the scan reads 8 at once). */
const INPUT_MARGIN = 15;
/** Blocks shorter than this are written as one literal. */
const MIN_MATCHABLE = 1 + 1 + INPUT_MARGIN;

const table = new Uint16Array(1 << MAX_TABLE_BITS);

/** The largest output {@link snappyCompress} can produce for `n` input bytes. */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/** Compresses `src` into a snappy block. */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(snappyMaxCompressedLength(src.length));
  let d = putVarint(dst, 0, src.length);
  for (let start = 0; start < src.length; start += BLOCK_SIZE) {
    const end = Math.min(start + BLOCK_SIZE, src.length);
    d = end - start < MIN_MATCHABLE ? putLiteral(dst, d, src, start, end) : compressBlock(dst, d, src, start, end);
  }
  return dst.subarray(0, d);
}

function putVarint(dst: Uint8Array, d: number, v: number): number {
  while (v >= 0x80) {
    dst[d++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  dst[d++] = v;
  return d;
}

function load32(src: Uint8Array, i: number): number {
  return src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
}

/** Multiplicative hash of 4 bytes to `32 - shift` bits (the reference's constant). */
function hash(u: number, shift: number): number {
  return Math.imul(u, 0x1e35a7bd) >>> shift;
}

/** Compresses src[start, end) (at most one block) into dst at d; returns the new end of dst. */
function compressBlock(dst: Uint8Array, d: number, src: Uint8Array, start: number, end: number): number {
  const n = end - start;
  let shift = 24;
  let tableSize = 1 << 8;
  while (tableSize < 1 << MAX_TABLE_BITS && tableSize < n) {
    tableSize <<= 1;
    shift--;
  }
  const mask = tableSize - 1;
  table.fill(0, 0, tableSize);
  // Positions below are relative to `start`, so they fit the uint16 table.
  const limit = n - INPUT_MARGIN;
  let nextEmit = 0;
  let s = 1;
  let nextHash = hash(load32(src, start + s), shift);
  for (;;) {
    // Look for a 4-byte match, skipping ahead faster the longer nothing matches.
    let skip = 32;
    let nextS = s;
    let candidate = 0;
    for (;;) {
      s = nextS;
      const step = skip >> 5;
      nextS = s + step;
      skip += step;
      if (nextS > limit) return n > nextEmit ? putLiteral(dst, d, src, start + nextEmit, end) : d;
      candidate = table[nextHash & mask]!;
      table[nextHash & mask] = s;
      nextHash = hash(load32(src, start + nextS), shift);
      if (load32(src, start + s) === load32(src, start + candidate)) break;
    }
    d = putLiteral(dst, d, src, start + nextEmit, start + s);
    // Emit copies as long as the byte right after one match starts another.
    for (;;) {
      const base = s;
      s += 4;
      let i = candidate + 4;
      while (s < n && src[start + i] === src[start + s]) {
        i++;
        s++;
      }
      d = putCopy(dst, d, base - candidate, s - base);
      nextEmit = s;
      if (s >= limit) return n > nextEmit ? putLiteral(dst, d, src, start + nextEmit, end) : d;
      // Index the position before the match's end, then test the one at it.
      table[hash(load32(src, start + s - 1), shift) & mask] = s - 1;
      const currHash = hash(load32(src, start + s), shift);
      candidate = table[currHash & mask]!;
      table[currHash & mask] = s;
      if (load32(src, start + s) !== load32(src, start + candidate)) {
        nextHash = hash(load32(src, start + s + 1), shift);
        s++;
        break;
      }
    }
  }
}

/** Writes src[from, to) as one literal element (to - from <= 65536). */
function putLiteral(dst: Uint8Array, d: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from - 1;
  if (n < 0) return d;
  if (n < 60) {
    dst[d++] = n << 2;
  } else if (n < 0x100) {
    dst[d++] = 60 << 2;
    dst[d++] = n;
  } else {
    dst[d++] = 61 << 2;
    dst[d++] = n & 0xff;
    dst[d++] = n >>> 8;
  }
  if (to - from < 32) {
    for (let i = from; i < to; i++) dst[d++] = src[i]!;
  } else {
    dst.set(src.subarray(from, to), d);
    d += to - from;
  }
  return d;
}

/** Writes a back-reference of `length` bytes at `offset` (offset < 65536), split into elements of at most 64. */
function putCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  while (length >= 68) {
    d = putCopy2(dst, d, offset, 64);
    length -= 64;
  }
  if (length > 64) {
    // Leave at least 4 for the last element, which a 1-byte-offset copy needs.
    d = putCopy2(dst, d, offset, 60);
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) return putCopy2(dst, d, offset, length);
  dst[d++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
  dst[d++] = offset & 0xff;
  return d;
}

function putCopy2(dst: Uint8Array, d: number, offset: number, length: number): number {
  dst[d++] = ((length - 1) << 2) | 2;
  dst[d++] = offset & 0xff;
  dst[d++] = offset >>> 8;
  return d;
}

/** A snappy block that cannot be decoded. */
export class SnappyError extends Error {
  constructor(message: string) {
    super(`snappy: ${message}`);
    this.name = 'SnappyError';
  }
}

/**
 * Decompresses a snappy block, refusing (with a {@link SnappyError}) a truncated or corrupt one and any
 * whose announced length exceeds `maxLength` (default 256 MiB), before allocating it.
 */
export function snappyDecompress(src: Uint8Array, maxLength = 256 * 1024 * 1024): Uint8Array {
  let length = 0;
  let p = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= src.length) throw new SnappyError('truncated length header');
    if (shift > 28) throw new SnappyError('length header is too long');
    const b = src[p++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > maxLength) throw new SnappyError(`announced length ${length} exceeds the limit of ${maxLength} bytes`);
  const out = new Uint8Array(length);
  let d = 0;
  while (p < src.length) {
    const tag = src[p++]!;
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const extra = len - 59;
          if (p + extra > src.length) throw new SnappyError('truncated literal length');
          len = 0;
          for (let i = 0; i < extra; i++) len += src[p++]! * 2 ** (8 * i);
        }
        len += 1;
        if (p + len > src.length) throw new SnappyError('literal runs past the end of the input');
        if (d + len > length) throw new SnappyError('literal runs past the announced length');
        out.set(src.subarray(p, p + len), d);
        p += len;
        d += len;
        continue;
      }
      case 1:
        if (p + 1 > src.length) throw new SnappyError('truncated copy');
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[p++]!;
        break;
      case 2:
        if (p + 2 > src.length) throw new SnappyError('truncated copy');
        len = (tag >>> 2) + 1;
        offset = src[p]! | (src[p + 1]! << 8);
        p += 2;
        break;
      default:
        if (p + 4 > src.length) throw new SnappyError('truncated copy');
        len = (tag >>> 2) + 1;
        offset = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
        p += 4;
    }
    if (offset === 0 || offset > d) throw new SnappyError(`copy offset ${offset} is outside the ${d} bytes written`);
    if (d + len > length) throw new SnappyError('copy runs past the announced length');
    // Byte by byte: a copy may overlap the bytes it produces (offset < length repeats a pattern).
    for (let i = 0; i < len; i++, d++) out[d] = out[d - offset]!;
  }
  if (d !== length) throw new SnappyError(`decoded ${d} bytes, the header announced ${length}`);
  return out;
}
