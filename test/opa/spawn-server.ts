/**
 * Starts `scripts/serve.ts` (or `npm start`) as a child process in its own process group, as a user
 * would, and stops it: for tests that must see the whole process (exit codes, stderr, survival).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killGroup } from '../helpers/kill-group.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The command `npm start` runs, without npm in between. */
export const TSX = `${ROOT}/node_modules/.bin/tsx`;

export interface Started {
  readonly child: ChildProcess;
  readonly base: string;
  readonly port: number;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function spawnGroup(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, OTEL_TRACES_EXPORTER: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': it waits for every process holding the pipes (npm's children too).
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, stderr: () => stderr };
}

/** Spawns the server and waits for its "listening on" line. */
export async function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const { child, exit, stderr } = spawnGroup(command, args, env);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 60 s:\n${stderr()}`)), 60_000);
    const check = (): void => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr());
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', check);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening:\n${stderr()}`));
    });
  });
  return { child, base: `http://127.0.0.1:${port}`, port, stderr, exit };
}

/** Runs the server expecting it to exit by itself (a refused configuration); kills it after `limitMs`. */
export async function runToExit(args: readonly string[], limitMs = 60_000): Promise<Exited> {
  // The built command line, with plain node: what `npm start` runs, without a loader's start-up per call.
  const { child, exit, stderr } = spawnGroup(process.execPath, [`${ROOT}/dist/esm/opa/serve-cli.js`, ...args], {});
  const timer = setTimeout(() => killGroup(child), limitMs);
  const { code, signal } = await exit;
  clearTimeout(timer);
  return { code, signal, stderr: stderr() };
}

export { killGroup };
