/** Makes trace and span ids: lowercase hex, 32 and 16 digits, never all zero. */
export interface IdGenerator {
  generateTraceId(): string;
  generateSpanId(): string;
}

/** Options of {@link RandomIdGenerator}; the defaults suit production, the hooks suit tests. */
export interface RandomIdGeneratorOptions {
  /** Bytes of randomness fetched per refill (at least 16). Default 4096: one draw per ~170 root spans. */
  readonly poolSize?: number;
  /** Fills a buffer with random bytes. Default `crypto.getRandomValues` (every runtime has it). */
  readonly fill?: (buffer: Uint8Array) => void;
}

const DEFAULT_POOL_SIZE = 4096;

/** The most bytes `crypto.getRandomValues` gives in one call. */
const MAX_RANDOM_VALUES = 65536;

function fillRandom(buffer: Uint8Array): void {
  for (let at = 0; at < buffer.length; at += MAX_RANDOM_VALUES) {
    crypto.getRandomValues(buffer.subarray(at, at + MAX_RANDOM_VALUES));
  }
}

/**
 * Ids from cryptographic randomness, drawn a few KB at a time rather than once per id: ending a span
 * never costs a draw of its own. The pool is made and filled on the first id, not before (workerd
 * allows no randomness while a script loads). A draw that comes out all zero (2^-64 for a span id)
 * is discarded and the next bytes are used, as the W3C spec forbids all-zero ids.
 */
export class RandomIdGenerator implements IdGenerator {
  private pool: Uint8Array | undefined;
  private readonly size: number;
  private readonly fill: (buffer: Uint8Array) => void;
  /** Next unused byte of `pool`; equal to its length when everything is used. */
  private offset: number;

  constructor(options: RandomIdGeneratorOptions = {}) {
    const size = options.poolSize ?? DEFAULT_POOL_SIZE;
    if (!Number.isInteger(size) || size < 16) {
      throw new RangeError(`id pool size must be an integer of at least 16 bytes, got ${String(size)}`);
    }
    this.size = size;
    this.fill = options.fill ?? fillRandom;
    this.offset = size;
  }

  generateTraceId(): string {
    const pool = this.take(16);
    return hex8(pool, this.offset - 16) + hex8(pool, this.offset - 8);
  }

  generateSpanId(): string {
    return hex8(this.take(8), this.offset - 8);
  }

  /** The pool, with `bytes` not all zero just before `offset`. */
  private take(bytes: number): Uint8Array {
    const pool = (this.pool ??= new Uint8Array(this.size));
    for (;;) {
      if (this.offset + bytes > pool.length) {
        this.fill(pool);
        this.offset = 0;
      }
      const start = this.offset;
      const end = start + bytes;
      this.offset = end;
      for (let i = start; i < end; i++) {
        if (pool[i] !== 0) return pool;
      }
    }
  }
}

/** Character codes of the high and low hex digit of each byte value. */
const HIGH_DIGIT = new Uint8Array(256);
const LOW_DIGIT = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  HIGH_DIGIT[b] = '0123456789abcdef'.charCodeAt(b >>> 4);
  LOW_DIGIT[b] = '0123456789abcdef'.charCodeAt(b & 15);
}

/**
 * The 16 lowercase hex digits of the 8 bytes at `s`, built in JS as one flat string (a span id per
 * span; quicker than a call into native code, and needs no Buffer).
 */
function hex8(p: Uint8Array, s: number): string {
  const a = p[s]!;
  const b = p[s + 1]!;
  const c = p[s + 2]!;
  const d = p[s + 3]!;
  const e = p[s + 4]!;
  const f = p[s + 5]!;
  const g = p[s + 6]!;
  const h = p[s + 7]!;
  return String.fromCharCode(
    HIGH_DIGIT[a]!,
    LOW_DIGIT[a]!,
    HIGH_DIGIT[b]!,
    LOW_DIGIT[b]!,
    HIGH_DIGIT[c]!,
    LOW_DIGIT[c]!,
    HIGH_DIGIT[d]!,
    LOW_DIGIT[d]!,
    HIGH_DIGIT[e]!,
    LOW_DIGIT[e]!,
    HIGH_DIGIT[f]!,
    LOW_DIGIT[f]!,
    HIGH_DIGIT[g]!,
    LOW_DIGIT[g]!,
    HIGH_DIGIT[h]!,
    LOW_DIGIT[h]!,
  );
}

const HEX_32 = /^[0-9a-f]{32}$/;
const HEX_16 = /^[0-9a-f]{16}$/;
const ZERO_32 = '00000000000000000000000000000000';
const ZERO_16 = '0000000000000000';

/** True for 32 lowercase hex digits that are not all zero. */
export function isValidTraceId(id: string): boolean {
  return HEX_32.test(id) && id !== ZERO_32;
}

/** True for 16 lowercase hex digits that are not all zero. */
export function isValidSpanId(id: string): boolean {
  return HEX_16.test(id) && id !== ZERO_16;
}

export const INVALID_TRACE_ID = ZERO_32;
export const INVALID_SPAN_ID = ZERO_16;
