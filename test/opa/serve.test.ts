/**
 * The newcomer's path: the README's `npm start` starts the reference server, which serves /health and
 * /metrics, and SIGTERM shuts it down gracefully with exit code 0.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { request } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly base: string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the server (in its own process group) and waits for its "listening on" line. */
async function start(command: string, args: readonly string[]): Promise<Started> {
  const env = { ...process.env, OTEL_TRACES_EXPORTER: '' };
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': it waits for every process holding the pipes (npm's children too).
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 60 s:\n${stderr}`)), 60_000);
    const check = (): void => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', check);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening:\n${stderr}`));
    });
  });
  return { child, base: `http://127.0.0.1:${port}`, stderr: () => stderr, exit };
}

/** Makes sure nothing the test started outlives it. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function checkSurface(base: string): Promise<void> {
  const health = await request(`${base}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.text, '{}\n');
  const metrics = await request(`${base}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /^go_goroutines \d+$/m);
  assert.match(metrics.text, /^http_request_duration_seconds_count\{code="200",handler="health",method="get"\} 1$/m);
}

describe('npm start', { timeout: 180_000 }, () => {
  it('`npm start -- --addr 127.0.0.1:0` serves /health and /metrics and stops gracefully on SIGTERM', async () => {
    const s = await start('npm', ['start', '--', '--addr', '127.0.0.1:0']);
    try {
      await checkSurface(s.base);
      // A service manager signals the pid it started, npm's: npm forwards it to the one node process below it
      // (no tsx, no second node), so nothing is left behind.
      process.kill(s.child.pid!, 'SIGTERM');
      const { code, signal } = await s.exit;
      assert.match(s.stderr(), /serve: SIGTERM received, shutting down/);
      // npm re-raises the signal it received; the server below it exits 0 (checked next without npm).
      assert.ok(code === 0 || signal === 'SIGTERM', `npm exited with ${code ?? signal}`);
      await assert.rejects(request(`${s.base}/health`, { timeoutMs: 2000 }), /ECONNREFUSED/);
      assert.throws(() => process.kill(-s.child.pid!, 0), { code: 'ESRCH' }, 'a process of the group outlived npm');
    } finally {
      killGroup(s.child);
    }
  });

  it('the command npm start runs (plain node on the build) exits 0 after SIGTERM', async () => {
    const s = await start(process.execPath, ['dist/esm/opa/serve-cli.js', '--addr', '127.0.0.1:0']);
    try {
      await checkSurface(s.base);
      s.child.kill('SIGTERM');
      const { code, signal } = await s.exit;
      assert.equal(signal, null);
      assert.equal(code, 0, s.stderr());
      assert.match(s.stderr(), /serve: SIGTERM received, shutting down/);
      assert.doesNotMatch(s.stderr(), /cut short/);
    } finally {
      killGroup(s.child);
    }
  });
});
