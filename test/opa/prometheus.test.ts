/**
 * A real Prometheus server (Debian's `prometheus`) scrapes the reference server every second; its
 * HTTP API must then answer `up`, a go_* series and an http_request_duration_seconds_bucket series,
 * and, with exemplar storage on, the trace ids our duration observations carry.
 * With CI=true a missing prometheus binary fails the test; elsewhere it is skipped with the reason.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/opa/config.js';
import { createReferenceServer } from '../../lib/opa/app.js';
import { assertPeer, peerOptions, type PeerStatus } from '../peers/require-peer.js';
import { freePort, request, waitFor } from './helpers.js';

interface PrometheusPeer extends PeerStatus {
  readonly path: string | undefined;
}

function findPrometheus(): PrometheusPeer {
  const candidates = process.env.PROMETHEUS
    ? [process.env.PROMETHEUS]
    : [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'prometheus')), '/usr/bin/prometheus'];
  const path = candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (path === undefined) {
    return { name: 'prometheus', path, missing: `no executable prometheus (looked at ${candidates.join(', ')}; Debian package "prometheus")` };
  }
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.status !== 0) return { name: 'prometheus', path, missing: `${path} --version failed: ${probe.error?.message ?? probe.stderr}` };
  return { name: 'prometheus', path, missing: undefined };
}

const peer = findPrometheus();

async function api(base: string, path: string): Promise<any> {
  const res = await request(`${base}${path}`);
  assert.equal(res.status, 200, res.text);
  const body = res.json();
  assert.equal(body.status, 'success', res.text);
  return body.data;
}

function stop(child: ChildProcess): Promise<void> {
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

describe('a real Prometheus scrapes the reference server', peerOptions(peer), () => {
  it('answers up, a go_* series, the request histogram, and exemplars', { timeout: 120_000 }, async () => {
    assertPeer(peer);
    const collectorPort = await freePort(); // spans are sampled (exemplars) even though no collector listens
    const server = createReferenceServer({
      config: parseConfig({ distributed_tracing: { type: 'grpc', address: `127.0.0.1:${collectorPort}` } }, { env: {} }),
      env: { OTEL_EXPORTER_OTLP_TIMEOUT: '100' },
      log: () => {},
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const target = `127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-prometheus-'));
    let child: ChildProcess | undefined;
    const output: string[] = [];
    try {
      for (let i = 0; i < 5; i++) await request(`http://${target}/health`);
      await request(`http://${target}/v1/data/x`, { method: 'PUT', body: '{"y": 1}' });
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
      child = spawn(
        peer.path!,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--enable-feature=exemplar-storage',
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));

      await waitFor(
        async () => {
          if (child!.exitCode !== null) throw new Error(`prometheus exited early:\n${output.join('')}`);
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

      const up = await api(base, `/api/v1/query?query=${encodeURIComponent('up{job="opa"}')}`);
      assert.equal(up.result.length, 1);
      assert.equal(up.result[0].value[1], '1');
      assert.equal(up.result[0].metric.instance, target);

      const goroutines = await api(base, `/api/v1/query?query=go_goroutines`);
      assert.equal(goroutines.result.length, 1);
      assert.ok(Number(goroutines.result[0].value[1]) > 0);

      const bucket = await api(
        base,
        `/api/v1/query?query=${encodeURIComponent('http_request_duration_seconds_bucket{handler="health",code="200",method="get",le="+Inf"}')}`,
      );
      assert.equal(bucket.result.length, 1, JSON.stringify(bucket));
      assert.ok(Number(bucket.result[0].value[1]) >= 5);

      const now = Date.now() / 1000;
      let exemplars: any[] = [];
      await waitFor(async () => {
        exemplars = await api(
          base,
          `/api/v1/query_exemplars?query=${encodeURIComponent('http_request_duration_seconds_bucket{handler="v1/data"}')}&start=${now - 600}&end=${now + 600}`,
        );
        return exemplars.length > 0;
      }, 'exemplars in Prometheus', 30_000);
      const labels = exemplars[0].exemplars[0].labels;
      assert.match(labels.trace_id, /^[0-9a-f]{32}$/);
      assert.match(labels.span_id, /^[0-9a-f]{16}$/);

      await stop(child);
      await exited;
    } finally {
      if (child !== undefined) await stop(child);
      await server.shutdown(2000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
