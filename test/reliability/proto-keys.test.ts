/**
 * `__proto__`, `constructor` and `prototype` are ordinary keys, as OPA stores them. A path segment
 * `__proto__` used to be assigned to an object (which replaces its prototype): PUT answered 204 and
 * stored nothing, GET answered `{}`, DELETE 404. The same names in a configuration (upstreams,
 * services, labels) used to vanish the same way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReferenceServer, type ReferenceServer } from '../../lib/opa/app.js';
import { parseConfig } from '../../lib/opa/config.js';
import { request, startPeer, type Peer } from '../opa/helpers.js';

const NAMES = ['__proto__', 'constructor', 'prototype'];

describe('special names as data paths', () => {
  let server: ReferenceServer;
  let base: string;
  before(async () => {
    server = createReferenceServer({ runtimeMetrics: false, log: () => {} });
    const { port } = await server.listen(0);
    base = `http://127.0.0.1:${port}/v1/data`;
  });
  after(() => server.shutdown(2000));

  for (const name of NAMES) {
    it(`PUT, GET, PATCH and DELETE at /p/${name} and /${name}/x store and remove the document`, async () => {
      assert.equal((await request(`${base}/p/${name}`, { method: 'PUT', body: '{"v":1}' })).status, 204);
      assert.deepEqual((await request(`${base}/p/${name}`)).json(), { result: { v: 1 } });
      assert.equal((await request(`${base}/p`)).text, `{"result":{"${name}":{"v":1}}}\n`);

      assert.equal((await request(`${base}/${name}/x`, { method: 'PUT', body: '2' })).status, 204);
      assert.deepEqual((await request(`${base}/${name}`)).json(), { result: { x: 2 } });

      const patch = JSON.stringify([{ op: 'add', path: `/${name}/y`, value: 3 }]);
      assert.equal((await request(`${base}/p`, { method: 'PATCH', body: patch })).status, 204);
      assert.deepEqual((await request(`${base}/p/${name}`)).json(), { result: { v: 1, y: 3 } });

      assert.equal((await request(`${base}/p/${name}`, { method: 'DELETE' })).status, 204);
      assert.equal((await request(`${base}/p/${name}`)).text, '{}\n');
      assert.equal((await request(`${base}/p/${name}`, { method: 'DELETE' })).status, 404);
      assert.equal((await request(`${base}/${name}`, { method: 'DELETE' })).status, 204);
      assert.deepEqual((await request(`${base}`)).json(), { result: { p: {} } });
      assert.equal((await request(`${base}/p`, { method: 'DELETE' })).status, 204);
    });
  }

  it('a __proto__ key in a body reads back the same through a path', async () => {
    assert.equal((await request(`${base}/b`, { method: 'PUT', body: '{"__proto__":{"polluted":true}}' })).status, 204);
    assert.deepEqual((await request(`${base}/b/__proto__/polluted`)).json(), { result: true });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype was touched');
  });
});

describe('special names in the configuration', () => {
  let peer: Peer;
  before(async () => {
    peer = await startPeer(
      (_r, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"up":1}'),
    );
  });
  after(() => peer.close());

  it('upstreams.__proto__ is an upstream, fetched at /v1/data/upstreams/__proto__', async () => {
    const config = parseConfig(
      // Written as text: in an object literal, `__proto__:` would set a prototype instead of a key.
      `{"upstreams": {"__proto__": {"url": "${peer.url}"}, "constructor": {"url": "${peer.url}"}}}`,
      { env: {} },
    );
    assert.deepEqual(Object.keys(config.upstreams), ['__proto__', 'constructor']);
    const server = createReferenceServer({ config, runtimeMetrics: false, log: () => {} });
    try {
      const { port } = await server.listen(0);
      const reply = await request(`http://127.0.0.1:${port}/v1/data/upstreams/__proto__`);
      assert.deepEqual(reply.json(), { result: { up: 1 } });
      const all = await request(`http://127.0.0.1:${port}/v1/data/upstreams`);
      assert.equal(all.text, '{"result":{"__proto__":{"up":1},"constructor":{"up":1}}}\n');
    } finally {
      await server.shutdown(2000);
    }
  });

  it('services.__proto__ and labels.__proto__ are kept as given', () => {
    const config = parseConfig(
      `{"services": {"__proto__": {"url": "${peer.url}"}}, "labels": {"__proto__": "x"}, "status": {"service": "__proto__"}}`,
      { env: {} },
    );
    assert.deepEqual(Object.keys(config.services), ['__proto__']);
    assert.equal(config.services['__proto__']!.url, peer.url);
    assert.deepEqual(Object.entries(config.labels), [['__proto__', 'x']]);
    assert.equal(config.status?.service, '__proto__');
  });
});
