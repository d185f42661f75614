import { strict as assert } from 'node:assert';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { boolParam, healthHandler } from '../../lib/opa/health.js';
import { PluginManager } from '../../lib/opa/payload.js';
import { request } from './helpers.js';

describe('healthHandler', () => {
  const plugins = new PluginManager({ id: 'test' });
  let ready = true;
  let server: Server;
  let url: string;

  before(async () => {
    const handler = healthHandler({
      plugins: () => ({ states: plugins.all(), ready: plugins.pluginsReady }),
      ready: () => ready,
    });
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function health(path: string): Promise<{ status: number; body: unknown }> {
    const res = await request(`${url}${path}`);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.ok(res.text.endsWith('\n'));
    return { status: res.status, body: res.json() };
  }

  it('answers 200 {} with no parameters, whatever the plugins say', async () => {
    plugins.update('status', { state: 'NOT_READY' });
    assert.deepEqual(await health('/health'), { status: 200, body: {} });
  });

  it('follows plugin states with ?plugins, and exclude-plugin skips named plugins', async () => {
    plugins.update('status', { state: 'NOT_READY' });
    plugins.update('decision_logs', { state: 'OK' });
    assert.deepEqual(await health('/health?plugins'), {
      status: 500,
      body: { error: 'one or more plugins are not up' },
    });
    assert.deepEqual(await health('/health?plugins&exclude-plugin=status'), { status: 200, body: {} });
    plugins.update('distributed_tracing', { state: 'ERROR', message: 'collector down' });
    assert.equal((await health('/health?plugins&exclude-plugin=status')).status, 500);
    assert.equal(
      (await health('/health?plugins&exclude-plugin=status&exclude-plugin=distributed_tracing')).status,
      200,
    );
    plugins.update('distributed_tracing', { state: 'WARN' });
    assert.equal((await health('/health?plugins=true&exclude-plugin=status')).status, 500, 'WARN is not OK');
    assert.equal((await health('/health?plugins=false')).status, 200);
    plugins.update('distributed_tracing', { state: 'OK' });
    plugins.update('status', { state: 'OK' });
    assert.deepEqual(await health('/health?plugins'), { status: 200, body: {} });
  });

  it('checks bundle and discovery plugins with ?bundles (and the older ?bundle)', async () => {
    assert.equal((await health('/health?bundles')).status, 200, 'no bundle plugin: nothing to wait for');
    plugins.update('bundle', { state: 'NOT_READY' });
    assert.deepEqual(await health('/health?bundles'), {
      status: 500,
      body: { error: 'one or more bundles are not activated' },
    });
    assert.equal((await health('/health?bundle=true')).status, 500);
    plugins.update('bundle', { state: 'OK' });
    assert.equal((await health('/health?bundles')).status, 200);
    plugins.remove('bundle');
  });

  it('/health/live is true; /health/ready latches once every plugin was OK', async () => {
    const fresh = new PluginManager();
    fresh.update('a', { state: 'NOT_READY' });
    assert.equal(fresh.pluginsReady, false);
    fresh.update('a', { state: 'OK' });
    assert.equal(fresh.pluginsReady, true);
    fresh.update('a', { state: 'ERROR' });
    assert.equal(fresh.pluginsReady, true, 'stays ready after a later failure, as OPA');

    assert.deepEqual(await health('/health/live'), { status: 200, body: {} });
    assert.deepEqual(await health('/health/ready'), { status: 200, body: {} });
    ready = false;
    assert.deepEqual(await health('/health/ready'), {
      status: 500,
      body: { error: 'health check (data.system.health.ready) returned unexpected value' },
    });
    ready = true;
    assert.deepEqual(await health('/health/other/thing'), {
      status: 500,
      body: { error: 'health check (data.system.health.other.thing) was undefined' },
    });
  });

  it('reads boolean parameters as OPA does', () => {
    const q = (s: string) => new URLSearchParams(s);
    assert.equal(boolParam(q('plugins'), 'plugins'), true);
    assert.equal(boolParam(q('plugins=TRUE'), 'plugins'), true);
    assert.equal(boolParam(q('plugins=no'), 'plugins'), false);
    assert.equal(boolParam(q('other'), 'plugins'), false);
  });
});
