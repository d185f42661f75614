/**
 * Ordering as client_golang sorts: Go compares strings byte-wise on their UTF-8 encoding.
 * JS compares UTF-16 code units, which differs only when a surrogate pair (U+10000 and above) meets a
 * BMP character from U+E000 up: UTF-8 puts the astral character last, UTF-16 puts it first.
 */

/** Compares two strings by their UTF-8 bytes: negative, zero or positive. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

/** Maps a UTF-16 code unit so that numeric order equals UTF-8 byte order at the first difference. */
function utf8Rank(unit: number): number {
  if (unit < 0xd800) return unit;
  // Surrogates (astral characters) sort after every BMP character.
  if (unit < 0xe000) return unit + 0x2000;
  return unit - 0x800;
}

/** Compares two label value lists as client_golang orders series: by count, then value by value. */
export function compareLabelValues(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const va = a[i]!;
    const vb = b[i]!;
    if (va !== vb) return compareUtf8(va, vb);
  }
  return 0;
}
