import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Counter } from '../../lib/metrics/counter.js';
import { Registry } from '../../lib/metrics/registry.js';
import { writeText } from '../../lib/exposition/text.js';
import { PluginManager } from '../../lib/opa/payload.js';
import { StatusReporter, statusUrl } from '../../lib/opa/reporter.js';
import { Lines, startPeer, waitFor } from './helpers.js';

const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 40 };

describe('StatusReporter', () => {
  it('pushes labels, plugins and metrics.prometheus on every plugin change', async () => {
    const receiver = await startPeer((_r, res) => void res.writeHead(200).end());
    const registry = new Registry();
    new Counter({ name: 'pushes_seen_total', help: 'A counter.', registers: [registry] }).inc(2);
    const plugins = new PluginManager({ id: 'id-1', labels: { env: 'test' } });
    const reporter = new StatusReporter({
      plugins,
      registry,
      service: { url: `${receiver.url}/api/`, headers: { 'x-tenant': 't1' }, bearer: { token: 'secret' } },
      partitionName: 'east',
      log: () => {},
    });
    try {
      assert.equal(plugins.get('status')?.state, 'NOT_READY');
      reporter.start();
      assert.equal(plugins.get('status')?.state, 'OK');
      await waitFor(() => receiver.received.length >= 1, 'the first push');
      plugins.update('decision_logs', { state: 'ERROR', message: 'cannot write' });
      await waitFor(
        () => receiver.received.some((r) => JSON.parse(r.body).plugins?.decision_logs?.state === 'ERROR'),
        'a push with the new state',
      );
      await reporter.idle();
      const last = receiver.received.at(-1)!;
      assert.equal(last.method, 'POST');
      assert.equal(last.url, '/api/status/east');
      assert.equal(last.headers['content-type'], 'application/json');
      assert.equal(last.headers['authorization'], 'Bearer secret');
      assert.equal(last.headers['x-tenant'], 't1');
      assert.equal(last.headers['traceparent'], undefined, 'status pushes are not traced');
      const body = JSON.parse(last.body);
      assert.deepEqual(body.labels, { env: 'test', id: 'id-1', version: body.labels.version });
      assert.deepEqual(body.plugins, {
        decision_logs: { state: 'ERROR', message: 'cannot write' },
        status: { state: 'OK' },
      });
      assert.deepEqual(body.metrics.prometheus.pushes_seen_total, {
        name: 'pushes_seen_total',
        help: 'A counter.',
        type: 'COUNTER',
        metric: [{ counter: { value: 2 } }],
      });
      assert.ok(body.metrics.prometheus.zerotel_status_pushes_total, 'its own counter is in the registry');
      assert.deepEqual(await reporter.snapshot(), { ...body, metrics: (await reporter.snapshot()).metrics });
    } finally {
      await reporter.stop(2000);
      await receiver.close();
    }
  });

  it('retries a failed push with backoff, a bounded number of times', async () => {
    const receiver = await startPeer((_r, res, i) => void res.writeHead(i < 2 ? 503 : 200).end());
    const plugins = new PluginManager();
    const warnings: string[] = [];
    const reporter = new StatusReporter({
      plugins,
      service: { url: receiver.url },
      retry: FAST_RETRY,
      log: (m) => warnings.push(m),
    });
    try {
      reporter.start();
      await waitFor(() => reporter.counts.success === 1, 'the third attempt to succeed');
      await reporter.idle();
      assert.equal(receiver.received.length, 3);
      assert.equal(reporter.counts.failure, 2);
      assert.match(warnings[0]!, /server replied with HTTP 503/);
      assert.equal(receiver.received[0]!.url, '/status');

      // Always failing now: it gives up after maxAttempts.
      const down = await startPeer((_r, res) => void res.writeHead(500).end());
      const r2 = new StatusReporter({
        plugins: new PluginManager(),
        service: { url: down.url },
        retry: FAST_RETRY,
        log: () => {},
      });
      r2.start();
      await waitFor(() => r2.counts.gave_up === 1, 'giving up');
      await r2.idle();
      assert.equal(down.received.length, FAST_RETRY.maxAttempts);
      await r2.stop(500);
      await down.close();
    } finally {
      await reporter.stop(2000);
      await receiver.close();
    }
  });

  it('replaces an update being retried by a newer state, never queueing them', async () => {
    let failing = true;
    const receiver = await startPeer((_r, res) => void res.writeHead(failing ? 500 : 200).end());
    const plugins = new PluginManager();
    const reporter = new StatusReporter({
      plugins,
      service: { url: receiver.url },
      retry: { maxAttempts: 1000, initialDelayMs: 20, maxDelayMs: 20 },
      log: () => {},
    });
    try {
      reporter.start();
      await waitFor(() => receiver.received.length >= 1, 'a first failed push');
      const before = receiver.received.length;
      for (let i = 0; i < 50; i++)
        plugins.update('worker', { state: i % 2 === 0 ? 'WARN' : 'ERROR', message: `step ${i}` });
      plugins.update('worker', { state: 'OK', message: 'final' });
      failing = false;
      await waitFor(() => reporter.counts.success >= 1, 'a successful push');
      await reporter.idle();
      const last = JSON.parse(receiver.received.at(-1)!.body);
      assert.deepEqual(last.plugins.worker, { state: 'OK', message: 'final' });
      // 51 state changes, but never a queue: at most the push already on its way, then the newest state.
      assert.ok(receiver.received.length - before <= 2, `${receiver.received.length - before} pushes after the burst`);
    } finally {
      await reporter.stop(2000);
      await receiver.close();
    }
  });

  it('console mode logs the update as OPA does, and prometheus mode adds its metrics', async () => {
    const lines = new Lines();
    const registry = new Registry();
    const plugins = new PluginManager({ id: 'x' });
    const reporter = new StatusReporter({
      plugins,
      registry,
      console: true,
      consoleWrite: lines.write,
      prometheus: true,
    });
    reporter.start();
    await reporter.idle();
    plugins.update('decision_logs', { state: 'OK' });
    await reporter.idle();
    const records = lines.json();
    assert.ok(records.length >= 2);
    const last = records.at(-1);
    assert.equal(last.msg, 'Status Log');
    assert.equal(last.type, 'openpolicyagent.org/status');
    assert.equal(last.level, 'info');
    assert.deepEqual(last.labels.id, 'x');
    assert.deepEqual(last.plugins, { decision_logs: { state: 'OK' }, status: { state: 'OK' } });
    const text = writeText(registry.collect());
    assert.match(text, /# HELP plugin_status_gauge Gauge for the plugin by status\.\n/);
    assert.match(text, /plugin_status_gauge\{name="decision_logs",status="OK"\} 1\n/);
    assert.match(text, /opa_info\{version="[^"]+"\} 1\n/);
    await reporter.stop(500);
    assert.equal(plugins.get('status')?.state, 'NOT_READY');
    assert.doesNotMatch(writeText(registry.collect()), /plugin_status_gauge/);
  });

  it('manual trigger sends only when asked; stop sends the final state', async () => {
    const receiver = await startPeer((_r, res) => void res.writeHead(204).end());
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-status-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'from-file\n');
    const plugins = new PluginManager();
    const reporter = new StatusReporter({
      plugins,
      service: { url: receiver.url, bearer: { tokenPath: tokenFile, scheme: 'Token' } },
      trigger: 'manual',
      log: () => {},
    });
    try {
      reporter.start();
      plugins.update('a', { state: 'OK' });
      await reporter.idle();
      assert.equal(receiver.received.length, 0);
      await reporter.trigger();
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.headers['authorization'], 'Token from-file');
      plugins.update('a', { state: 'ERROR' });
      assert.equal(await reporter.stop(2000), true);
      assert.equal(receiver.received.length, 2);
      assert.equal(JSON.parse(receiver.received[1]!.body).plugins.a.state, 'ERROR');
    } finally {
      await reporter.stop(100);
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stop is bounded when the service hangs', async () => {
    const receiver = await startPeer(() => {
      /* never answers */
    });
    const reporter = new StatusReporter({
      plugins: new PluginManager(),
      service: { url: receiver.url, timeoutMs: 60_000 },
      log: () => {},
    });
    reporter.start();
    await waitFor(() => receiver.received.length >= 1, 'the push to arrive');
    assert.equal(await reporter.stop(200), false);
    await receiver.close();
  });

  it('builds push URLs as OPA documents them', () => {
    assert.equal(statusUrl('http://h:1/'), 'http://h:1/status');
    assert.equal(statusUrl('http://h:1/base', 'p1'), 'http://h:1/base/status/p1');
  });
});
