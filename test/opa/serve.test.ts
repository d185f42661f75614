/**
 * The newcomer's path: the README's `npm start` starts the reference server, which serves /health and
 * /metrics, and SIGTERM shuts it down gracefully with exit code 0.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { request } from './helpers.js';
import { killGroup, start } from './spawn-server.js';

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
