/**
 * The transport against a bare node:http2 server, for what a grpc-js server never sends: Trailers-Only
 * responses written by hand, other content types, broken framing, stream resets, GOAWAY, HTTP errors.
 */

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type CallResult, GrpcCode, GrpcTransport, TRACE_EXPORT_PATH } from '../../lib/otlp/grpc-transport.js';
import { frame, type RawPeer, startRawPeer } from './grpc-helpers.js';

const H2 = http2.constants;
const GRPC = { ':status': 200, 'content-type': 'application/grpc' } as const;

/** Answers with a gRPC body and trailers. */
function answer(
  stream: http2.ServerHttp2Stream,
  body: Buffer,
  trailers: http2.OutgoingHttpHeaders,
  headers = {},
): void {
  stream.respond({ ...GRPC, ...headers }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  stream.end(body);
}

/** Runs each call against its own raw peer behaviour and closes everything afterwards. */
async function withPeer(
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, index: number) => void,
  body: (transport: GrpcTransport, peer: RawPeer) => Promise<void>,
  options: { compression?: 'gzip' | 'none'; maxResponseBytes?: number } = {},
): Promise<void> {
  const peer = await startRawPeer(onStream);
  const transport = new GrpcTransport({ endpoint: peer.endpoint, ...options });
  try {
    await body(transport, peer);
  } finally {
    await transport.close();
    await peer.close();
  }
}

function assertFailure(result: CallResult, code: number, message: RegExp, retryable?: boolean): void {
  assert.equal(result.kind, 'failure', JSON.stringify(result));
  if (result.kind !== 'failure') return;
  assert.equal(result.code, code, `code ${result.code}: ${result.message}`);
  assert.match(result.message, message);
  if (retryable !== undefined) assert.equal(result.retryable, retryable);
}

describe('gRPC transport on the wire (raw HTTP/2 peer)', () => {
  it('sends the gRPC request headers and the 5-byte framing, gzip on and off', async () => {
    const message = Buffer.from('request message '.repeat(100));
    for (const compression of ['none', 'gzip'] as const) {
      await withPeer(
        (stream) => stream.on('end', () => answer(stream, frame(Buffer.from('ok')), { 'grpc-status': '0' })),
        async (transport, peer) => {
          const result = await transport.unary(message, 30_000);
          assert.deepEqual(result, { kind: 'success', body: Buffer.from('ok') });
          const h = peer.requests[0]!;
          assert.equal(h[':method'], 'POST');
          assert.equal(h[':path'], TRACE_EXPORT_PATH);
          assert.equal(h[':scheme'], 'http');
          assert.equal(h['content-type'], 'application/grpc');
          assert.equal(h['te'], 'trailers');
          assert.match(String(h['grpc-timeout']), /^(30000|29\d{3})m$/);
          assert.match(String(h['user-agent']), /^zerotel\//);
          assert.equal(h['grpc-accept-encoding'], 'identity,gzip');
          const body = peer.bodies[0]!;
          assert.equal(body.readUInt32BE(1), body.length - 5, 'length prefix is big-endian and exact');
          if (compression === 'gzip') {
            assert.equal(h['grpc-encoding'], 'gzip');
            assert.equal(body[0], 1, 'compressed flag');
            assert.ok(gunzipSync(body.subarray(5)).equals(message));
          } else {
            assert.equal(h['grpc-encoding'], undefined);
            assert.equal(body[0], 0);
            assert.ok(body.subarray(5).equals(message));
          }
        },
        { compression },
      );
    }
  });

  it('reads the status of a Trailers-Only response from its headers', async () => {
    await withPeer(
      (stream) =>
        stream.respond(
          { ...GRPC, 'grpc-status': '14', 'grpc-message': 'down%20for%20maintenance%20%E2%9C%93' },
          { endStream: true },
        ),
      async (transport) => {
        assertFailure(
          await transport.unary(Buffer.from('x'), 5000),
          GrpcCode.UNAVAILABLE,
          /^down for maintenance ✓$/,
          true,
        );
      },
    );
  });

  it('decodes a gzip-compressed response message', async () => {
    await withPeer(
      (stream) =>
        answer(
          stream,
          frame(gzipSync(Buffer.from('zipped reply')), 1),
          { 'grpc-status': '0' },
          { 'grpc-encoding': 'gzip' },
        ),
      async (transport) => {
        assert.deepEqual(await transport.unary(Buffer.from('x'), 5000), {
          kind: 'success',
          body: Buffer.from('zipped reply'),
        });
      },
    );
  });

  it('an OK status without a message is an empty success', async () => {
    await withPeer(
      (stream) => answer(stream, Buffer.alloc(0), { 'grpc-status': '0' }),
      async (transport) => {
        assert.deepEqual(await transport.unary(Buffer.from('x'), 5000), { kind: 'success', body: Buffer.alloc(0) });
      },
    );
  });

  it('turns broken framing and malformed statuses into INTERNAL / UNKNOWN failures', async () => {
    const cases: [string, (s: http2.ServerHttp2Stream) => void, number, RegExp][] = [
      [
        'short prefix',
        (s) => answer(s, Buffer.from([0, 0, 0]), { 'grpc-status': '0' }),
        GrpcCode.INTERNAL,
        /3 bytes, too short/,
      ],
      [
        'length beyond body',
        (s) => answer(s, Buffer.from([0, 0, 0, 0, 100, 0x61]), { 'grpc-status': '0' }),
        GrpcCode.INTERNAL,
        /declares 100 bytes but 1 arrived/,
      ],
      [
        'garbage',
        (s) => answer(s, Buffer.from('<html>hello</html>'), { 'grpc-status': '0' }),
        GrpcCode.INTERNAL,
        /invalid compressed flag 60/,
      ],
      [
        'bad flag',
        (s) => answer(s, frame(Buffer.from('x'), 7), { 'grpc-status': '0' }),
        GrpcCode.INTERNAL,
        /invalid compressed flag 7/,
      ],
      [
        'two messages',
        (s) => answer(s, Buffer.concat([frame(Buffer.from('a')), frame(Buffer.from('b'))]), { 'grpc-status': '0' }),
        GrpcCode.INTERNAL,
        /6 bytes after the message/,
      ],
      [
        'compressed without encoding',
        (s) => answer(s, frame(gzipSync(Buffer.from('a')), 1), { 'grpc-status': '0' }),
        GrpcCode.INTERNAL,
        /flagged compressed but grpc-encoding is "identity"/,
      ],
      [
        'corrupt gzip',
        (s) => answer(s, frame(Buffer.from('not gzip'), 1), { 'grpc-status': '0' }, { 'grpc-encoding': 'gzip' }),
        GrpcCode.INTERNAL,
        /could not be gunzipped/,
      ],
      [
        'no grpc-status',
        (s) => {
          s.respond(GRPC);
          s.end(frame(Buffer.from('a')));
        },
        GrpcCode.INTERNAL,
        /ended the stream without a grpc-status/,
      ],
      [
        'malformed grpc-status',
        (s) => answer(s, Buffer.alloc(0), { 'grpc-status': 'fine' }),
        GrpcCode.INTERNAL,
        /malformed grpc-status "fine"/,
      ],
      [
        'status out of range',
        (s) => answer(s, Buffer.alloc(0), { 'grpc-status': '99', 'grpc-message': 'odd' }),
        GrpcCode.UNKNOWN,
        /^odd$/,
      ],
    ];
    await withPeer(
      (stream, _h, i) => cases[i]![1](stream),
      async (transport) => {
        for (const [name, , code, message] of cases) {
          const result = await transport.unary(Buffer.from(name), 5000);
          assertFailure(result, code, message, false);
        }
      },
    );
  });

  it('a response of another content type is UNKNOWN (HTTP 200) or mapped from its HTTP status', async () => {
    const cases: [number, string, number, boolean][] = [
      [200, 'text/html', GrpcCode.UNKNOWN, false],
      [503, 'text/plain', GrpcCode.UNAVAILABLE, true],
      [429, 'text/plain', GrpcCode.UNAVAILABLE, true],
      [502, 'text/html', GrpcCode.UNAVAILABLE, true],
      [504, 'text/html', GrpcCode.UNAVAILABLE, true],
      [400, 'text/plain', GrpcCode.INTERNAL, false],
      [401, 'text/plain', GrpcCode.UNAUTHENTICATED, false],
      [403, 'text/plain', GrpcCode.PERMISSION_DENIED, false],
      [404, 'text/plain', GrpcCode.UNIMPLEMENTED, false],
      [500, 'text/plain', GrpcCode.UNKNOWN, false],
      // An HTTP error wins even over a gRPC-looking status, as gRPC clients do.
      [503, 'application/grpc', GrpcCode.UNAVAILABLE, true],
    ];
    await withPeer(
      (stream, _h, i) => {
        const [status, type] = cases[i]!;
        stream.respond({
          ':status': status,
          'content-type': type,
          ...(type === 'application/grpc' ? { 'grpc-status': '0' } : {}),
        });
        stream.end('<html>proxy says no</html>');
      },
      async (transport) => {
        for (const [status, type, code, retryable] of cases) {
          const result = await transport.unary(Buffer.from('x'), 5000);
          if (status === 200)
            assertFailure(result, code, /unexpected content-type "text\/html".*not a gRPC server/, retryable);
          else assertFailure(result, code, new RegExp(`^HTTP ${status} \\(${type.replace('/', '\\/')}\\)`), retryable);
        }
      },
    );
  });

  it('maps RST_STREAM from the server to gRPC codes', async () => {
    const cases: [number, number, boolean][] = [
      [H2.NGHTTP2_REFUSED_STREAM, GrpcCode.UNAVAILABLE, true],
      [H2.NGHTTP2_CANCEL, GrpcCode.CANCELLED, true],
      [H2.NGHTTP2_ENHANCE_YOUR_CALM, GrpcCode.RESOURCE_EXHAUSTED, false],
      [H2.NGHTTP2_INADEQUATE_SECURITY, GrpcCode.PERMISSION_DENIED, false],
      [H2.NGHTTP2_INTERNAL_ERROR, GrpcCode.INTERNAL, false],
      [H2.NGHTTP2_PROTOCOL_ERROR, GrpcCode.INTERNAL, false],
    ];
    await withPeer(
      (stream, _h, i) => stream.close(cases[i]![0]),
      async (transport) => {
        for (const [, code, retryable] of cases) {
          assertFailure(
            await transport.unary(Buffer.from('x'), 5000),
            code,
            /reset the stream .*RST_STREAM [A-Z_]+/,
            retryable,
          );
        }
        assert.equal(transport.sessionsOpened, 1, 'a stream reset does not cost the session');
      },
    );
  });

  it('a reset after the response headers reads as a stream without status (INTERNAL)', async () => {
    // Node reports no reset code once the response has begun, so this cannot be told apart from a
    // stream that simply ended early; either way no status came and nothing says a retry is safe.
    await withPeer(
      (stream) => {
        stream.respond(GRPC);
        stream.write(Buffer.from([0, 0, 0, 0, 9]));
        setImmediate(() => stream.close(H2.NGHTTP2_CANCEL));
      },
      async (transport) => {
        assertFailure(await transport.unary(Buffer.from('x'), 5000), GrpcCode.INTERNAL, /without a grpc-status/, false);
      },
    );
  });

  it('GOAWAY then a closed connection fails the pending call as UNAVAILABLE; the next call uses a new session', async () => {
    await withPeer(
      (stream, _h, i) => {
        if (i === 0) {
          const session = stream.session!;
          session.goaway(H2.NGHTTP2_NO_ERROR);
          setImmediate(() => session.destroy());
        } else {
          answer(stream, frame(Buffer.from('fresh')), { 'grpc-status': '0' });
        }
      },
      async (transport, peer) => {
        assertFailure(await transport.unary(Buffer.from('x'), 5000), GrpcCode.UNAVAILABLE, /GOAWAY \(NO_ERROR\)/, true);
        assert.deepEqual(await transport.unary(Buffer.from('x'), 5000), {
          kind: 'success',
          body: Buffer.from('fresh'),
        });
        assert.equal(peer.sessions, 2);
        assert.equal(transport.sessionsOpened, 2);
      },
    );
  });

  it('a graceful GOAWAY lets the call in flight finish and moves later calls to a new session', async () => {
    await withPeer(
      (stream, _h, i) => {
        // GOAWAY first, then the answer: the client has seen the GOAWAY by the time the answer arrives.
        if (i === 0) stream.session!.goaway(H2.NGHTTP2_NO_ERROR, 1);
        answer(stream, frame(Buffer.from(`reply ${i}`)), { 'grpc-status': '0' });
      },
      async (transport, peer) => {
        assert.deepEqual(await transport.unary(Buffer.from('x'), 5000), {
          kind: 'success',
          body: Buffer.from('reply 0'),
        });
        assert.deepEqual(await transport.unary(Buffer.from('x'), 5000), {
          kind: 'success',
          body: Buffer.from('reply 1'),
        });
        assert.equal(peer.sessions, 2);
        assert.equal(transport.sessionsOpened, 2);
      },
    );
  });

  it('a connection dropped mid-call is UNAVAILABLE', async () => {
    await withPeer(
      (stream, _h, i) => {
        if (i === 0) stream.session!.destroy();
        else answer(stream, frame(Buffer.from('back')), { 'grpc-status': '0' });
      },
      async (transport) => {
        assertFailure(await transport.unary(Buffer.from('x'), 5000), GrpcCode.UNAVAILABLE, /lost/, true);
        assert.equal((await transport.unary(Buffer.from('x'), 5000)).kind, 'success');
      },
    );
  });

  it('abandons a connection that cannot be set up within the deadline', async () => {
    // Accepts TCP but never answers the TLS handshake.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const transport = new GrpcTransport({ endpoint: `https://127.0.0.1:${port}` });
    try {
      assertFailure(
        await transport.unary(Buffer.from('x'), 200),
        GrpcCode.DEADLINE_EXCEEDED,
        /deadline of 200 ms/,
        true,
      );
      assertFailure(await transport.unary(Buffer.from('x'), 200), GrpcCode.DEADLINE_EXCEEDED, /deadline/, true);
      assert.equal(transport.sessionsOpened, 2, 'the stuck connection was not reused');
    } finally {
      await transport.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a response larger than the receive limit', async () => {
    await withPeer(
      (stream) => answer(stream, frame(Buffer.alloc(1000)), { 'grpc-status': '0' }),
      async (transport) => {
        assertFailure(
          await transport.unary(Buffer.from('x'), 5000),
          GrpcCode.RESOURCE_EXHAUSTED,
          /larger than the limit of 100 bytes/,
          false,
        );
      },
      { maxResponseBytes: 100 },
    );
  });
});
