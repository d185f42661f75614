import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span, SpanContext } from './span.js';

/**
 * An immutable set of values carried along an async call chain: the active span and a few flags.
 * Each `setValue` returns a new context that shares the rest with its parent (a short linked list),
 * so entering a span costs one small object.
 */
export class Context {
  private constructor(
    private readonly parent: Context | null,
    private readonly key: symbol | null,
    private readonly value: unknown,
  ) {}

  /** The empty context, where no span is active. */
  static readonly ROOT: Context = new Context(null, null, undefined);

  /** The value for `key`, or undefined. */
  getValue(key: symbol): unknown {
    for (let c: Context | null = this; c !== null; c = c.parent) {
      if (c.key === key) return c.value;
    }
    return undefined;
  }

  /** A new context with `key` set to `value`. */
  setValue(key: symbol, value: unknown): Context {
    return new Context(this, key, value);
  }

  /** A new context without `key`. */
  deleteValue(key: symbol): Context {
    return this.getValue(key) === undefined ? this : new Context(this, key, undefined);
  }
}

export const ROOT_CONTEXT = Context.ROOT;

/** A key for a value of one's own in a Context. */
export function createContextKey(description: string): symbol {
  return Symbol(description);
}

/** One store for the whole process: the active context follows async work as AsyncLocalStorage does. */
const storage = new AsyncLocalStorage<Context>();

/**
 * The active context. It flows into awaited promises, timers, `process.nextTick`, and callbacks of
 * native async work started inside it; an EventEmitter listener sees the context that was active at
 * `emit()` time (AsyncLocalStorage semantics), so use `context.bind` to pin a listener to another one.
 */
export const context = {
  /** The context active here; ROOT_CONTEXT outside any. */
  active(): Context {
    return storage.getStore() ?? ROOT_CONTEXT;
  },

  /** Runs `fn` with `ctx` active, returning what it returns; the previous context is back afterwards. */
  with<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, thisArg?: unknown, ...args: A): R {
    if (thisArg === undefined) return storage.run(ctx, fn, ...args);
    return storage.run(ctx, () => fn.apply(thisArg, args));
  },

  /** A function that always runs `fn` with `ctx` active, wherever it is called from. */
  bind<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R): (...args: A) => R {
    return function (this: unknown, ...args: A): R {
      return storage.run(ctx, () => fn.apply(this, args));
    };
  },
};

const SPAN_KEY = createContextKey('zerotel active span');
const SUPPRESS_KEY = createContextKey('zerotel suppress tracing');

/** The span in `ctx`, if any. */
export function getSpan(ctx: Context): Span | undefined {
  return ctx.getValue(SPAN_KEY) as Span | undefined;
}

/** A new context with `span` as the active span. */
export function setSpan(ctx: Context, span: Span): Context {
  return ctx.setValue(SPAN_KEY, span);
}

/** A new context without an active span. */
export function deleteSpan(ctx: Context): Context {
  return ctx.deleteValue(SPAN_KEY);
}

/** The span context of the span in `ctx`, if any. */
export function getSpanContext(ctx: Context): SpanContext | undefined {
  return getSpan(ctx)?.spanContext();
}

/** The span active here, if any. */
export function getActiveSpan(): Span | undefined {
  return getSpan(context.active());
}

/** Runs `fn` with `span` active (in a child of the active context). */
export function withSpan<R>(span: Span, fn: () => R): R {
  return storage.run(setSpan(context.active(), span), fn);
}

/** A context in which tracers make only non-recording spans: exporters use it so exports are not traced. */
export function suppressTracing(ctx: Context): Context {
  return ctx.setValue(SUPPRESS_KEY, true);
}

export function isTracingSuppressed(ctx: Context): boolean {
  return ctx.getValue(SUPPRESS_KEY) === true;
}
