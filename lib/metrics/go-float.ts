/**
 * NaN bits as Go produces them on amd64, where client_golang's sums are computed. JS arithmetic keeps
 * NaN payloads too, but the engine may swap the operands of a commutative add, and SSE returns the
 * first operand's NaN when both are NaN: so the choice is made here, explicitly.
 */

/** The x86 "default NaN" (0xFFF8000000000000) an invalid operation such as Inf - Inf produces. */
const DEFAULT_NAN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0]!;

/**
 * Go's `a + b` when the JS sum is NaN: a's NaN if a is one, else b's, else the default NaN.
 * Callers keep the fast path: `const s = a + b; x = s === s ? s : nanSum(a, b);`.
 */
export function nanSum(a: number, b: number): number {
  if (a !== a) return a;
  if (b !== b) return b;
  return DEFAULT_NAN;
}
