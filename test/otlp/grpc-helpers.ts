/**
 * Peers for the OTLP/gRPC tests: a real @grpc/grpc-js server with a scripted Export method, a bare
 * node:http2 server for answers grpc-js never gives, and throwaway certificates made with openssl.
 * Everything listens on 127.0.0.1 and is closed by the test that opened it.
 */

import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { TRACE_EXPORT_PATH } from '../../lib/otlp/grpc-transport.js';
import {
  type AttributeValue,
  type InstrumentationScope,
  type Resource,
  type SpanData,
  SpanKind,
  StatusCode,
} from '../../lib/trace/span-data.js';

/** One request the grpc-js peer received. */
export interface ReceivedCall {
  /** The request message as it arrived (after grpc-js undid any compression). */
  readonly body: Buffer;
  /** The body decoded as an ExportTraceServiceRequest from our proto/ files; undefined if it is not one. */
  readonly request: Decoded | undefined;
  readonly metadata: Record<string, unknown>;
  /** `performance.now()` when the call arrived. */
  readonly at: number;
}

/** How the peer answers one call: raw response bytes, or an ExportTraceServiceResponse object. */
export type Reply =
  | { readonly ok: Buffer | object }
  | { readonly code: number; readonly details?: string; readonly metadata?: Record<string, string | Buffer> }
  | 'hang';

export interface GrpcPeer {
  readonly port: number;
  readonly endpoint: string;
  readonly calls: ReceivedCall[];
  /** Stops at once, cancelling calls in flight and closing every connection. */
  stop(): Promise<void>;
}

export interface GrpcPeerOptions {
  /** Chooses the reply to the n-th call (0-based); default: an empty response message. */
  readonly reply?: (call: ReceivedCall, index: number) => Reply;
  /** Port to listen on; default a free one. */
  readonly port?: number;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly clientCa?: Buffer };
}

/** A decoded protobuf message, loosely typed (tests check the fields they care about). */
export type Decoded = { [key: string]: any };

const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));

/** Our trace service loaded with proto-loader: ids and bytes as Buffers, 64-bit numbers as strings. */
const traceService = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
  includeDirs: [PROTO_DIR],
  keepCase: false,
  longs: String,
  enums: Number,
  defaults: true,
  arrays: true,
  oneofs: true,
});
const exportMethod = (traceService['opentelemetry.proto.collector.trace.v1.TraceService'] as grpc.ServiceDefinition)
  .Export!;

/** Decodes bytes as an ExportTraceServiceRequest with the proto-loader definition. */
export function decodeRequest(bytes: Buffer): Decoded {
  return exportMethod.requestDeserialize(bytes) as Decoded;
}

/** Encodes an ExportTraceServiceResponse object with the proto-loader definition. */
export function encodeResponse(response: object): Buffer {
  return exportMethod.responseSerialize(response);
}

interface RawAndDecoded {
  readonly raw: Buffer;
  readonly decoded: Decoded | undefined;
}

/**
 * The Export method from our protos, made lenient for transport tests that send arbitrary bytes: the
 * handler sees the raw request next to its decoding, and a Buffer reply goes out as it is.
 */
const exportService: grpc.ServiceDefinition = {
  Export: {
    ...exportMethod,
    path: TRACE_EXPORT_PATH,
    requestDeserialize: (raw: Buffer): RawAndDecoded => {
      let decoded: Decoded | undefined;
      try {
        decoded = decodeRequest(raw);
      } catch {
        decoded = undefined;
      }
      return { raw, decoded };
    },
    responseSerialize: (value: unknown): Buffer =>
      Buffer.isBuffer(value) ? value : exportMethod.responseSerialize(value),
  },
};

/** Starts a grpc-js server on 127.0.0.1 with the scripted Export method. */
export async function startGrpcPeer(options: GrpcPeerOptions = {}): Promise<GrpcPeer> {
  const server = new grpc.Server();
  const calls: ReceivedCall[] = [];
  const reply = options.reply ?? (() => ({ ok: Buffer.alloc(0) }));
  server.addService(exportService, {
    Export(call: grpc.ServerUnaryCall<RawAndDecoded, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const received: ReceivedCall = {
        body: call.request.raw,
        request: call.request.decoded,
        metadata: call.metadata.getMap(),
        at: performance.now(),
      };
      const index = calls.length;
      calls.push(received);
      const answer = reply(received, index);
      if (answer === 'hang') return;
      if ('ok' in answer) return callback(null, answer.ok);
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(answer.metadata ?? {})) metadata.set(k, v);
      callback({ code: answer.code, details: answer.details ?? '', metadata });
    },
  });
  const credentials =
    options.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(
          options.tls.clientCa ?? null,
          [{ cert_chain: options.tls.cert, private_key: options.tls.key }],
          options.tls.clientCa !== undefined,
        );
  const port = await bindWithRetry(server, options.port ?? 0, credentials);
  return {
    port,
    endpoint: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    calls,
    stop: async () => {
      server.forceShutdown();
      // Let the listening socket finish closing before anyone reuses the port.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** Binds, retrying briefly while a just-stopped server still holds the port. */
async function bindWithRetry(server: grpc.Server, port: number, credentials: grpc.ServerCredentials): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<number>((resolve, reject) => {
        server.bindAsync(`127.0.0.1:${port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
      });
    } catch (err) {
      if (port === 0 || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export interface RawPeer {
  readonly port: number;
  readonly endpoint: string;
  /** Request headers of every stream received. */
  readonly requests: http2.IncomingHttpHeaders[];
  /** Request bodies, in arrival order (filled when each request ends). */
  readonly bodies: Buffer[];
  /** Sessions the server accepted. */
  sessions: number;
  close(): Promise<void>;
}

/** Starts a bare HTTP/2 server whose `onStream` decides everything, byte by byte. */
export async function startRawPeer(
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, index: number) => void,
): Promise<RawPeer> {
  const server = http2.createServer();
  const open = new Set<http2.ServerHttp2Session>();
  const peer = {
    port: 0,
    endpoint: '',
    requests: [] as http2.IncomingHttpHeaders[],
    bodies: [] as Buffer[],
    sessions: 0,
    close: async (): Promise<void> => {
      for (const session of open) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('session', (session) => {
    peer.sessions++;
    open.add(session);
    session.on('close', () => open.delete(session));
    session.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const index = peer.requests.length;
    peer.requests.push(headers);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => peer.bodies.push(Buffer.concat(chunks)));
    onStream(stream, headers, index);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  peer.port = typeof address === 'object' && address !== null ? address.port : 0;
  peer.endpoint = `http://127.0.0.1:${peer.port}`;
  return peer;
}

/** Frames one gRPC message (uncompressed unless `flag` says otherwise). */
export function frame(message: Buffer, flag = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

// ---------------------------------------------------------------------------------------------
// Spans to export.
// ---------------------------------------------------------------------------------------------

const testResource: Resource = {
  attributes: { 'service.name': 'zerotel-test', 'service.instance.id': 'i-1' },
  droppedAttributesCount: 0,
};
const testScope: InstrumentationScope = { name: 'zerotel/test', version: '1.0.0', attributes: {} };

/** A 32-digit trace id and 16-digit span id derived from `n` (never all zero). */
function ids(n: number): { traceId: string; spanId: string } {
  const hex = (n + 1).toString(16).padStart(8, '0');
  return { traceId: `${'ab'.repeat(12)}${hex}`, spanId: `cd${hex}000000` };
}

/** `count` finished spans named `<prefix>-<i>` with a few attributes of different kinds. */
export function makeSpans(count: number, prefix = 'span'): SpanData[] {
  const spans: SpanData[] = [];
  for (let i = 0; i < count; i++) {
    const { traceId, spanId } = ids(i);
    const attributes: Record<string, AttributeValue> = { 'http.route': '/v1/data', index: i, ok: i % 2 === 0 };
    spans.push({
      resource: testResource,
      scope: testScope,
      traceId,
      spanId,
      parentSpanId: '',
      traceState: '',
      traceFlags: 1,
      name: `${prefix}-${i}`,
      kind: SpanKind.SERVER,
      startTime: [1_700_000_000 + i, 1_000],
      endTime: [1_700_000_000 + i, 2_000_000],
      attributes,
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: StatusCode.UNSET, message: '' },
    });
  }
  return spans;
}

/** The span names in a decoded ExportTraceServiceRequest, in order. */
export function spanNames(request: Decoded | undefined): string[] {
  const names: string[] = [];
  for (const rs of request?.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) names.push(span.name);
  }
  return names;
}
