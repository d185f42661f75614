/**
 * Pipelined requests on one connection run in order: a later request sees what an earlier one did.
 * Node hands every request of one write to the server at once; a PUT, whose body is read
 * asynchronously, used to be overtaken by the GET sent behind it (the GET answered the old value).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createReferenceServer, type ReferenceServer } from '../../lib/opa/app.js';

const TRIES = 20;

/** Writes `text` in one write and reads until `responses` HTTP responses have fully arrived. */
function pipeline(port: number, text: string, responses: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered = '';
    const out: string[] = [];
    socket.setEncoding('utf8');
    socket.setTimeout(10_000, () =>
      socket.destroy(new Error(`only ${out.length} of ${responses} responses: ${JSON.stringify(buffered)}`)),
    );
    socket.on('data', (d: string) => {
      buffered += d;
      for (;;) {
        const head = buffered.indexOf('\r\n\r\n');
        if (head < 0) break;
        const headers = buffered.slice(0, head + 2);
        let end: number;
        if (/\r\ntransfer-encoding: chunked\r\n/i.test(headers)) {
          const last = buffered.indexOf('\r\n0\r\n\r\n', head);
          if (last < 0) break;
          end = last + 7;
        } else {
          end = head + 4 + Number(/\r\ncontent-length: (\d+)/i.exec(headers)?.[1] ?? 0);
          if (buffered.length < end) break;
        }
        out.push(buffered.slice(0, end));
        buffered = buffered.slice(end);
      }
      if (out.length === responses) {
        socket.end();
        resolve(out);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${out.length} of ${responses} responses`)));
    socket.write(text);
  });
}

/** The body of one response, chunks joined. */
function bodyOf(response: string): string {
  const head = response.indexOf('\r\n\r\n');
  let rest = response.slice(head + 4);
  if (!/\r\ntransfer-encoding: chunked\r\n/i.test(response.slice(0, head + 2))) return rest;
  let body = '';
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return body;
    body += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

describe('pipelined requests on one connection', () => {
  let server: ReferenceServer;
  let port: number;
  before(async () => {
    server = createReferenceServer({ runtimeMetrics: false, log: () => {} });
    ({ port } = await server.listen(0));
  });
  after(() => server.shutdown(2000));

  it(`PUT then GET in one write: the GET reads what the PUT wrote (${TRIES} tries)`, async () => {
    for (let i = 0; i < TRIES; i++) {
      const body = JSON.stringify({ try: i });
      const text =
        `PUT /v1/data/pp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'GET /v1/data/pp HTTP/1.1\r\nHost: x\r\n\r\n' +
        'DELETE /v1/data/pp HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /v1/data/pp HTTP/1.1\r\nHost: x\r\n\r\n';
      const [put, get, del, gone] = await pipeline(port, text, 4);
      assert.match(put!, /^HTTP\/1\.1 204 /);
      assert.match(get!, /^HTTP\/1\.1 200 /);
      assert.equal(bodyOf(get!), `{"result":{"try":${i}}}\n`, `try ${i}`);
      assert.match(del!, /^HTTP\/1\.1 204 /);
      assert.equal(bodyOf(gone!), '{}\n', `try ${i}: the DELETE came first`);
    }
  });
});
