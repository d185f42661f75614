import type { EventEmitter } from 'node:events';
import { type Context, ROOT_CONTEXT } from './context.js';
import { contextStorage } from './context-storage.js';

type Listener = (...args: unknown[]) => void;

/** Per bound emitter: for each event, the listener the caller gave -> the bound one registered in its place. */
const BOUND = Symbol('zerotel bound listeners');

interface BoundEmitter extends EventEmitter {
  [BOUND]?: Map<string | symbol, WeakMap<Listener, Listener>>;
}

// `once` and `prependOnceListener` register through `on` / `prependListener`, so they are bound too.
const ADD_METHODS = ['addListener', 'on', 'prependListener'] as const;
const REMOVE_METHODS = ['removeListener', 'off'] as const;

function isEmitter(value: unknown): value is EventEmitter {
  const e = value as Partial<EventEmitter> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.on === 'function' &&
    typeof e.addListener === 'function' &&
    typeof e.removeListener === 'function' &&
    typeof e.emit === 'function'
  );
}

/**
 * The context manager to register with `@opentelemetry/api`'s `context.setGlobalContextManager`.
 * It keeps the active context in the AsyncLocalStorage zerotel's own `context` helpers use, so the api,
 * zerotel's tracer and code on either side see one active context across await, timers,
 * `Promise.all` and bound event emitters.
 */
export class AsyncLocalStorageContextManager {
  private enabled = false;

  /** Starts managing; returns this (the api's contract). */
  enable(): this {
    this.enabled = true;
    return this;
  }

  /**
   * Stops managing: `active()` is the root context and `with()` only calls. The store itself stays,
   * since zerotel's own helpers share it.
   */
  disable(): this {
    this.enabled = false;
    return this;
  }

  /** The context active here; the root context outside any (or while disabled). */
  active(): Context {
    if (!this.enabled) return ROOT_CONTEXT;
    return contextStorage().getStore() ?? ROOT_CONTEXT;
  }

  /** Runs `fn` with `ctx` active and returns what it returns. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    if (!this.enabled) return fn.apply(thisArg, args);
    if (thisArg === undefined) return contextStorage().run(ctx, fn, ...args);
    return contextStorage().run(ctx, () => fn.apply(thisArg, args));
  }

  /**
   * Binds `target` to `ctx`: a function then always runs with `ctx` active; an EventEmitter's listeners
   * added from now on run with `ctx` active (and can still be removed by the function the caller gave).
   * Anything else is returned as it is.
   */
  bind<T>(ctx: Context, target: T): T {
    if (typeof target === 'function') return this.bindFunction(ctx, target as unknown as Listener) as unknown as T;
    if (isEmitter(target)) return this.bindEmitter(ctx, target) as unknown as T;
    return target;
  }

  private bindFunction(ctx: Context, fn: Listener): Listener {
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]): unknown {
      return manager.with(ctx, () => fn.apply(this, args));
    };
    // Keep `length` so libraries that inspect a callback's arity see the original's.
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound;
  }

  private bindEmitter<E extends EventEmitter>(ctx: Context, emitter: E): E {
    const ee = emitter as BoundEmitter;
    if (ee[BOUND] !== undefined) return emitter;
    const map = new Map<string | symbol, WeakMap<Listener, Listener>>();
    Object.defineProperty(ee, BOUND, { value: map, enumerable: false, configurable: true });
    for (const name of ADD_METHODS) {
      const original = ee[name] as (event: string | symbol, listener: Listener) => E;
      if (typeof original !== 'function') continue;
      ee[name] = ((event: string | symbol, listener: Listener) => {
        let listeners = map.get(event);
        if (listeners === undefined) {
          listeners = new WeakMap();
          map.set(event, listeners);
        }
        const bound = this.bindFunction(ctx, listener);
        // A `once` wrapper names the caller's listener in `.listener`, which removeListener matches on.
        const inner = (listener as { listener?: unknown }).listener;
        if (typeof inner === 'function') (bound as { listener?: unknown }).listener = inner;
        listeners.set(listener, bound);
        return original.call(ee, event, bound);
      }) as E[typeof name];
    }
    for (const name of REMOVE_METHODS) {
      const original = ee[name] as (event: string | symbol, listener: Listener) => E;
      if (typeof original !== 'function') continue;
      ee[name] = ((event: string | symbol, listener: Listener) => {
        const listeners = map.get(event);
        const bound = listeners?.get(listener);
        if (bound === undefined) return original.call(ee, event, listener);
        listeners!.delete(listener);
        return original.call(ee, event, bound);
      }) as E[typeof name];
    }
    const removeAll = ee.removeAllListeners;
    ee.removeAllListeners = function (this: E, ...args: [event?: string | symbol]) {
      if (args.length === 0) map.clear();
      else if (args[0] !== undefined) map.delete(args[0]);
      return removeAll.apply(this, args);
    } as E['removeAllListeners'];
    return emitter;
  }
}
