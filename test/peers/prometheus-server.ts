/**
 * A real Prometheus server (Debian's `prometheus`) for tests that push to it: found once, started on a free
 * loopback port with any configuration and flags and a throwaway storage directory, queried over its HTTP
 * API, and stopped (directory removed) by the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../opa/helpers.js';
import { stop as stopChild } from './prometheus.js';

// The binary is found as for the scraping tests.
export { findPrometheus, type PrometheusPeer } from './prometheus.js';

export interface RunningPrometheus {
  readonly base: string;
  /** GET an API path and return its `data`, throwing unless the answer is a success. */
  api(path: string): Promise<any>;
  output(): string;
  stop(): Promise<void>;
}

/** Starts Prometheus with `config` (YAML text) and extra flags, resolving once its API answers. */
export async function startPrometheusServer(
  path: string,
  config: string,
  flags: readonly string[] = [],
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'zerotel-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child: ChildProcess = spawn(
    path,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const api = async (apiPath: string): Promise<any> => {
    const res = await fetch(`${base}${apiPath}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${apiPath}: ${res.status} ${text}`);
    const body = JSON.parse(text);
    if (body.status !== 'success') throw new Error(`GET ${apiPath}: ${text}`);
    return body.data;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited early:\n${output.join('')}`);
        try {
          return (await fetch(`${base}/-/ready`)).status === 200;
        } catch {
          return false;
        }
      },
      'prometheus to be ready',
      60_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { base, api, output: () => output.join(''), stop };
}
