import { strict as assert } from 'node:assert';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../lib/opa/config.js';
import { createReferenceServer, type ReferenceServer } from '../../lib/opa/app.js';
import { Lines, type Peer, request, startPeer } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Data API (/v1/data)', () => {
  let upstream: Peer;
  let server: ReferenceServer;
  let base: string;
  const stdout = new Lines();
  const warnings: string[] = [];

  before(async () => {
    upstream = await startPeer((r, res) => {
      if (r.url === '/broken') return void res.writeHead(502).end('bad gateway');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ temp: 21, where: ['a', 'b'] }));
    });
    const config = parseConfig(
      {
        decision_logs: { console: true },
        server: { decoding: { max_length: 1024, gzip: { max_length: 2048 } } },
        upstreams: {
          weather: { url: `${upstream.url}/now` },
          broken: { url: `${upstream.url}/broken` },
        },
        labels: { team: 'x' },
      },
      { env: {} },
    );
    server = createReferenceServer({ config, env: {}, stdout: stdout.write, log: (m) => warnings.push(m), id: 'inst' });
    const address = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await server.shutdown(2000);
    await upstream.close();
  });

  it('PUT writes (creating parents), GET reads, with decision ids', async () => {
    const put = await request(`${base}/v1/data/apps/web/config`, { method: 'PUT', body: '{"replicas": 3}' });
    assert.equal(put.status, 204);
    assert.equal(put.text, '');
    const get = await request(`${base}/v1/data/apps/web`);
    assert.equal(get.status, 200);
    assert.equal(get.headers['content-type'], 'application/json');
    const body = get.json();
    assert.deepEqual(body.result, { config: { replicas: 3 } });
    assert.match(body.decision_id, UUID);
    assert.equal(get.text, `${JSON.stringify(body)}\n`);
    const pretty = await request(`${base}/v1/data/apps/web/config/replicas?pretty=true`);
    assert.equal(pretty.text, `{\n  "result": 3,\n  "decision_id": ${JSON.stringify(pretty.json().decision_id)}\n}\n`);
  });

  it('an undefined document answers 200 without result', async () => {
    const res = await request(`${base}/v1/data/nothing/here`);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json()), ['decision_id']);
  });

  it('POST reads with input, warns when input is missing, and logs decisions', async () => {
    stdout.lines.length = 0;
    const res = await request(`${base}/v1/data/apps/web/config`, {
      method: 'POST',
      body: '{"input": {"user": "alice"}}',
    });
    assert.equal(res.status, 200);
    const body = res.json();
    assert.deepEqual(body.result, { replicas: 3 });
    assert.equal(body.warning, undefined);
    const noInput = (await request(`${base}/v1/data/apps`, { method: 'POST', body: '{}' })).json();
    assert.deepEqual(noInput.warning, { code: 'api_usage_warning', message: "'input' key missing from the request" });
    const logs = stdout.json();
    assert.equal(logs.length, 2);
    const first = logs[0];
    assert.equal(first.decision_id, body.decision_id);
    assert.equal(first.path, 'apps/web/config');
    assert.deepEqual(first.input, { user: 'alice' });
    assert.deepEqual(first.result, { replicas: 3 });
    assert.deepEqual(first.labels, { team: 'x', id: 'inst', version: first.labels.version });
    assert.match(first.requested_by, /^127\.0\.0\.1:\d+$/);
    assert.match(first.timestamp, /^\d{4}-\d\d-\d\dT/);
    assert.equal(first.type, 'openpolicyagent.org/decision_logs');
    assert.equal(first.msg, 'Decision Log');
    assert.equal(logs[1].input, undefined);
  });

  it('answers OPA error bodies for bad JSON and missing documents', async () => {
    const badPut = await request(`${base}/v1/data/x`, { method: 'PUT', body: '{nope' });
    assert.equal(badPut.status, 400);
    assert.equal(badPut.json().code, 'invalid_parameter');
    assert.ok(
      badPut.text.startsWith('{\n  "code": "invalid_parameter",\n  "message": '),
      'indented as OPA writes errors',
    );
    const badPost = await request(`${base}/v1/data/x`, { method: 'POST', body: '[1,' });
    assert.equal(badPost.status, 400);
    assert.match(badPost.json().message, /^body contains malformed input document: /);
    const badGet = await request(`${base}/v1/data/x?input=%7Bnope`);
    assert.equal(badGet.status, 400);
    assert.match(badGet.json().message, /^parameter contains malformed input document: /);
    const del = await request(`${base}/v1/data/does/not/exist`, { method: 'DELETE' });
    assert.equal(del.status, 404);
    assert.deepEqual(del.json(), {
      code: 'resource_not_found',
      message: 'storage_not_found_error: /does/not/exist: document missing',
    });
    const patchMissing = await request(`${base}/v1/data/apps`, {
      method: 'PATCH',
      body: JSON.stringify([{ op: 'replace', path: '/nope', value: 1 }]),
    });
    assert.equal(patchMissing.status, 404);
    assert.equal(patchMissing.json().code, 'resource_not_found');
    const badOp = await request(`${base}/v1/data/apps`, {
      method: 'PATCH',
      body: JSON.stringify([{ op: 'move', path: '/a' }]),
    });
    assert.deepEqual(badOp.json(), { code: 'invalid_parameter', message: 'bad patch operation: move' });
    const emptyPut = await request(`${base}/v1/data/x`, { method: 'PUT', body: '' });
    assert.deepEqual(emptyPut.json(), { code: 'invalid_parameter', message: 'EOF' });
  });

  it('PATCH applies add/remove/replace all or nothing; DELETE removes; If-None-Match', async () => {
    await request(`${base}/v1/data/p`, { method: 'PUT', body: '{"list": [1, 2], "keep": true}' });
    const ok = await request(`${base}/v1/data/p`, {
      method: 'PATCH',
      body: JSON.stringify([
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'replace', path: 'keep', value: false },
        { op: 'add', path: '/a~1b', value: 'slash' },
      ]),
    });
    assert.equal(ok.status, 204);
    assert.deepEqual((await request(`${base}/v1/data/p`)).json().result, {
      list: [1, 2, 3],
      keep: false,
      'a/b': 'slash',
    });
    const failed = await request(`${base}/v1/data/p`, {
      method: 'PATCH',
      body: JSON.stringify([
        { op: 'remove', path: '/keep' },
        { op: 'remove', path: '/missing' },
      ]),
    });
    assert.equal(failed.status, 404);
    assert.equal((await request(`${base}/v1/data/p/keep`)).json().result, false, 'nothing applied');
    assert.equal(
      (await request(`${base}/v1/data/p`, { method: 'PUT', body: '1', headers: { 'if-none-match': '*' } })).status,
      304,
    );
    assert.equal((await request(`${base}/v1/data/p/list`, { method: 'DELETE' })).status, 204);
    assert.deepEqual((await request(`${base}/v1/data/p`)).json().result, { keep: false, 'a/b': 'slash' });
    const conflict = await request(`${base}/v1/data/p/keep/deeper`, { method: 'PUT', body: '1' });
    assert.equal(conflict.status, 404);
    assert.equal(conflict.json().code, 'resource_conflict');
  });

  it('refuses a body over server.decoding.max_length before reading it', async () => {
    const declared = await request(`${base}/v1/data/big`, {
      method: 'PUT',
      body: JSON.stringify({ x: 'y'.repeat(2000) }),
    });
    assert.equal(declared.status, 400);
    assert.deepEqual(declared.json(), { code: 'invalid_parameter', message: 'request body too large' });

    // Declares 100 MB, sends a few bytes, and waits: the answer must come without the rest.
    const port = Number(new URL(base).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error('no answer before the body was complete')));
      socket.write(
        `PUT /v1/data/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"a":`,
      );
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /request body too large/);

    // Chunked: refused as soon as it passes the limit.
    const chunked = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
      const chunk = 'x'.repeat(600);
      socket.write(`POST /v1/data/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
      socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    assert.match(chunked, /^HTTP\/1\.1 400 /);
    assert.match(chunked, /request body too large/);
  });

  it('reads gzip bodies within server.decoding.gzip.max_length', async () => {
    const small = gzipSync(JSON.stringify({ input: { n: 1 } }));
    const ok = await request(`${base}/v1/data/apps`, {
      method: 'POST',
      body: small,
      headers: { 'content-encoding': 'gzip' },
    });
    assert.equal(ok.status, 200);
    const bomb = gzipSync(JSON.stringify({ input: 'z'.repeat(5000) }));
    assert.ok(bomb.length < 1024);
    const refused = await request(`${base}/v1/data/apps`, {
      method: 'POST',
      body: bomb,
      headers: { 'content-encoding': 'gzip' },
    });
    assert.deepEqual(refused.json(), { code: 'invalid_parameter', message: 'compressed request body too large' });
  });

  it('fetches upstream documents when read', async () => {
    const before = upstream.received.length;
    const res = await request(`${base}/v1/data/upstreams/weather`);
    assert.deepEqual(res.json().result, { temp: 21, where: ['a', 'b'] });
    assert.equal(upstream.received.length, before + 1);
    assert.equal(upstream.received.at(-1)!.url, '/now');
    assert.deepEqual((await request(`${base}/v1/data/upstreams/weather/where/1`)).json().result, 'b');
    const all = (await request(`${base}/v1/data/upstreams`)).json().result;
    assert.deepEqual(Object.keys(all), ['weather'], 'a failing upstream is undefined');
    assert.ok(
      warnings.some((w) => /upstreams\.broken: .*HTTP 502/.test(w)),
      warnings.join('\n'),
    );
    assert.equal((await request(`${base}/v1/data/upstreams/unknown`)).json().result, undefined);
  });

  it('strict-builtin-errors turns a failed fetch into OPA evaluation error', async () => {
    const res = await request(`${base}/v1/data/upstreams/broken?strict-builtin-errors`);
    assert.equal(res.status, 500);
    const body = res.json();
    assert.equal(body.code, 'internal_error');
    assert.equal(body.message, 'error(s) occurred while evaluating query');
    assert.equal(body.errors[0].code, 'eval_builtin_error');
    assert.match(body.errors[0].message, /^upstreams\.broken: .*HTTP 502/);
  });

  it('refuses writes into what upstreams own', async () => {
    const res = await request(`${base}/v1/data/upstreams/weather`, { method: 'PUT', body: '{}' });
    assert.deepEqual(res.json(), {
      code: 'invalid_parameter',
      message: 'path upstreams/weather is owned by the upstreams configuration',
    });
    const root = await request(`${base}/v1/data`, { method: 'PUT', body: '{}' });
    assert.equal(root.status, 400);
  });

  it('routes like OPA: catchall 405, Go mux 404 and 405', async () => {
    const head = await request(`${base}/v1/data/x`, { method: 'OPTIONS' });
    assert.equal(head.status, 405);
    assert.equal((await request(`${base}/v1/data`, { method: 'DELETE' })).status, 405);
    const missing = await request(`${base}/v2/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '404 page not found\n');
    const wrong = await request(`${base}/health`, { method: 'POST' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.text, 'Method Not Allowed\n');
    const metrics = (await request(`${base}/metrics`)).text;
    assert.match(metrics, /http_request_duration_seconds_count\{code="405",handler="catchall",method="options"\} 1\n/);
    assert.match(metrics, /http_request_duration_seconds_count\{code="204",handler="v1\/data",method="put"\} \d+\n/);
  });
});
