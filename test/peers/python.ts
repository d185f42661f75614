/**
 * Debian's Python 3 with its `python3-prometheus-client` package as a peer. It must be the system
 * interpreter (/usr/bin/python3): the first `python3` on a developer's PATH is often another one
 * (pyenv, a venv) without that package or with another version of it.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { PeerStatus } from './require-peer.js';
import { assertPeer } from './require-peer.js';

/** The interpreter used: $PEER_PYTHON when set (for other systems), else Debian's. */
export const PYTHON = process.env.PEER_PYTHON || '/usr/bin/python3';

/** `-I`: ignore PYTHON* variables and user site-packages; `-X utf8`: UTF-8 stdio whatever the locale. */
const FLAGS = ['-I', '-X', 'utf8'];

export interface PythonPeer extends PeerStatus {
  /** prometheus_client's version, when importable. */
  readonly clientVersion: string | undefined;
}

let cached: PythonPeer | undefined;

/** Checks that the interpreter runs and imports prometheus_client (text and OpenMetrics parsers). */
export function findPythonPrometheusClient(): PythonPeer {
  if (cached !== undefined) return cached;
  const probe = spawnSync(
    PYTHON,
    [
      ...FLAGS,
      '-c',
      [
        'import prometheus_client.parser, prometheus_client.openmetrics.parser',
        'try:',
        '    from importlib.metadata import version',
        '    print(version("prometheus_client"))',
        'except Exception:',
        '    print("unknown")',
      ].join('\n'),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const name = `${PYTHON} with prometheus_client`;
  if (probe.error) {
    cached = { name, clientVersion: undefined, missing: `cannot run ${PYTHON}: ${probe.error.message}` };
  } else if (probe.status !== 0) {
    cached = {
      name,
      clientVersion: undefined,
      missing: `${PYTHON} cannot import prometheus_client (Debian package python3-prometheus-client): ${lastLine(probe.stderr)}`,
    };
  } else {
    cached = { name, clientVersion: probe.stdout.trim(), missing: undefined };
  }
  return cached;
}

/**
 * Runs a Python script with `input` on its stdin and returns its stdout (UTF-8).
 * A non-zero exit throws with the script's stderr.
 */
export function runPython(script: string, input: string | Uint8Array, timeoutMs = 120_000): Promise<string> {
  assertPeer(findPythonPrometheusClient());
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [...FLAGS, '-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(
          new Error(`${PYTHON} exited with ${code ?? signal}${signal === 'SIGKILL' ? ' (timed out)' : ''}:\n${stderr}`),
        );
        return;
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
    child.stdin.end(input);
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
