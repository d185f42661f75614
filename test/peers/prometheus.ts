/**
 * A real Prometheus server (Debian's `prometheus`) as a test peer: found on PATH (or $PROMETHEUS), started on a
 * free loopback port with a one-second scrape of one target, queried over its HTTP API, and stopped.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort, request, waitFor } from '../opa/helpers.js';
import { isExecutable, type PeerStatus } from './require-peer.js';

export interface PrometheusPeer extends PeerStatus {
  readonly path: string | undefined;
}

export function findPrometheus(): PrometheusPeer {
  const candidates = process.env.PROMETHEUS
    ? [process.env.PROMETHEUS]
    : [
        ...(process.env.PATH ?? '')
          .split(delimiter)
          .filter((d) => d !== '')
          .map((d) => join(d, 'prometheus')),
        '/usr/bin/prometheus',
      ];
  const path = candidates.find(isExecutable);
  if (path === undefined) {
    return {
      name: 'prometheus',
      path,
      missing: `no executable prometheus (looked at ${candidates.join(', ')}; Debian package "prometheus")`,
    };
  }
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.status !== 0)
    return { name: 'prometheus', path, missing: `${path} --version failed: ${probe.error?.message ?? probe.stderr}` };
  return { name: 'prometheus', path, missing: undefined };
}

/** The `data` of a successful Prometheus API answer. */
export async function api(base: string, path: string): Promise<any> {
  const res = await request(`${base}${path}`);
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assert.equal(body.status, 'success', res.text);
  return body.data;
}

/** The result vector of an instant query. */
export async function query(base: string, promql: string): Promise<any[]> {
  return (await api(base, `/api/v1/query?query=${encodeURIComponent(promql)}`)).result;
}

/** Stops a child: SIGTERM, then SIGKILL after 5 s. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface RunningPrometheus {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT` of its API. */
  readonly base: string;
  /** What it printed so far, for failure messages. */
  readonly output: string[];
}

/**
 * Starts Prometheus with its data in `dir`, scraping `target` (host:port) every second as job "opa" with the
 * given feature flags, and waits until the target is up. The caller stops `child` (see `stop`).
 */
export async function startPrometheus(
  peer: PrometheusPeer,
  target: string,
  dir: string,
  features: readonly string[],
): Promise<RunningPrometheus> {
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: "opa"',
      '    metrics_path: "/metrics"',
      '    static_configs:',
      '      - targets:',
      `        - "${target}"`,
      '',
    ].join('\n'),
  );
  const promPort = await freePort();
  const base = `http://127.0.0.1:${promPort}`;
  const child = spawn(
    peer.path!,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      ...features.map((f) => `--enable-feature=${f}`),
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const running = { child, base, output };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited early:\n${output.join('')}`);
        try {
          const targets = await api(base, '/api/v1/targets');
          return targets.activeTargets.some((t: any) => t.health === 'up');
        } catch {
          return false;
        }
      },
      `the target to be up (prometheus output:\n${output.join('')})`,
      60_000,
    );
  } catch (error) {
    await stop(child);
    throw error;
  }
  return running;
}
