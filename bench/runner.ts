/**
 * Runs groups of measures one after the other, each in a fresh child process (node with the tsx loader
 * and --expose-gc), so no JIT state, heap or cache of one group leaks into the next. Results and progress
 * come back over the IPC channel; whatever a child prints goes to stderr, never to our stdout.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchGroup, BenchOptions, MeasureResult } from './group.js';

/** Messages a child sends. */
export type ChildMessage =
  | { readonly type: 'progress'; readonly text: string }
  | { readonly type: 'result'; readonly result: MeasureResult }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'done'; readonly blackHole: number };

/** A measure with the group that produced it. */
export interface GroupedResult extends MeasureResult {
  readonly group: string;
}

export interface RunOutcome {
  readonly results: GroupedResult[];
  /** One line per group that failed. */
  readonly errors: string[];
}

export interface RunHooks {
  /** A group starts (index from 0). */
  readonly onGroup?: (group: BenchGroup, index: number, count: number) => void;
  readonly onProgress?: (text: string) => void;
  /** Text a child wrote to its stdout or stderr. */
  readonly onOutput?: (text: string) => void;
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export async function runGroups(
  groups: readonly BenchGroup[],
  options: BenchOptions,
  hooks: RunHooks = {},
): Promise<RunOutcome> {
  const results: GroupedResult[] = [];
  const errors: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    hooks.onGroup?.(group, i, groups.length);
    const error = await runOne(group, options, hooks, (r) => results.push({ ...r, group: group.id }));
    if (error !== undefined) errors.push(`${group.id}: ${error}`);
  }
  return { results, errors };
}

function runOne(
  group: BenchGroup,
  options: BenchOptions,
  hooks: RunHooks,
  onResult: (r: MeasureResult) => void,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = fork(CHILD, [group.id, JSON.stringify(options)], {
      execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let failure: string | undefined;
    let done = false;
    const forward = (chunk: Buffer) => hooks.onOutput?.(chunk.toString('utf8'));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'progress') hooks.onProgress?.(message.text);
      else if (message.type === 'result') onResult(message.result);
      else if (message.type === 'error') failure = message.message;
      else if (message.type === 'done') done = true;
    });
    child.on('error', (error) => {
      failure ??= error.message;
    });
    child.on('close', (code, signal) => {
      if (failure === undefined && (code !== 0 || !done)) {
        failure = `child exited with ${signal ?? `code ${code}`} before finishing`;
      }
      resolve(failure);
    });
  });
}
