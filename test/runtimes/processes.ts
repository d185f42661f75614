/**
 * Runtime processes for the tests: each in its own process group, so that it and anything it starts
 * can be ended together, with a bounded run time.
 */
import { spawn } from 'node:child_process';
import { killGroup } from '../helpers/kill-group.js';

export { killGroup };

/** The environment for a runtime: ours without the test runner's loader options. */
export function runtimeEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_PATH;
  return env;
}

/**
 * Runs `command` with `input` on stdin and resolves with its stdout once it exits 0; rejects with its
 * stderr otherwise, or when it runs longer than `timeoutMs`.
 */
export function runWithInput(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input: string; timeoutMs?: number },
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs ?? 120_000} ms`));
    }, options.timeoutMs ?? 120_000);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(child);
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} exited with ${code ?? signal}: ${Buffer.concat(err).toString('utf8')}`,
          ),
        );
    });
    child.stdin.on('error', () => {
      // A runtime that fails early closes stdin; its exit status tells why.
    });
    child.stdin.end(options.input);
  });
}

export interface RunningServer {
  /** The base URL the program printed, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  stop(): void;
}

/**
 * Starts a server program that prints `... http://127.0.0.1:PORT/...` once listening, and resolves with
 * that address; rejects if it exits first or prints nothing within 60 s.
 */
export function startPrintingServer(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(child);
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n${output}`));
    };
    const timer = setTimeout(() => fail('printed no address within 60 s'), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${match[1]}`, stop: () => killGroup(child) });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
  });
}
