import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import {
  ProtobufDecodeError,
  RETRY_INFO_TYPE_URL,
  decodeExportTraceResponse,
  decodeGrpcStatusDetails,
  decodeRpcStatus,
} from '../../lib/otlp/decode-response.js';
import { ProtoReader } from '../../lib/protobuf/reader.js';

// Reference encoders built from our proto/ files, independent of the code under test.
const PROTO = fileURLToPath(new URL('../../proto', import.meta.url));

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : `${PROTO}/${target}`);
root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: false });
const Status = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');

const service = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
  includeDirs: [PROTO],
  longs: String,
});
const Response = service[
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'
] as protoLoader.MessageTypeDefinition<object, object>;

function statusBytes(code: number, message: string, details: { typeUrl: string; value: Uint8Array }[]): Buffer {
  // protobufjs's built-in google.protobuf.Any keeps the proto field name `type_url`.
  const any = details.map((d) => ({ type_url: d.typeUrl, value: d.value }));
  return Buffer.from(Status.encode(Status.fromObject({ code, message, details: any })).finish());
}

function retryInfo(seconds: number | string, nanos: number): Uint8Array {
  return RetryInfo.encode(RetryInfo.fromObject({ retryDelay: { seconds, nanos } })).finish();
}

function assertMalformed(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtobufDecodeError, `expected ProtobufDecodeError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('decodeExportTraceResponse', () => {
  it('an empty body is full success', () => {
    assert.deepStrictEqual(decodeExportTraceResponse(new Uint8Array(0)), {
      partialSuccess: false,
      rejectedSpans: 0,
      errorMessage: '',
    });
  });

  it('reads partial_success.rejected_spans and error_message', () => {
    const bytes = Response.serialize({
      partialSuccess: { rejectedSpans: '42', errorMessage: 'spans too old: ünïcødé' },
    });
    assert.deepStrictEqual(decodeExportTraceResponse(bytes), {
      partialSuccess: true,
      rejectedSpans: 42,
      errorMessage: 'spans too old: ünïcødé',
    });
  });

  it('an empty partial_success (a warning without count) still counts as set', () => {
    const bytes = Response.serialize({ partialSuccess: { errorMessage: 'heads up' } });
    assert.deepStrictEqual(decodeExportTraceResponse(bytes), {
      partialSuccess: true,
      rejectedSpans: 0,
      errorMessage: 'heads up',
    });
    assert.equal(decodeExportTraceResponse(Buffer.from([0x0a, 0x00])).partialSuccess, true);
  });

  it('large and negative int64 counts', () => {
    const big = Response.serialize({ partialSuccess: { rejectedSpans: '9007199254740991' } });
    assert.equal(decodeExportTraceResponse(big).rejectedSpans, 2 ** 53 - 1);
    const negative = Response.serialize({ partialSuccess: { rejectedSpans: '-3' } });
    assert.equal(decodeExportTraceResponse(negative).rejectedSpans, -3);
  });

  it('skips unknown fields of every wire type, groups included', () => {
    const inner = Buffer.from([
      0x08,
      0x05, // rejected_spans = 5
      0x19,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8, // field 3, fixed64
      0x25,
      1,
      2,
      3,
      4, // field 4, fixed32
      0x2a,
      0x02,
      0xff,
      0xff, // field 5, bytes
      0x33,
      0x08,
      0x01,
      0x34, // field 6, group holding a varint
      0x12,
      0x02,
      0x68,
      0x69, // error_message = 'hi'
    ]);
    const bytes = Buffer.concat([
      Buffer.from([0x10, 0x96, 0x01]), // field 2, varint (unknown at the top)
      Buffer.from([0x0a, inner.length]),
      inner,
      Buffer.from([0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01]), // field 2^29 - 1, varint
    ]);
    assert.deepStrictEqual(decodeExportTraceResponse(bytes), {
      partialSuccess: true,
      rejectedSpans: 5,
      errorMessage: 'hi',
    });
  });

  it('merges a partial_success given twice (last value wins per field)', () => {
    const bytes = Buffer.from([0x0a, 0x02, 0x08, 0x07, 0x0a, 0x03, 0x12, 0x01, 0x78]);
    assert.deepStrictEqual(decodeExportTraceResponse(bytes), {
      partialSuccess: true,
      rejectedSpans: 7,
      errorMessage: 'x',
    });
  });

  it('throws clear errors on truncated input', () => {
    const good = Response.serialize({ partialSuccess: { rejectedSpans: '300', errorMessage: 'abc' } });
    for (let cut = 1; cut < good.length; cut++) {
      assertMalformed(() => decodeExportTraceResponse(good.subarray(0, cut)), /^malformed protobuf: .* at offset \d+$/);
    }
    assertMalformed(
      () => decodeExportTraceResponse(Buffer.from([0x0a, 0x05, 0x08])),
      /length 5 runs past the end \(1 bytes left\)/,
    );
    assertMalformed(
      () => decodeExportTraceResponse(Buffer.from([0x0a, 0x02, 0x08, 0x80])),
      /truncated varint at offset 3/,
    );
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x0a])), /truncated varint at offset 1/);
  });

  it('throws clear errors on malformed input', () => {
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x00, 0x01])), /field number 0/);
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x0e, 0x01])), /invalid wire type 6 for field 1/);
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x0f])), /invalid wire type 7/);
    assertMalformed(
      () =>
        decodeExportTraceResponse(
          Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        ),
      /varint longer than 10 bytes/,
    );
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x1c])), /unexpected end of group 3/);
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x1b, 0x08, 0x01])), /truncated group 3/);
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x1b, 0x24])), /group 3 closed by end of group 4/);
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x19, 1, 2, 3])), /truncated fixed64/);
    assertMalformed(() => decodeExportTraceResponse(Buffer.from([0x1d, 1, 2, 3])), /truncated fixed32/);
    assertMalformed(
      () => decodeExportTraceResponse(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
      /field key beyond 32 bits/,
    );
    // A length that does not fit the enclosing message is caught even when the buffer goes on.
    assertMalformed(
      () => decodeExportTraceResponse(Buffer.from([0x0a, 0x02, 0x12, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65])),
      /length 5 runs past the end \(0 bytes left\)/,
    );
  });
});

describe('decodeRpcStatus', () => {
  it('reads code and message without details', () => {
    const got = decodeRpcStatus(statusBytes(14, 'unavailable: connection refused', []));
    assert.deepStrictEqual(got, {
      code: 14,
      message: 'unavailable: connection refused',
      retryDelay: undefined,
      retryDelayMs: undefined,
      detailTypes: [],
    });
  });

  it('reads RetryInfo.retry_delay among other details', () => {
    const bytes = statusBytes(8, 'slow down', [
      { typeUrl: 'type.googleapis.com/google.rpc.DebugInfo', value: Buffer.from([0x12, 0x01, 0x78]) },
      { typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo(2, 500000000) },
      { typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo(99, 0) },
    ]);
    const got = decodeRpcStatus(bytes);
    assert.equal(got.code, 8);
    assert.equal(got.message, 'slow down');
    assert.deepStrictEqual(got.retryDelay, { seconds: 2, nanos: 500000000 });
    assert.equal(got.retryDelayMs, 2500);
    assert.deepStrictEqual(got.detailTypes, [
      'type.googleapis.com/google.rpc.DebugInfo',
      RETRY_INFO_TYPE_URL,
      RETRY_INFO_TYPE_URL,
    ]);
  });

  it('accepts any type URL prefix, and Any fields in either order', () => {
    const value = retryInfo(0, 250000000);
    const url = Buffer.from('example.com/types/google.rpc.RetryInfo');
    const any = Buffer.concat([Buffer.from([0x12, value.length]), value, Buffer.from([0x0a, url.length]), url]);
    const bytes = Buffer.concat([Buffer.from([0x08, 0x08, 0x1a, any.length]), any]);
    const got = decodeRpcStatus(bytes);
    assert.deepStrictEqual(got.retryDelay, { seconds: 0, nanos: 250000000 });
    assert.equal(got.retryDelayMs, 250);
  });

  it('a RetryInfo without retry_delay means no wait; a negative delay is clamped in ms', () => {
    const empty = statusBytes(8, '', [{ typeUrl: RETRY_INFO_TYPE_URL, value: new Uint8Array(0) }]);
    assert.deepStrictEqual(decodeRpcStatus(empty).retryDelay, { seconds: 0, nanos: 0 });
    assert.equal(decodeRpcStatus(empty).retryDelayMs, 0);
    const negative = statusBytes(8, '', [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo(-5, -1) }]);
    assert.deepStrictEqual(decodeRpcStatus(negative).retryDelay, { seconds: -5, nanos: -1 });
    assert.equal(decodeRpcStatus(negative).retryDelayMs, 0);
  });

  it('negative codes (10-byte int32 varints) and large delays', () => {
    const bytes = statusBytes(-1, '', [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo('86400', 1) }]);
    const got = decodeRpcStatus(bytes);
    assert.equal(got.code, -1);
    assert.equal(got.retryDelayMs, 86400000.000001);
  });

  it('decodes a grpc-status-details-bin value, padded or not', () => {
    const bytes = statusBytes(8, 'quota', [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo(1, 0) }]);
    const padded = bytes.toString('base64');
    const unpadded = padded.replace(/=+$/, '');
    for (const text of [padded, unpadded]) {
      const got = decodeGrpcStatusDetails(text);
      assert.equal(got.code, 8);
      assert.equal(got.retryDelayMs, 1000);
    }
  });

  it('throws on truncated or malformed status and details', () => {
    const good = statusBytes(8, 'quota', [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo(3, 7) }]);
    // Cutting between two top-level fields leaves a valid, shorter message: after `code`
    // (2 bytes) and after `message` (2 + 7); every other cut must be refused.
    const boundaries = [2, 9];
    for (let cut = 1; cut < good.length; cut++) {
      if (boundaries.includes(cut)) assert.equal(decodeRpcStatus(good.subarray(0, cut)).code, 8);
      else assertMalformed(() => decodeRpcStatus(good.subarray(0, cut)), /^malformed protobuf: /);
    }
    // A RetryInfo whose own bytes are broken.
    const broken = statusBytes(8, '', [{ typeUrl: RETRY_INFO_TYPE_URL, value: Buffer.from([0x0a, 0x04, 0x08]) }]);
    assertMalformed(() => decodeRpcStatus(broken), /message length 4 runs past the end/);
    // Broken bytes in a detail of another type are never parsed.
    const other = statusBytes(8, '', [{ typeUrl: 'type.googleapis.com/x.Y', value: Buffer.from([0xff]) }]);
    assert.deepStrictEqual(decodeRpcStatus(other).detailTypes, ['type.googleapis.com/x.Y']);
  });
});

describe('ProtoReader', () => {
  function varintBytes(v: bigint): Buffer {
    let u = BigInt.asUintN(64, v);
    const out: number[] = [];
    do {
      const b = Number(u & 0x7fn);
      u >>= 7n;
      out.push(u === 0n ? b : b | 0x80);
    } while (u !== 0n);
    return Buffer.from(out);
  }

  it('reads varints of every length exactly (uint64, int64, uint32, int32)', () => {
    const values = [
      0n,
      1n,
      127n,
      128n,
      16383n,
      16384n,
      2n ** 28n - 1n,
      2n ** 28n,
      2n ** 31n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 35n,
      2n ** 49n + 3n,
      2n ** 53n - 1n,
      -1n,
      -2n,
      -(2n ** 31n),
      -(2n ** 53n) + 1n,
    ];
    for (const v of values) {
      const bytes = varintBytes(v);
      assert.equal(new ProtoReader(bytes).int64(), Number(v), `int64 ${v}`);
      assert.equal(new ProtoReader(bytes).uint64(), Number(BigInt.asUintN(64, v)), `uint64 ${v}`);
      assert.equal(new ProtoReader(bytes).uint32(), Number(BigInt.asUintN(32, v)), `uint32 ${v}`);
      assert.equal(new ProtoReader(bytes).int32(), Number(BigInt.asIntN(32, v)), `int32 ${v}`);
      const r = new ProtoReader(bytes);
      r.uint64();
      assert.ok(r.done());
    }
    assert.equal(new ProtoReader(varintBytes(2n ** 64n - 1n)).uint64(), 2 ** 64);
  });

  it('reads fixed-width values and respects a sub-range', () => {
    const bytes = Buffer.from([0xaa, 0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0, 2, 0, 0, 0, 0xbb]);
    const r = new ProtoReader(bytes, 1, 13);
    assert.equal(r.fixed32(), 0x12345678);
    assert.equal(r.fixed64(), 2 * 2 ** 32 + 1);
    assert.ok(r.done());
    assertMalformed(() => r.fixed32(), /truncated fixed32 at offset 13/);
    assert.throws(() => new ProtoReader(bytes, 5, 20), RangeError);
  });

  it('bool: any non-zero varint is true', () => {
    assert.equal(new ProtoReader(Buffer.from([0x00])).bool(), false);
    assert.equal(new ProtoReader(Buffer.from([0x02])).bool(), true);
    assert.equal(new ProtoReader(varintBytes(2n ** 40n)).bool(), true);
  });
});
