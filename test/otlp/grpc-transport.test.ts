import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import {
  checkMetadata,
  formatGrpcTimeout,
  GrpcCode,
  GrpcTransport,
  grpcCodeName,
  httpStatusToGrpc,
  MAX_REQUEST_BYTES,
  percentDecode,
  rstCodeToGrpc,
} from '../../lib/otlp/grpc-transport.js';
import { startGrpcPeer } from './grpc-helpers.js';

// google.rpc.Status with a RetryInfo detail, encoded by protobufjs from our proto/ files.
const PROTO = fileURLToPath(new URL('../../proto', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : `${PROTO}/${target}`);
root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
const Status = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');

function statusWithRetryInfo(code: number, seconds: number, nanos: number): Buffer {
  const retryInfo = RetryInfo.encode(RetryInfo.fromObject({ retryDelay: { seconds, nanos } })).finish();
  const status = Status.fromObject({
    code,
    message: 'slow down',
    details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo }],
  });
  return Buffer.from(Status.encode(status).finish());
}

describe('gRPC transport against a grpc-js server', () => {
  it('delivers request bytes intact and returns the response bytes, with and without gzip', async () => {
    const peer = await startGrpcPeer({ reply: (call) => ({ ok: Buffer.concat([Buffer.from('echo:'), call.body]) }) });
    const messages = [Buffer.alloc(0), randomBytes(1), randomBytes(100_000), Buffer.alloc(3_000_000, 7)];
    try {
      for (const compression of ['none', 'gzip'] as const) {
        const transport = new GrpcTransport({ endpoint: peer.endpoint, compression });
        try {
          for (const message of messages) {
            const result = await transport.unary(message, 10_000);
            assert.equal(result.kind, 'success', JSON.stringify(result).slice(0, 300));
            if (result.kind === 'success')
              assert.ok(result.body.equals(Buffer.concat([Buffer.from('echo:'), message])));
          }
          assert.equal(transport.sessionsOpened, 1, 'one session serves every call');
        } finally {
          await transport.close();
        }
      }
      assert.equal(peer.calls.length, messages.length * 2);
      peer.calls.forEach((call, i) => assert.ok(call.body.equals(messages[i % messages.length]!), `call ${i}`));
    } finally {
      await peer.stop();
    }
  });

  it('sends custom metadata and the user agent', async () => {
    const peer = await startGrpcPeer();
    const transport = new GrpcTransport({
      endpoint: peer.endpoint,
      metadata: {
        authorization: 'Bearer token',
        'x-tenant': 'acme',
        'trace-bin': Buffer.from([0, 1, 2, 255]).toString('base64'),
      },
    });
    try {
      assert.equal((await transport.unary(Buffer.from('x'), 5000)).kind, 'success');
      const md = peer.calls[0]!.metadata;
      assert.equal(md['authorization'], 'Bearer token');
      assert.equal(md['x-tenant'], 'acme');
      assert.deepEqual(md['trace-bin'], Buffer.from([0, 1, 2, 255]));
      assert.match(String(md['user-agent']), /^zerotel\/\d+\.\d+\.\d+/);
    } finally {
      await transport.close();
      await peer.stop();
    }
  });

  it('reports statuses with their percent-decoded message, and RetryInfo from grpc-status-details-bin', async () => {
    const replies = [
      { code: GrpcCode.INVALID_ARGUMENT, details: 'span 3: bad id — ünïcode 100%' },
      { code: GrpcCode.UNAVAILABLE, details: 'try later' },
      {
        code: GrpcCode.RESOURCE_EXHAUSTED,
        details: 'quota',
        metadata: { 'grpc-status-details-bin': statusWithRetryInfo(8, 1, 500_000_000) },
      },
      { code: GrpcCode.RESOURCE_EXHAUSTED, details: 'quota, no hint' },
    ];
    const peer = await startGrpcPeer({ reply: (_call, i) => replies[i]! });
    const transport = new GrpcTransport({ endpoint: peer.endpoint });
    try {
      const results = [];
      for (let i = 0; i < replies.length; i++) results.push(await transport.unary(Buffer.from('x'), 5000));
      assert.deepEqual(results, [
        {
          kind: 'failure',
          code: GrpcCode.INVALID_ARGUMENT,
          message: 'span 3: bad id — ünïcode 100%',
          retryable: false,
        },
        { kind: 'failure', code: GrpcCode.UNAVAILABLE, message: 'try later', retryable: true },
        { kind: 'failure', code: GrpcCode.RESOURCE_EXHAUSTED, message: 'quota', retryable: true, retryInfoMs: 1500 },
        { kind: 'failure', code: GrpcCode.RESOURCE_EXHAUSTED, message: 'quota, no hint', retryable: false },
      ]);
      assert.equal(transport.sessionsOpened, 1, 'error statuses do not cost the session');
    } finally {
      await transport.close();
      await peer.stop();
    }
  });

  it('cancels the call at the deadline when the server never answers', { timeout: 20_000 }, async () => {
    const peer = await startGrpcPeer({ reply: () => 'hang' });
    const transport = new GrpcTransport({ endpoint: peer.endpoint });
    try {
      const result = await transport.unary(Buffer.from('x'), 300);
      assert.equal(result.kind, 'failure');
      if (result.kind === 'failure') {
        assert.equal(result.code, GrpcCode.DEADLINE_EXCEEDED);
        assert.equal(result.retryable, true);
        assert.match(result.message, /deadline of 300 ms/);
      }
      assert.equal(peer.calls.length, 1);
    } finally {
      await transport.close();
      await peer.stop();
    }
  });

  it('re-establishes the session after the server stops and comes back on the same port', {
    timeout: 20_000,
  }, async () => {
    let peer = await startGrpcPeer();
    const port = peer.port;
    const transport = new GrpcTransport({ endpoint: peer.endpoint });
    try {
      assert.equal((await transport.unary(Buffer.from('before'), 5000)).kind, 'success');
      await peer.stop();
      const down = await transport.unary(Buffer.from('while down'), 5000);
      assert.equal(down.kind, 'failure');
      if (down.kind === 'failure') {
        assert.equal(down.code, GrpcCode.UNAVAILABLE, down.message);
        assert.equal(down.retryable, true);
      }
      peer = await startGrpcPeer({ port });
      const after = await transport.unary(Buffer.from('after'), 5000);
      assert.equal(after.kind, 'success', JSON.stringify(after));
      assert.deepEqual(
        peer.calls.map((c) => c.body.toString()),
        ['after'],
      );
      assert.ok(transport.sessionsOpened >= 2, `sessions opened: ${transport.sessionsOpened}`);
    } finally {
      await transport.close();
      await peer.stop();
    }
  });

  it('a refused connection is UNAVAILABLE', async () => {
    const peer = await startGrpcPeer();
    const endpoint = peer.endpoint;
    await peer.stop();
    const transport = new GrpcTransport({ endpoint });
    try {
      const result = await transport.unary(Buffer.from('x'), 5000);
      assert.equal(result.kind, 'failure');
      if (result.kind === 'failure') {
        assert.equal(result.code, GrpcCode.UNAVAILABLE);
        assert.match(result.message, /ECONNREFUSED/);
      }
    } finally {
      await transport.close();
    }
  });

  it('never sends a request over 64 MiB after framing', async () => {
    const peer = await startGrpcPeer();
    const transport = new GrpcTransport({ endpoint: peer.endpoint });
    try {
      // 5 bytes of framing push this one byte over the limit.
      const result = await transport.unary(Buffer.alloc(MAX_REQUEST_BYTES - 4), 5000);
      assert.equal(result.kind, 'failure');
      if (result.kind === 'failure') {
        assert.equal(result.code, GrpcCode.RESOURCE_EXHAUSTED);
        assert.equal(result.retryable, false);
        assert.match(result.message, /67108865 bytes .*exceeds the limit of 67108864 bytes; not sent/);
      }
      assert.equal(transport.sessionsOpened, 0, 'no connection was even opened');
      assert.equal(peer.calls.length, 0);
    } finally {
      await transport.close();
      await peer.stop();
    }
  });

  it('after close, calls fail without connecting; close is idempotent', async () => {
    const peer = await startGrpcPeer();
    const transport = new GrpcTransport({ endpoint: peer.endpoint });
    try {
      assert.equal((await transport.unary(Buffer.from('x'), 5000)).kind, 'success');
      await transport.close();
      await transport.close();
      const result = await transport.unary(Buffer.from('x'), 5000);
      assert.deepEqual(result, {
        kind: 'failure',
        code: GrpcCode.CANCELLED,
        message: 'the transport is closed',
        retryable: false,
      });
      const expired = await new GrpcTransport({ endpoint: peer.endpoint }).unary(Buffer.from('x'), 0);
      assert.equal(expired.kind === 'failure' && expired.code, GrpcCode.DEADLINE_EXCEEDED);
      assert.equal(peer.calls.length, 1);
    } finally {
      await peer.stop();
    }
  });
});

describe('gRPC transport: pure parts', () => {
  it('formats grpc-timeout with at most 8 digits', () => {
    assert.equal(formatGrpcTimeout(30_000), '30000m');
    assert.equal(formatGrpcTimeout(0.2), '1m');
    assert.equal(formatGrpcTimeout(99_999_999), '99999999m');
    assert.equal(formatGrpcTimeout(100_000_000), '100000S');
    assert.equal(formatGrpcTimeout(1e12), '16666667M');
    assert.equal(formatGrpcTimeout(1e14), '27777778H');
  });

  it('maps HTTP statuses as the gRPC specification says', () => {
    const table: [number, number][] = [
      [400, GrpcCode.INTERNAL],
      [401, GrpcCode.UNAUTHENTICATED],
      [403, GrpcCode.PERMISSION_DENIED],
      [404, GrpcCode.UNIMPLEMENTED],
      [429, GrpcCode.UNAVAILABLE],
      [502, GrpcCode.UNAVAILABLE],
      [503, GrpcCode.UNAVAILABLE],
      [504, GrpcCode.UNAVAILABLE],
      [500, GrpcCode.UNKNOWN],
      [200, GrpcCode.UNKNOWN],
      [418, GrpcCode.UNKNOWN],
    ];
    for (const [http, code] of table) assert.equal(httpStatusToGrpc(http), code, `HTTP ${http}`);
  });

  it('maps RST_STREAM codes as the gRPC documentation does', () => {
    const table: [number, number][] = [
      [0x0, GrpcCode.INTERNAL],
      [0x1, GrpcCode.INTERNAL],
      [0x2, GrpcCode.INTERNAL],
      [0x3, GrpcCode.INTERNAL],
      [0x7, GrpcCode.UNAVAILABLE],
      [0x8, GrpcCode.CANCELLED],
      [0x9, GrpcCode.INTERNAL],
      [0xb, GrpcCode.RESOURCE_EXHAUSTED],
      [0xc, GrpcCode.PERMISSION_DENIED],
    ];
    for (const [rst, code] of table) assert.equal(rstCodeToGrpc(rst), code, `RST ${rst}`);
  });

  it('percent-decodes grpc-message as UTF-8 and keeps malformed escapes', () => {
    assert.equal(percentDecode('plain'), 'plain');
    assert.equal(percentDecode('100%25 %E2%9C%93 ok'), '100% ✓ ok');
    assert.equal(percentDecode('bad %zz and %4'), 'bad %zz and %4');
  });

  it('names codes and validates metadata', () => {
    assert.equal(grpcCodeName(14), 'UNAVAILABLE');
    assert.equal(grpcCodeName(99), 'CODE_99');
    assert.deepEqual(checkMetadata({ 'x-ok': 'v', 'a.b_c-d': 'v' }), []);
    const problems = checkMetadata({
      'X-Upper': 'v',
      'grpc-timeout': '1S',
      te: 'x',
      'user-agent': 'me',
      'k-bin': '***',
    });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.throws(
      () => new GrpcTransport({ endpoint: 'http://127.0.0.1:1', metadata: { Authorization: 'x' } }),
      /lower-case/,
    );
    assert.throws(() => new GrpcTransport({ endpoint: 'ftp://127.0.0.1:1' }), /http: or https:/);
  });
});
