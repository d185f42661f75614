/**
 * Which NaN a value holds, as Go holds it on amd64, where client_golang's sums are computed. JS engines
 * do not keep a NaN's bits: JavaScriptCore makes every NaN one canonical NaN, and V8 may canonicalise a
 * NaN stored in an object's field. So a metric records the kind of its NaN beside the number (only on
 * the NaN path), snapshots carry it, and the protobuf writer writes the kind's bits, never the number's.
 *
 * Every NaN passed in is taken as Go's math.NaN(), the NaN a Go program passes.
 */
export type NanKind = 0 | 1 | 2;

/** Go's math.NaN(): 0x7FF8000000000001. */
export const GO_NAN: NanKind = 0;
/** -math.NaN(): 0xFFF8000000000001, what `Gauge.Sub(math.NaN())` adds (negation flips only the sign). */
export const NEGATED_GO_NAN: NanKind = 1;
/** The x86 "default NaN" 0xFFF8000000000000 that an invalid operation such as Inf + -Inf produces. */
export const DEFAULT_NAN: NanKind = 2;

/** Each kind's bits, as the (low, high) 32-bit words of the little-endian double. */
export const NAN_LOW_WORD: readonly number[] = [0x00000001, 0x00000001, 0x00000000];
export const NAN_HIGH_WORD: readonly number[] = [0x7ff80000, 0xfff80000, 0xfff80000];

/**
 * The kind of Go's `a + b` when that sum is NaN: a's NaN if a is one (SSE keeps the first operand's),
 * else b's, else the default NaN. Callers keep the fast path:
 * `const s = this.sum + v; if (s !== s) this.sumNan = nanOfSum(this.sum, this.sumNan, v, GO_NAN); this.sum = s;`.
 */
export function nanOfSum(a: number, aKind: NanKind, b: number, bKind: NanKind): NanKind {
  if (a !== a) return aKind;
  if (b !== b) return bKind;
  return DEFAULT_NAN;
}
