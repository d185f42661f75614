/**
 * Where the active context lives. On runtimes with AsyncLocalStorage (Node, Bun and Deno through
 * node:async_hooks; workerd with the `nodejs_als` flag, handed over by {@link useAsyncLocalStorage}) it
 * follows async work. Elsewhere a plain stack holds it for the synchronous extent of `context.with`:
 * spans still nest inside one call, and across `await` the caller passes the context explicitly.
 *
 * Chosen on first use, never while loading: workerd allows no such work at startup, and the store
 * must not be made before the application had a chance to hand over its own AsyncLocalStorage.
 */
import { builtinModule, emitZerotelWarning, hostProcess } from '../host.js';
import type { Context } from './context-type.js';

/** The two methods of AsyncLocalStorage that context propagation needs. */
export interface ContextStorage {
  getStore(): Context | undefined;
  run<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, ...args: A): R;
}

/** The AsyncLocalStorage class as `node:async_hooks` exports it. */
export type AsyncLocalStorageClass = new () => ContextStorage;

/**
 * The stack fallback: the context given to `run` is active until `fn` returns. After an `await`
 * inside it the context is gone, which is why spans there need their parent passed explicitly.
 */
class SynchronousContextStack implements ContextStorage {
  private current: Context | undefined;

  getStore(): Context | undefined {
    return this.current;
  }

  run<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, ...args: A): R {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn(...args);
    } finally {
      this.current = previous;
    }
  }
}

let storage: ContextStorage | undefined;

/**
 * The one store for the whole process: zerotel's `context` helpers and every
 * AsyncLocalStorageContextManager share it, so the api's `context.active()` and zerotel's agree.
 * @internal
 */
export function contextStorage(): ContextStorage {
  if (storage === undefined) {
    const AsyncLocalStorage = builtinModule<{ AsyncLocalStorage?: AsyncLocalStorageClass }>(
      'node:async_hooks',
    )?.AsyncLocalStorage;
    storage = AsyncLocalStorage !== undefined ? new AsyncLocalStorage() : new SynchronousContextStack();
    if (AsyncLocalStorage === undefined && hostProcess() !== undefined) {
      // A process without getBuiltinModule: Node before 20.16. Say why spans stop nesting across await.
      emitZerotelWarning(
        'AsyncLocalStorage could not be loaded (process.getBuiltinModule is missing: Node 20.16 or later has it); ' +
          'call useAsyncLocalStorage(AsyncLocalStorage) from node:async_hooks, or pass parent contexts explicitly',
        'ZEROTEL_CONTEXT',
      );
    }
  }
  return storage;
}

/**
 * Hands zerotel the runtime's AsyncLocalStorage class where it cannot load it itself: on workerd with
 * the `nodejs_als` compatibility flag, import AsyncLocalStorage from node:async_hooks and
 * pass that class here before the first span. Returns true when the context now follows async work; false
 * when a store that already does was in use (it stays: replacing it would split the active context).
 */
export function useAsyncLocalStorage(AsyncLocalStorage: AsyncLocalStorageClass): boolean {
  if (typeof AsyncLocalStorage !== 'function') {
    throw new TypeError(`useAsyncLocalStorage expects the AsyncLocalStorage class, got ${typeof AsyncLocalStorage}`);
  }
  if (storage !== undefined && !(storage instanceof SynchronousContextStack)) return false;
  storage = new AsyncLocalStorage();
  return true;
}

/** True when the active context follows async work (AsyncLocalStorage), false with the stack fallback. */
export function isAsyncContextAvailable(): boolean {
  return !(contextStorage() instanceof SynchronousContextStack);
}
