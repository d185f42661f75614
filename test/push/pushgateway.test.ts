/**
 * The Pushgateway client against Debian's real prometheus-pushgateway (route prefix, grouping keys with
 * base64 escaping, PUT/POST/DELETE, gzip, error statuses), and request details (basic auth, headers,
 * timeout) against a local server that records what it receives.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { groupingPath, pushToGateway } from '../../lib/push/index.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { findPushgateway, startPushgateway, type RunningPushgateway } from '../peers/pushgateway.js';
import { parseSamples } from '../compat/samples.js';
import { makeCertificates } from '../helpers/certificates.js';

const peer = findPushgateway();

describe('groupingPath', () => {
  it('escapes values with a slash and empty values in the @base64 form, others as URL components', () => {
    assert.equal(groupingPath('nightly'), '/metrics/job/nightly');
    assert.equal(
      groupingPath('a/b', { instance: 'host:1', path: '/var/tmp', empty: '', space: 'x y' }),
      '/metrics/job@base64/YS9i/instance/host%3A1/path@base64/L3Zhci90bXA/empty@base64/=/space/x%20y',
    );
    assert.throws(() => groupingPath(''), /job name must be a non-empty string/);
    assert.throws(() => groupingPath('j', { 'bad-name': 'x' }), /grouping label name "bad-name" is invalid/);
  });
});

describe('pushToGateway against prometheus-pushgateway', peerOptions(peer), () => {
  let gateway: RunningPushgateway;
  before(async () => {
    assertPeer(peer);
    gateway = await startPushgateway('/gw');
  });
  after(() => gateway?.stop());

  const body = (name: string, value: number) => `# TYPE ${name} gauge\n${name} ${value}\n`;

  it('PUT replaces a group addressed by an escaped grouping key under the URL path prefix', async () => {
    const groupings = { instance: 'web/1', shard: '' };
    await pushToGateway({
      url: gateway.url,
      job: 'batch/nightly',
      groupings,
      method: 'PUT',
      body: body('done_a', 1) + body('done_b', 2),
    });
    let samples = parseSamples(await gateway.scrape());
    assert.equal(samples.get('done_a{instance="web/1",job="batch/nightly"}'), 1);
    assert.equal(samples.get('done_b{instance="web/1",job="batch/nightly"}'), 2);
    await pushToGateway({ url: gateway.url, job: 'batch/nightly', groupings, method: 'PUT', body: body('done_a', 3) });
    samples = parseSamples(await gateway.scrape());
    assert.equal(samples.get('done_a{instance="web/1",job="batch/nightly"}'), 3);
    assert.equal(samples.has('done_b{instance="web/1",job="batch/nightly"}'), false);
  });

  it('POST replaces only the names pushed; DELETE removes the group', async () => {
    await pushToGateway({ url: gateway.url, job: 'post', method: 'PUT', body: body('p_a', 1) + body('p_b', 1) });
    await pushToGateway({ url: gateway.url, job: 'post', method: 'POST', body: body('p_a', 5), gzip: true });
    let samples = parseSamples(await gateway.scrape());
    assert.equal(samples.get('p_a{job="post"}'), 5);
    assert.equal(samples.get('p_b{job="post"}'), 1);
    const result = await pushToGateway({ url: gateway.url + '/', job: 'post', method: 'DELETE' });
    assert.equal(result.status, 202);
    samples = parseSamples(await gateway.scrape());
    assert.equal(samples.has('p_a{job="post"}'), false);
  });

  it('rejects with the status and the gateway’s message when the push is refused', async () => {
    await assert.rejects(
      pushToGateway({ url: gateway.url, job: 'bad', method: 'PUT', body: 'not a metric line {\n' }),
      /^Error: push failed with status 400, .+/,
    );
    await assert.rejects(pushToGateway({ url: 'ftp://x', job: 'j', method: 'PUT' }), /must be http or https/);
    await assert.rejects(pushToGateway({ url: gateway.url, job: 'j', method: 'GET' as never }), /PUT, POST or DELETE/);
  });
});

describe('pushToGateway request details', () => {
  let server: Server;
  let url = '';
  const seen: { req: IncomingMessage; body: Buffer }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ req, body: Buffer.concat(chunks) });
        if (req.url?.includes('/slow')) return; // never answers: the client's timeout must fire
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends basic auth from the URL, the headers given and a gzipped body', async () => {
    const u = new URL(url);
    u.username = 'user';
    u.password = 'p@ss word';
    await pushToGateway({
      url: u.toString() + 'prefix',
      job: 'j',
      method: 'PUT',
      body: 'm 1\n',
      headers: { 'X-Extra': 'yes', 'Content-Encoding': 'gzip' },
    });
    const { req, body } = seen.at(-1)!;
    assert.equal(req.url, '/prefix/metrics/job/j');
    assert.equal(req.headers.authorization, 'Basic ' + Buffer.from('user:p@ss word').toString('base64'));
    assert.equal(req.headers['x-extra'], 'yes');
    assert.equal(req.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(gunzipSync(body).toString(), 'm 1\n');
  });

  it('fails a request that outlives its timeout', async () => {
    await assert.rejects(
      pushToGateway({ url: url + '/slow', job: 'j', method: 'PUT', body: 'm 1\n', timeout: 200 }),
      /Pushgateway request timed out/,
    );
  });
});

describe('pushToGateway over https', () => {
  const certs = makeCertificates();
  const skip = 'skip' in certs ? certs.skip : undefined;

  it('pushes over TLS to a gateway whose CA is given, and refuses one it cannot verify', { skip }, async () => {
    if ('skip' in certs) return;
    const received: string[] = [];
    const server = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey }, (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/gw`;
      await pushToGateway({ url, job: 'tls', method: 'POST', body: 'm 1\n', requestOptions: { ca: certs.ca } });
      assert.deepEqual(received, ['POST /gw/metrics/job/tls m 1\n']);
      await assert.rejects(
        pushToGateway({ url, job: 'tls', method: 'POST', body: 'm 1\n', requestOptions: { ca: certs.otherCa } }),
        /certificate/,
      );
    } finally {
      server.closeAllConnections();
      server.close();
      certs.remove();
    }
  });
});
