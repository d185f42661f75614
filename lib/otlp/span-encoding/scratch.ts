/** An output area lent to the encoder across calls, so that a steady stream of exports writes into one Buffer. */
import { allocateKept } from './output.js';

/**
 * Lent to an encode: the encoder replaces `buffer` with a larger one when a request does not fit
 * (keeping nothing above MAX_SCRATCH_BYTES). The caller must not lend it again while the bytes of
 * the previous request are still in use.
 */
export interface EncodeScratch {
  buffer: Buffer | undefined;
}

/** The largest output Buffer a scratch keeps between calls; a larger request gets a Buffer of its own. */
const MAX_SCRATCH_BYTES = 8 * 1024 * 1024;

/** The Buffer to write a request of `total` bytes into: the scratch's, grown when needed, or undefined (allocate). */
export function scratchFor(scratch: EncodeScratch | undefined, total: number): Buffer | undefined {
  if (scratch === undefined || total === 0) return undefined;
  const held = scratch.buffer;
  if (held !== undefined && held.length >= total) return held;
  if (total > MAX_SCRATCH_BYTES) return undefined;
  // Headroom so that batches a little larger than the last do not reallocate every time.
  const grown = allocateKept(Math.min(MAX_SCRATCH_BYTES, total + (total >>> 2)));
  scratch.buffer = grown;
  return grown;
}
