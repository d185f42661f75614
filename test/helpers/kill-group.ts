import type { ChildProcess } from 'node:child_process';

/** Kills a child started with `detached: true` and its whole process group: nothing a test starts outlives it. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
