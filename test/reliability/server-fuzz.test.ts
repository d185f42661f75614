/**
 * The reference server against bad input: malformed and huge bodies, deep nesting, invalid UTF-8,
 * garbage trace headers, unknown methods, slow clients, and a few thousand seeded random requests.
 * Every answer must be a 4xx with a body that says what was wrong (never a 5xx, never a hang), the
 * server must keep serving, and a document and counters recorded before must survive.
 *
 * `FUZZ_SEED` changes the seed of the random requests.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createReferenceServer, type ReferenceServer } from '../../lib/opa/app.js';
import { parseConfig } from '../../lib/opa/config.js';
import { freePort, request, type Reply } from '../opa/helpers.js';
import { mulberry32 as generator } from '../../bench/workloads.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const MAX_LENGTH = 64 * 1024;
const ROUNDS = 6;
const PER_ROUND = 500;

/** Writes raw bytes on a fresh connection and collects everything until the server closes it (bounded). */
function raw(port: number, chunks: (string | Buffer)[], limitMs = 8000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('close', () => resolve(text));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(text) : reject(e),
    );
    socket.setTimeout(limitMs, () =>
      socket.destroy(new Error(`no close within ${limitMs} ms; got ${JSON.stringify(text)}`)),
    );
    for (const c of chunks) socket.write(c);
  });
}

/** Sends `head` then one byte of `trickle` every `everyMs` until the server closes the connection. */
function trickle(
  port: number,
  head: string,
  drip: string,
  everyMs: number,
  limitMs = 15_000,
): Promise<{ text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearInterval(timer);
      resolve({ text, sent });
    };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('close', finish);
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish();
      else reject(e);
    });
    socket.setTimeout(limitMs, () => socket.destroy(new Error(`slow client not cut off within ${limitMs} ms`)));
    socket.write(head);
    timer = setInterval(() => {
      if (socket.destroyed || !socket.writable) return;
      socket.write(drip[sent % drip.length]!);
      sent++;
    }, everyMs);
  });
}

function statusOf(response: string): number {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(response);
  assert.ok(m, `not an HTTP response: ${JSON.stringify(response.slice(0, 200))}`);
  return Number(m[1]);
}

function bodyOf(response: string): string {
  const i = response.indexOf('\r\n\r\n');
  if (i < 0) return '';
  let body = response.slice(i + 4);
  if (/\r\ntransfer-encoding: chunked\r\n/i.test(response.slice(0, i + 2))) {
    let out = '';
    for (;;) {
      const eol = body.indexOf('\r\n');
      const size = parseInt(body.slice(0, eol), 16);
      if (!(size > 0)) break;
      out += body.slice(eol + 2, eol + 2 + size);
      body = body.slice(eol + 2 + size + 2);
    }
    body = out;
  }
  return body;
}

/** Go's mux answers these as plain text, as OPA does; they are clear enough. */
const MUX_TEXT = /^(404 page not found|Method Not Allowed)\n$/;

/** A 4xx whose JSON body has a code and a message. */
function assertClearError(reply: Reply | string, what: string, status?: number): { code: string; message: string } {
  const code = typeof reply === 'string' ? statusOf(reply) : reply.status;
  const text = typeof reply === 'string' ? bodyOf(reply) : reply.text;
  if (status !== undefined) assert.equal(code, status, `${what}: status; body ${text}`);
  assert.ok(code >= 400 && code < 500, `${what}: want a 4xx, got ${code}: ${text.slice(0, 300)}`);
  if ((code === 404 || code === 405) && MUX_TEXT.test(text)) return { code: 'mux', message: text.trim() };
  let body: { code?: unknown; message?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    assert.fail(`${what}: the ${code} body is not JSON: ${JSON.stringify(text.slice(0, 300))}`);
  }
  assert.equal(typeof body.code, 'string', `${what}: no code in ${text}`);
  assert.ok(typeof body.message === 'string' && body.message.length > 0, `${what}: no message in ${text}`);
  return body as { code: string; message: string };
}

/** Counter-like samples (`_total`, `_count`, `_sum`, `_bucket`) of a text scrape, by series. */
function monotonicSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const name = series.split('{')[0]!;
    if (!/^http_request_(duration_seconds_(count|bucket|sum)|cancellations)/.test(name)) continue;
    out.set(series, Number(line.slice(space + 1)));
  }
  return out;
}

describe('reference server under bad input', { timeout: 240_000 }, () => {
  let app: ReferenceServer;
  let base: string;
  let port: number;
  const logged: string[] = [];
  const keep = { owner: 'fuzz-suite', list: [1, 2, 3], nested: { ok: true, text: 'ünïcødé ✓' } };
  let countersBefore: Map<string, number>;
  let tried = 0;

  before(async () => {
    const collectorPort = await freePort(); // nothing listens there: exports fail and are logged
    const config = parseConfig(
      {
        server: { decoding: { max_length: MAX_LENGTH }, timeouts: { read_header_ms: 1000, request_ms: 2000 } },
        decision_logs: { console: true },
        distributed_tracing: {
          type: 'grpc',
          address: `127.0.0.1:${collectorPort}`,
          batch_span_processor_options: { batch_timeout_ms: 200, export_timeout_ms: 500, max_queue_size: 256 },
        },
      },
      { env: {} },
    );
    app = createReferenceServer({ config, env: {}, stdout: () => {}, log: (m) => void logged.push(m) });
    port = (await app.listen(0, '127.0.0.1')).port;
    base = `http://127.0.0.1:${port}`;
    assert.equal((await request(`${base}/v1/data/keep`, { method: 'PUT', body: JSON.stringify(keep) })).status, 204);
    for (let i = 0; i < 5; i++) assert.equal((await request(`${base}/v1/data/keep/owner`)).status, 200);
    countersBefore = monotonicSamples((await request(`${base}/metrics`)).text);
    assert.ok(countersBefore.size > 0, 'no request counter before the fuzz');
  });

  after(async () => {
    await app?.shutdown(5000);
  });

  const healthy = async (): Promise<void> => {
    const h = await request(`${base}/health`);
    assert.equal(h.status, 200, `health: ${h.text}`);
  };

  it('malformed JSON in every body-taking method: 400 invalid_parameter', async () => {
    const bodies = [
      '{',
      '}',
      '{"a":}',
      '[1,2',
      'nul',
      'tru',
      '"unterminated',
      '{"a" 1}',
      "{'a': 1}",
      '01',
      'NaN',
      '{"a":1,}',
      '\u0000',
    ];
    for (const body of bodies) {
      for (const method of ['PUT', 'PATCH', 'POST']) {
        const r = await request(`${base}/v1/data/fuzz/x`, { method, body });
        tried++;
        const e = assertClearError(r, `${method} ${JSON.stringify(body)}`, 400);
        assert.equal(e.code, 'invalid_parameter');
      }
    }
    // Structurally valid JSON of the wrong shape for PATCH.
    for (const body of ['{}', '1', '[1]', '[{"op":"move","path":"/a"}]', '[{"op":"add","path":1}]', '[null]']) {
      tried++;
      assertClearError(await request(`${base}/v1/data/fuzz`, { method: 'PATCH', body }), `PATCH ${body}`, 400);
    }
    // GET with a malformed ?input=.
    tried++;
    assertClearError(await request(`${base}/v1/data/keep?input=%7B%22a`), 'GET ?input={"a', 400);
    await healthy();
  });

  it('a huge declared body is refused before it is sent, a huge chunked one as it passes the limit', async () => {
    // Declares 1 GiB and sends 10 bytes: the answer must come while the client still owes the rest.
    const declared = await raw(port, [
      `PUT /v1/data/fuzz/huge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{"a":"bbbb`,
    ]);
    tried++;
    assert.equal(assertClearError(declared, 'declared 1 GiB', 400).message, 'request body too large');
    assert.match(declared, /\r\nConnection: close\r\n/i);

    // The same through the node:http client, for POST too.
    for (const method of ['POST', 'PATCH']) {
      tried++;
      const r = await raw(port, [
        `${method} /v1/data/fuzz HTTP/1.1\r\nHost: x\r\nContent-Length: ${MAX_LENGTH + 1}\r\n\r\n`,
      ]);
      assert.equal(assertClearError(r, `${method} over the limit by one`, 400).message, 'request body too large');
    }
    // Exactly at the limit is accepted.
    const atLimit = JSON.stringify({ input: 'x'.repeat(MAX_LENGTH - 12) });
    assert.equal(Buffer.byteLength(atLimit), MAX_LENGTH);
    tried++;
    assert.equal((await request(`${base}/v1/data/fuzz`, { method: 'POST', body: atLimit })).status, 200);

    // Chunked, no length declared: 1 MiB offered, cut off once past 64 KiB.
    const chunk = 'y'.repeat(16 * 1024);
    const chunks: string[] = [`PUT /v1/data/fuzz/huge HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`];
    for (let i = 0; i < 64; i++) chunks.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    tried++;
    const chunked = await raw(port, chunks);
    assert.equal(assertClearError(chunked, 'chunked 1 MiB', 400).message, 'request body too large');
    assert.equal((await request(`${base}/v1/data/fuzz/huge`)).json().result, undefined, 'nothing was written');
    await healthy();
  });

  it('deeply nested documents: refused or stored, never a crash', async () => {
    for (const depth of [1000, 10_000, 30_000]) {
      for (const [open, close] of [
        ['[', ']'],
        ['{"a":', '}'],
      ] as const) {
        const body = open.repeat(depth) + '1' + close.repeat(depth);
        if (Buffer.byteLength(body) > MAX_LENGTH) continue;
        for (const method of ['PUT', 'POST']) {
          tried++;
          const payload = method === 'POST' ? `{"input":${body}}` : body;
          const r = await request(`${base}/v1/data/fuzz/deep`, { method, body: payload });
          if (r.status >= 400) {
            const e = assertClearError(r, `${method} depth ${depth}`, 400);
            assert.match(e.message, /nest/, `${method} depth ${depth}: ${e.message}`);
          } else
            assert.ok(
              r.status === 204 || r.status === 200,
              `${method} depth ${depth}: ${r.status} ${r.text.slice(0, 200)}`,
            );
        }
        // Reading it back (the whole tree, as JSON) must not fail either.
        tried++;
        const back = await request(`${base}/v1/data/fuzz`);
        assert.equal(back.status, 200, `GET after depth ${depth}: ${back.text.slice(0, 200)}`);
      }
    }
    assert.equal((await request(`${base}/v1/data/fuzz/deep`, { method: 'DELETE' })).status < 500, true);
    await healthy();
  });

  it('invalid UTF-8 in bodies, paths and headers', async () => {
    const bad = [
      Buffer.from([0xff, 0xfe]),
      Buffer.from([0xc3, 0x28]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf4, 0x90, 0x80, 0x80]),
    ];
    for (const b of bad) {
      // A bare invalid sequence is not JSON.
      tried++;
      assertClearError(
        await request(`${base}/v1/data/fuzz/u`, { method: 'PUT', body: b }),
        `PUT ${b.toString('hex')}`,
        400,
      );
      // Inside a JSON string it is replaced by U+FFFD, as Go's encoding/json does.
      tried++;
      const inString = Buffer.concat([Buffer.from('{"s":"'), b, Buffer.from('"}')]);
      assert.equal((await request(`${base}/v1/data/fuzz/u`, { method: 'PUT', body: inString })).status, 204);
      const back = (await request(`${base}/v1/data/fuzz/u/s`)).json();
      assert.ok((back.result as string).includes('\ufffd'), JSON.stringify(back));
      // In the request line and in a header value.
      tried++;
      const inPath = await raw(port, [
        Buffer.concat([
          Buffer.from('GET /v1/data/fuzz/'),
          b,
          Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        ]),
      ]);
      assert.ok(statusOf(inPath) < 500, inPath);
      tried++;
      const inHeader = await raw(port, [
        Buffer.concat([
          Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX-Note: '),
          b,
          Buffer.from('\r\nConnection: close\r\n\r\n'),
        ]),
      ]);
      assert.ok(statusOf(inHeader) < 500, inHeader);
    }
    await healthy();
  });

  it('bad and oversized traceparent and tracestate are ignored, an oversized head is a clear 431', async () => {
    const traceparents = [
      '',
      'garbage',
      '00-00000000000000000000000000000000-0000000000000000-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
      `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-${'z'.repeat(4000)}`,
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
      'x'.repeat(8000),
    ];
    const tracestates = [
      '',
      ',,,,',
      '=',
      'a=',
      '=b',
      'k=v,'.repeat(200),
      `${'k'.repeat(300)}=v`,
      'bad key=v',
      'a=b\tc',
      '\u00e9=\u00e9'.normalize(),
    ];
    for (const tp of traceparents) {
      for (const ts of tracestates) {
        tried++;
        const headers: Record<string, string> = {};
        // node:http refuses to send some bytes itself; keep to what it can send (latin1 is sent as is).
        headers['traceparent'] = tp;
        headers['tracestate'] = ts;
        let r: Reply;
        try {
          r = await request(`${base}/v1/data/keep/owner`, { headers });
        } catch (error) {
          assert.match((error as Error).message, /Invalid character|invalid/i);
          continue;
        }
        assert.equal(r.status, 200, `traceparent ${tp.slice(0, 60)} tracestate ${ts.slice(0, 60)}: ${r.text}`);
        assert.equal(r.json().result, 'fuzz-suite');
      }
    }
    // A head over Node's 16 KiB limit: 431 with a body, connection closed.
    tried++;
    const big = await raw(port, [
      `GET /v1/data/keep HTTP/1.1\r\nHost: x\r\ntraceparent: ${'0'.repeat(20_000)}\r\n\r\n`,
    ]);
    assert.equal(assertClearError(big, 'a 20 KB traceparent', 431).message, 'request header fields too large');
    tried++;
    const many = await raw(port, [
      `GET /v1/data/keep HTTP/1.1\r\nHost: x\r\n${'tracestate: a=b\r\n'.repeat(2000)}\r\n`,
    ]);
    assertClearError(many, '2000 tracestate headers', 431);
    await healthy();
  });

  it('unknown and unsupported methods, broken request lines', async () => {
    for (const method of ['OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'FOO', 'get', 'G E T', '\u0000', 'PUT\tX']) {
      tried++;
      const r = await raw(port, [`${method} /v1/data/keep HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      const status = statusOf(r);
      assert.ok(status === 400 || status === 405, `${JSON.stringify(method)}: ${r}`);
      if (status === 400 || method === 'CONNECT') assertClearError(r, JSON.stringify(method));
    }
    // OPA's catchall answers 405 with no body; Go's mux answers 405 with text for a known path.
    tried++;
    assert.equal(statusOf(await raw(port, ['PUT /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'])), 405);
    for (const line of [
      'GET',
      'GET / HTTP/9.9',
      '/ HTTP/1.1',
      'GET / HTTP/1.1 extra',
      '\r\n\r\n\r\n',
      '\u0016\u0003\u0001\u0002\u0000',
    ]) {
      tried++;
      const r = await raw(port, [`${line}\r\nHost: x\r\n\r\n`]);
      assertClearError(r, `request line ${JSON.stringify(line)}`, 400);
    }
    // A body with both Content-Length and Transfer-Encoding (request smuggling): refused.
    tried++;
    const smuggle = await raw(port, [
      'POST /v1/data HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ]);
    assertClearError(smuggle, 'Content-Length with Transfer-Encoding', 400);
    await healthy();
  });

  it('slow clients are cut off: 408 for slow headers and slow bodies', async () => {
    // Slowloris: a header byte every 100 ms never completes the head within 1 s.
    tried++;
    const slowHead = await trickle(
      port,
      'GET /health HTTP/1.1\r\nHost: x\r\n',
      'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n',
      100,
    );
    assert.equal(
      assertClearError(slowHead.text, 'slow headers', 408).message,
      'request not received within the time limit',
    );
    // A slow body: a head in time, then a byte every 100 ms of a 100 KB body.
    tried++;
    const slowBody = await trickle(
      port,
      'PUT /v1/data/fuzz/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n',
      '"',
      100,
    );
    const status = statusOf(slowBody.text);
    assert.equal(status, 408, slowBody.text);
    assert.ok(slowBody.sent < 200, `cut off after ${slowBody.sent} bytes`);
    // Many at once: the server still answers others meanwhile.
    const slow = Array.from({ length: 20 }, () =>
      trickle(port, 'POST /v1/data HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n', '{', 150),
    );
    tried += 20;
    await healthy();
    assert.equal((await request(`${base}/v1/data/keep/owner`)).json().result, 'fuzz-suite');
    for (const s of await Promise.all(slow)) assert.equal(statusOf(s.text), 408);
    assert.equal((await request(`${base}/v1/data/fuzz/slow`)).json().result, undefined);
    await healthy();
  });

  it(`${ROUNDS} x ${PER_ROUND} seeded random requests: no 5xx, clear 4xx, health between rounds`, async () => {
    const rnd = generator(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
    // No dot segments: the URL parser would resolve them and the writes would escape /v1/data/fuzz.
    const segments = [
      'fuzz',
      'a',
      'b',
      '0',
      '1',
      '-',
      '%2F',
      '%25',
      '%ZZ',
      '...',
      '~',
      '%00',
      'ü',
      '%E2%9C%93',
      '__proto__',
      'constructor',
      '',
    ];
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"',
      '\\',
      '1',
      '-0',
      '1e999',
      'true',
      'null',
      '"a"',
      '{"input":',
      '"op"',
      '"add"',
      '"path"',
      '"/x"',
      '\u0000',
      '\u2028',
      '\ud800',
    ];
    const bodyFor = (): string | Buffer | undefined => {
      const kind = rnd();
      if (kind < 0.1) return undefined;
      if (kind < 0.3) return Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
      if (kind < 0.45) return JSON.stringify({ input: { n: rnd(), s: pick(segments) } });
      if (kind < 0.6) {
        const ops = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
          op: pick(['add', 'remove', 'replace', 'copy']),
          path: `/${pick(segments)}`,
          value: pick([1, 'x', null, { a: [1] }]),
        }));
        return JSON.stringify(ops);
      }
      return Array.from({ length: Math.floor(rnd() * 20) }, () => pick(pieces)).join('');
    };
    const statuses = new Map<number, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const jobs: (() => Promise<void>)[] = [];
      for (let i = 0; i < PER_ROUND; i++) {
        const method = pick(methods);
        // The fuzz writes only under /v1/data/fuzz; /v1/data/keep must survive it.
        const depth = Math.floor(rnd() * 4);
        const path = `/v1/data/fuzz${Array.from({ length: depth }, () => `/${pick(segments)}`).join('')}`;
        const query =
          rnd() < 0.2 ? `?${pick(['input=%7B', 'input=1', 'pretty', 'strict-builtin-errors', 'input=%FF', '%%'])}` : '';
        const headers: Record<string, string> = {};
        if (rnd() < 0.3)
          headers['traceparent'] = pick(['00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01', 'junk', '00--', '']);
        if (rnd() < 0.2) headers['tracestate'] = pick(['a=b', ',', '=', 'x'.repeat(600)]);
        if (rnd() < 0.1) headers['content-encoding'] = 'gzip';
        if (rnd() < 0.1) headers['if-none-match'] = '*';
        const body = method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : bodyFor();
        jobs.push(async () => {
          const r = await request(`${base}${path}${query}`, {
            method,
            headers,
            ...(body !== undefined ? { body } : {}),
          });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          const what = `seed ${SEED} round ${round} #${i}: ${method} ${path}${query}`;
          assert.ok(r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
          // 405 from the catchall has no body (as OPA); every other 4xx must say what was wrong.
          if (r.status >= 400 && r.status !== 405 && method !== 'HEAD') assertClearError(r, what);
        });
      }
      // Eight at a time.
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < jobs.length) await jobs[next++]!();
        }),
      );
      tried += PER_ROUND;
      await healthy();
    }
    console.log(
      `random requests by status: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
  });

  it('nothing recorded before was lost, and every counter only grew', async () => {
    assert.deepEqual((await request(`${base}/v1/data/keep`)).json().result, keep);
    const now = monotonicSamples((await request(`${base}/metrics`)).text);
    for (const [series, value] of countersBefore) {
      assert.ok(now.has(series), `${series} disappeared`);
      assert.ok(now.get(series)! >= value, `${series} went from ${value} to ${now.get(series)}`);
    }
    const reads = [...now].find(([s]) =>
      s.startsWith('http_request_duration_seconds_count{code="200",handler="v1/data",method="get"}'),
    );
    assert.ok(reads !== undefined && reads[1] > 5, `reads counted: ${JSON.stringify(reads)}`);
    assert.equal(app.activeRequests <= 1, true);
    console.log(`fuzz inputs tried: ${tried}; log lines: ${logged.length}`);
  });
});
