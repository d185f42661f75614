import assert from 'node:assert/strict';

/** Asserts two byte sequences are identical, reporting the first differing offset with context. */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(e)) return;
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  const from = Math.max(0, i - 60);
  assert.fail(
    `${what}: differs at byte ${i} (lengths ${a.length} vs expected ${e.length})\n` +
      `  ours:     ${JSON.stringify(a.subarray(from, i + 60).toString('latin1'))}\n` +
      `  expected: ${JSON.stringify(e.subarray(from, i + 60).toString('latin1'))}`,
  );
}
