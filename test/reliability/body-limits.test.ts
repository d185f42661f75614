/**
 * One request must not take the server down. A JSON array of ~2^27 elements makes V8 abort the
 * whole process inside `JSON.parse` (`Fatal JavaScript invalid size error`, exit 133): no answer,
 * nothing to catch. Sent as a 0.3 MB gzip body and as a raw body just under `max_length`, it must now
 * be refused with OPA's error body, and the same process must go on serving.
 *
 * The server runs as its own process (`scripts/serve.ts`), so an abort shows as an exit, not as a
 * crash of the test runner. Bodies are generated as they are sent, never held whole by the test.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../opa/helpers.js';
import { killGroup, start, TSX, type Started } from '../opa/spawn-server.js';
import type { AddressInfo } from 'node:net';
import { DataApi } from '../../lib/opa/data-api.js';
import { MAX_STRING_LENGTH } from '../../lib/opa/json-limits.js';

/** Elements past V8's largest FixedArray (2^27 - 3): what made JSON.parse abort. */
const GZIP_ELEMENTS = 157_000_000;
/** The raw variant: `[0,0,...,0]` of exactly this many bytes, one under OPA's default max_length. */
const RAW_BYTES = 268_435_455;

/** `[0,0,...,0]` with `elements` zeros, as chunks of at most 1 MiB (reusing one buffer). */
function* zerosArray(elements: number): Generator<Buffer> {
  const CHUNK_PAIRS = 512 * 1024;
  const pairs = Buffer.from('0,'.repeat(CHUNK_PAIRS));
  yield Buffer.from('[');
  let left = elements - 1;
  while (left > 0) {
    const n = Math.min(left, CHUNK_PAIRS);
    yield n === CHUNK_PAIRS ? pairs : pairs.subarray(0, 2 * n);
    left -= n;
  }
  yield Buffer.from('0]');
}

/** `bytes` spaces, as chunks of at most 1 MiB (reusing one buffer). */
function* spaces(bytes: number): Generator<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  for (let left = bytes; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
}

/** The gzip of `chunks`, compressed as they are generated (only the compressed bytes are kept). */
async function gzipStream(chunks: Iterable<Buffer>): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (d: Buffer) => out.push(d));
  const ended = once(gzip, 'end');
  for (const chunk of chunks) {
    if (!gzip.write(chunk)) await once(gzip, 'drain');
  }
  gzip.end();
  await ended;
  return Buffer.concat(out);
}

async function assertStillServing(s: Started): Promise<void> {
  assert.equal(s.child.exitCode, null, `the server exited:\n${s.stderr()}`);
  const put = await request(`${s.base}/v1/data/after`, { method: 'PUT', body: '{"ok":true}' });
  assert.equal(put.status, 204, put.text);
  const get = await request(`${s.base}/v1/data/after`);
  assert.deepEqual(get.json(), { result: { ok: true } });
}

describe('bodies V8 cannot parse are refused, and the process keeps serving', { timeout: 600_000 }, () => {
  let s: Started;
  before(async () => {
    s = await start(TSX, ['scripts/serve.ts', '--addr', '127.0.0.1:0']);
  });
  after(() => killGroup(s.child));

  it(`a 0.3 MB gzip body inflating to an array of ${GZIP_ELEMENTS} elements: 413 with OPA's error body`, async () => {
    const body = await gzipStream(zerosArray(GZIP_ELEMENTS));
    assert.ok(body.length < 1_000_000, `the gzip body is ${body.length} bytes`);
    const reply = await request(`${s.base}/v1/data/bomb`, {
      method: 'PUT',
      body,
      headers: { 'content-encoding': 'gzip' },
      timeoutMs: 300_000,
    });
    assert.equal(reply.status, 413, reply.text);
    assert.deepEqual(reply.json(), {
      code: 'invalid_parameter',
      message: `request body too large: an array of more than ${2 ** 23} elements`,
    });
    await assertStillServing(s);
    assert.equal((await request(`${s.base}/v1/data/bomb`)).text, '{}\n', 'nothing was stored');
  });

  it(`a raw body of ${RAW_BYTES} bytes (under the default max_length), streamed: 413, and serving goes on`, async () => {
    let sent = 0;
    const counted = (function* () {
      for (const chunk of zerosArray((RAW_BYTES - 1) / 2)) {
        sent += chunk.length;
        yield chunk;
      }
    })();
    const reply = await request(`${s.base}/v1/data/raw`, {
      method: 'PUT',
      headers: { 'content-length': String(RAW_BYTES) },
      body: counted,
      timeoutMs: 300_000,
    });
    assert.equal(sent, RAW_BYTES);
    assert.equal(reply.status, 413, reply.text);
    assert.deepEqual(reply.json(), {
      code: 'invalid_parameter',
      message: `request body too large: an array of more than ${2 ** 23} elements`,
    });
    await assertStillServing(s);
  });
});

describe('a body longer than V8 can make a string of is refused before it is read', { timeout: 120_000 }, () => {
  let s: Started;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zerotel-limits-'));
    const file = join(dir, 'config.json');
    // max_length may be set above V8's string limit; the body still cannot become a string.
    writeFileSync(file, JSON.stringify({ server: { decoding: { max_length: 2 ** 30 } } }));
    s = await start(TSX, ['scripts/serve.ts', '--addr', '127.0.0.1:0', '--config-file', file]);
  });
  after(() => {
    killGroup(s.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`Content-Length ${MAX_STRING_LENGTH + 1} answers 400 "request body too large" at once`, async () => {
    const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${s.base}/v1/data/long`, {
        method: 'PUT',
        headers: { 'content-length': String(MAX_STRING_LENGTH + 1) },
        agent: false,
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('no answer: the server waited for the body')));
      req.write('[');
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(JSON.parse(reply.text), { code: 'invalid_parameter', message: 'request body too large' });
    await assertStillServing(s);
  });

  it(`a gzip body inflating to ${MAX_STRING_LENGTH + 12} bytes (within OPA's default gzip.max_length): 400, not 500`, async () => {
    // OPA's default gzip limit (2^29) is 24 bytes longer than V8's longest string: such a body
    // could be inflated but not turned into text (toString throws ERR_STRING_TOO_LONG).
    const body = await gzipStream(spaces(MAX_STRING_LENGTH + 12));
    const reply = await request(`${s.base}/v1/data/long`, {
      method: 'PUT',
      body,
      headers: { 'content-encoding': 'gzip' },
      timeoutMs: 300_000,
    });
    assert.equal(reply.status, 400, reply.text);
    assert.deepEqual(reply.json(), { code: 'invalid_parameter', message: 'compressed request body too large' });
    await assertStillServing(s);
  });
});

describe("every JSON limit answers with OPA's error body", () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    // Small limits stand in for the defaults, which the tests above meet.
    const api = new DataApi({
      jsonLimits: { maxDepth: 5, maxArrayLength: 4, maxObjectKeys: 3, maxStringBytes: 8, maxValues: 12 },
    });
    server = http.createServer((req, res) => void api.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const cases: [string, string, number, string][] = [
    ['array', '[1,2,3,4,5]', 413, 'request body too large: an array of more than 4 elements'],
    ['object', '{"a":1,"b":2,"c":3,"d":4}', 413, 'request body too large: an object of more than 3 members'],
    ['string', '["123456789"]', 413, 'request body too large: a string longer than 8 bytes'],
    ['values', '[[1,2,3],[1,2,3],[1,2,3],[1]]', 413, 'request body too large: a document of more than 12 values'],
    [
      'depth',
      '[[[[[[1]]]]]]',
      400,
      'document nested too deeply (more than 5 levels, counting the 1 segment of its path)',
    ],
  ];
  for (const [what, body, status, message] of cases) {
    it(`${what}: ${status} ${message}`, async () => {
      const reply = await request(`${base}/v1/data/x`, { method: 'PUT', body });
      assert.equal(reply.status, status, reply.text);
      assert.deepEqual(reply.json(), { code: 'invalid_parameter', message });
      const within = await request(`${base}/v1/data/x`, { method: 'PUT', body: '[1,2,3,4]' });
      assert.equal(within.status, 204, within.text);
    });
  }

  it('POST input and GET ?input= are held to the same limits', async () => {
    const post = await request(`${base}/v1/data/x`, { method: 'POST', body: '{"input":[1,2,3,4,5]}' });
    assert.equal(post.status, 413);
    assert.deepEqual(post.json(), {
      code: 'invalid_parameter',
      message: 'body contains malformed input document: request body too large: an array of more than 4 elements',
    });
    const get = await request(`${base}/v1/data/x?input=${encodeURIComponent('"123456789"')}`);
    assert.equal(get.status, 413);
    assert.match(
      get.json().message,
      /^parameter contains malformed input document: request body too large: a string longer than 8 bytes$/,
    );
  });
});
