import { contextStorage } from './context-storage.js';
import type { Context } from './context-type.js';
import type { Span, SpanContext } from './span-api.js';

export type { Context };

/**
 * zerotel's Context: each `setValue` returns a new context that shares the rest with its parent (a
 * short linked list), so entering a span costs one small object.
 */
class LinkedContext implements Context {
  constructor(
    private readonly parent: LinkedContext | null,
    private readonly key: symbol | null,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    for (let c: LinkedContext | null = this; c !== null; c = c.parent) {
      if (c.key === key) return c.value;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return new LinkedContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return this.getValue(key) === undefined ? this : new LinkedContext(this, key, undefined);
  }
}

/** The empty context, where no span is active. */
export const ROOT_CONTEXT: Context = new LinkedContext(null, null, undefined);

/**
 * A key for a value in a Context. Like `@opentelemetry/api`'s createContextKey it is `Symbol.for`
 * the description, so the api and zerotel name the span, baggage and suppression slots alike.
 */
export function createContextKey(description: string): symbol {
  return Symbol.for(description);
}

/**
 * The active context. Where AsyncLocalStorage exists (see context-storage.ts) it flows into awaited
 * promises, timers, `process.nextTick`, and callbacks of native async work started inside it; an
 * EventEmitter listener sees the context that was active at `emit()` time (AsyncLocalStorage semantics), so use `context.bind` to pin a listener to another one.
 */
export const context = {
  /** The context active here; ROOT_CONTEXT outside any. */
  active(): Context {
    return contextStorage().getStore() ?? ROOT_CONTEXT;
  },

  /** Runs `fn` with `ctx` active, returning what it returns; the previous context is back afterwards. */
  with<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, thisArg?: unknown, ...args: A): R {
    if (thisArg === undefined) return contextStorage().run(ctx, fn, ...args);
    return contextStorage().run(ctx, () => fn.apply(thisArg, args));
  },

  /** A function that always runs `fn` with `ctx` active, wherever it is called from. */
  bind<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R): (...args: A) => R {
    return function (this: unknown, ...args: A): R {
      return contextStorage().run(ctx, () => fn.apply(this, args));
    };
  },
};

/* The api's own slot names, so `api.trace.setSpan` / `getSpan` and `suppressTracing` of
 * @opentelemetry/core read and write the same entries as zerotel. */
const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');
const SUPPRESS_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** The span in `ctx`, if any (also a span put there by `@opentelemetry/api`'s `trace.setSpan`). */
export function getSpan(ctx: Context): Span | undefined {
  return (ctx.getValue(SPAN_KEY) as Span | undefined) || undefined;
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
  return contextStorage().run(setSpan(context.active(), span), fn);
}

/** A context in which tracers make only non-recording spans: exporters use it so exports are not traced. */
export function suppressTracing(ctx: Context): Context {
  return ctx.setValue(SUPPRESS_KEY, true);
}

/** True in a context made by {@link suppressTracing} (zerotel's or @opentelemetry/core's). */
export function isTracingSuppressed(ctx: Context): boolean {
  return ctx.getValue(SUPPRESS_KEY) === true;
}
