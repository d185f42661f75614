/**
 * An immutable set of values carried along an async call chain: the active span, baggage, a few flags.
 * The same shape as `@opentelemetry/api`'s Context, so a context made by either side is read by the
 * other without conversion: there is one representation, not two kept in sync.
 */
export interface Context {
  /** The value for `key`, or undefined. */
  getValue(key: symbol): unknown;
  /** A new context with `key` set to `value`. */
  setValue(key: symbol, value: unknown): Context;
  /** A new context without `key`. */
  deleteValue(key: symbol): Context;
}
