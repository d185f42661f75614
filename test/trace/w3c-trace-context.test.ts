/**
 * The W3C trace-context test suite (a Python harness, kept outside this repository in
 * ../shared/third_party/w3c-trace-context, needing Debian's python3-aiohttp) against a service built
 * on @opentelemetry/api with zerotel registered, and against the same service with OpenTelemetry JS
 * registered: zerotel must pass every test OpenTelemetry JS passes, and fail none, at the suite's
 * default levels (strict level 2, spec level 1).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { PYTHON } from '../peers/python.js';
import { assertPeer, peerOptions, type PeerStatus } from '../peers/require-peer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Third-party suites live beside the repository; THIRD_PARTY_DIR points elsewhere when it is checked out alone. */
const SUITE = join(process.env.THIRD_PARTY_DIR ?? join(ROOT, '..', 'shared', 'third_party'), 'w3c-trace-context');
const SERVICE = fileURLToPath(new URL('./w3c/service.ts', import.meta.url));

function findSuite(): PeerStatus {
  const name = 'W3C trace-context suite (python3 with aiohttp)';
  if (!existsSync(join(SUITE, 'test.py'))) return { name, missing: `${join(SUITE, 'test.py')} not found` };
  const probe = spawnSync(PYTHON, ['-s', '-c', 'import aiohttp'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return { name, missing: `cannot run ${PYTHON}: ${probe.error.message}` };
  if (probe.status !== 0) return { name, missing: `${PYTHON} cannot import aiohttp (Debian package python3-aiohttp)` };
  return { name, missing: undefined };
}

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A port free on 127.0.0.1 right now, for the harness (its own server cannot be given port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the service with `sdk` registered; resolves with its port. */
function startService(sdk: string): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVICE, sdk], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${sdk} service did not start in 60 s: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening (\d+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${sdk} service exited with ${code}: ${err}`));
    });
  });
}

type Outcome = 'ok' | 'FAIL' | 'ERROR' | 'skipped';

/** Runs the harness against `port`; the outcome of each test by name. */
async function runSuite(port: number): Promise<Map<string, Outcome>> {
  const harnessPort = await freePort();
  const child = spawn(PYTHON, ['-s', 'test.py', `http://127.0.0.1:${port}/test`], {
    cwd: SUITE,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HARNESS_PORT: String(harnessPort),
      SPEC_LEVEL: '1',
      STRICT_LEVEL: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`harness timed out:\n${output}`));
    }, 300_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  // unittest -v prints `test_x (module.Class.test_x)`, maybe the docstring's first line, then ` ... ok`.
  const outcomes = new Map<string, Outcome>();
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const name = /^(test_\w+) \(/.exec(line);
    if (name !== null) current = name[1];
    const result = / \.\.\. (ok|FAIL|ERROR|skipped)/.exec(line);
    if (result !== null && current !== undefined) outcomes.set(current, result[1] as Outcome);
  }
  assert.ok(/^Ran \d+ tests/m.test(output), `the harness ran:\n${output}`);
  return outcomes;
}

const peer = findSuite();

describe('W3C trace-context test suite', peerOptions(peer), () => {
  it('passes every test OpenTelemetry JS passes, and fails none, behind @opentelemetry/api', {
    timeout: 600_000,
  }, async () => {
    assertPeer(peer);
    const [zerotelPort, otelPort] = await Promise.all([startService('zerotel'), startService('opentelemetry-js')]);
    const zerotel = await runSuite(zerotelPort);
    const otel = await runSuite(otelPort);
    assert.equal(zerotel.size, 41, 'the suite has 41 tests');
    assert.equal(otel.size, 41);
    const otelPassed = [...otel].filter(([, o]) => o === 'ok').map(([n]) => n);
    // OpenTelemetry JS 3.1 passes 36 (it keeps the good members of a bad tracestate, which the strict tests refuse).
    assert.ok(otelPassed.length >= 30, `OpenTelemetry JS passed ${otelPassed.length}`);
    for (const name of otelPassed)
      assert.equal(zerotel.get(name), 'ok', `${name}: OpenTelemetry JS passes it, zerotel must`);
    const failed = [...zerotel].filter(([, o]) => o === 'FAIL' || o === 'ERROR').map(([n]) => n);
    assert.deepEqual(failed, []);
    // Only the Level 2 test (test_propagates_random_flag) is skipped at spec level 1.
    assert.deepEqual(
      [...zerotel].filter(([, o]) => o === 'skipped').map(([n]) => n),
      ['test_propagates_random_flag'],
    );
  });
});
