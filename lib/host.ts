/**
 * What the host runtime offers beyond the web platform (Node's `process` and built-in modules), read
 * only when asked and never assumed: workerd without nodejs_compat has no `process` at all, so code
 * that runs everywhere reaches Node's extras through here instead of naming them at module top level.
 */

/** The parts of Node's `process` zerotel uses outside Node-only modules. */
export interface HostProcess {
  readonly env?: Record<string, string | undefined>;
  readonly pid?: number;
  readonly release?: { readonly name?: string };
  readonly versions?: Readonly<Record<string, string | undefined>>;
  hrtime?(time?: [number, number]): [number, number];
  emitWarning?(message: string, options: { type: string; code: string }): void;
  getBuiltinModule?(id: string): unknown;
  on?(event: 'beforeExit', listener: () => void): unknown;
  off?(event: 'beforeExit', listener: () => void): unknown;
}

/** Node's `process` (also Bun's and Deno's), or undefined on runtimes without one. */
export function hostProcess(): HostProcess | undefined {
  return (globalThis as { process?: HostProcess }).process;
}

/**
 * A Node built-in module (`node:os`, `node:async_hooks`...) loaded synchronously through
 * `process.getBuiltinModule` (Node 20.16+, Bun, Deno); undefined where the runtime cannot give it.
 */
export function builtinModule<T>(id: string): T | undefined {
  try {
    return hostProcess()?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/** A ZerotelWarning through `process.emitWarning`, or the console where there is no process. */
export function emitZerotelWarning(message: string, code: string): void {
  const proc = hostProcess();
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, { type: 'ZerotelWarning', code });
  else console.warn(`ZerotelWarning [${code}]: ${message}`);
}
