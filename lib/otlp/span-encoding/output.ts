/**
 * Where encoded bytes go: the writer (a ProtoWriter plus a word view of its output) and the
 * allocators. Runtime-neutral: Node's Buffer is used where the runtime has it, for its native
 * copies, and plain Uint8Array elsewhere (workerd has no Buffer).
 */
import { ProtoWriter } from '../../protobuf/writer.js';

/** Node's Buffer, where the runtime has it. */
export const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/**
 * Output bytes: typed as Buffer because on Node's gRPC path (the arena, the exporter's scratch) they
 * are one; a request encoded for another runtime is a plain Uint8Array, so every Buffer-only method
 * is guarded (see writeUtf8).
 */
export type Allocate = (size: number) => Buffer;

/** Plain bytes, on every runtime. */
export const allocateBytes: Allocate = (n) => new Uint8Array(n) as Buffer;

/** A Buffer where there is one (maybe a slice of Node's shared pool), else plain bytes. */
export const allocateBuffer: Allocate = NodeBuffer !== undefined ? (n) => NodeBuffer.allocUnsafe(n) : allocateBytes;

/** Bytes kept across calls (a scratch, an arena): never a slice of Node's shared pool, which they would pin. */
export const allocateKept: Allocate = NodeBuffer !== undefined ? (n) => NodeBuffer.allocUnsafeSlow(n) : allocateBytes;

/** Not a Buffer: this is evaluated while the module loads, also on runtimes without Buffer. */
export const EMPTY = new Uint8Array(0) as Buffer;

/**
 * A ProtoWriter over a Buffer with a DataView of the same bytes, through which cached fields are
 * copied four bytes per store (see putCached).
 */
export class SpanWriter extends ProtoWriter<Buffer> {
  readonly view: DataView;

  constructor(size: number, into?: Buffer, allocate: Allocate = allocateBuffer) {
    super(size, into, allocate);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** `field` as little-endian 32-bit words, zero-padded to a multiple of four bytes (for putCached). */
export function wordsOf(field: Uint8Array): Int32Array {
  const words = new Int32Array((field.length + 3) >>> 2);
  new Uint8Array(words.buffer).set(field);
  if (!LITTLE_ENDIAN) for (let i = 0; i < words.length; i++) words[i] = swap32(words[i]!);
  return words;
}

/**
 * The bytes of a field built once and kept (a cache entry): copied out of the writer, whose Buffer
 * may be a slice of Node's shared pool that a long-lived entry would keep alive.
 */
export function keptField(size: number, write: (w: SpanWriter) => void): Uint8Array {
  const w = new SpanWriter(size);
  write(w);
  return new Uint8Array(w.finish());
}
