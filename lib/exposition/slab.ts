import { encodeUtf8, encodeUtf8Into } from './utf8.js';

/**
 * Small long-lived byte arrays (cached line prefixes, headers, encoded label pairs) carved out of shared
 * slabs, as Node's Buffer pool does: one ArrayBuffer per series would cost the garbage collector dearly
 * on registries of 100,000 series. A slab stays alive while any of its views does.
 */
const SLAB_BYTES = 64 * 1024;
/** Larger requests get an array of their own, so slabs are not wasted on them. */
const MAX_CARVED = SLAB_BYTES / 8;

let slab = new Uint8Array(0);
let used = 0;

function reserve(size: number): void {
  if (used + size > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
}

/** Keeps the next view 8-byte aligned, as the Buffer pool does. */
function advance(size: number): void {
  used = (used + size + 7) & ~7;
}

/** `size` zeroed bytes, from a slab when small. */
export function slabBytes(size: number): Uint8Array {
  if (size > MAX_CARVED) return new Uint8Array(size);
  reserve(size);
  const view = slab.subarray(used, used + size);
  advance(size);
  return view;
}

/** The UTF-8 bytes of `text`, in a slab when small. */
export function slabUtf8(text: string): Uint8Array {
  const max = text.length * 3;
  if (max > MAX_CARVED) return encodeUtf8(text);
  reserve(max);
  const written = encodeUtf8Into(text, slab.subarray(used, used + max));
  const view = slab.subarray(used, used + written);
  advance(written);
  return view;
}
