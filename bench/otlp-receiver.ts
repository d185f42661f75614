/**
 * The receiving end of the E1 end-to-end measure: a @grpc/grpc-js server on 127.0.0.1 that accepts
 * `TraceService/Export` calls, counts the spans in each request and answers with an empty
 * ExportTraceServiceResponse. It never decodes a request into objects: timing the receiver is not the
 * point, so it only walks the protobuf wire format down to the `spans` fields and counts them.
 *
 * Runs in a process of its own, started by bench/cases/otlp-e2e.ts with an IPC channel:
 *   receiver -> parent  { type: 'ready', port }            once listening
 *   parent -> receiver  { type: 'count', reset?: boolean }  asks for the counts (and zeroes them)
 *   receiver -> parent  { type: 'count', spans, requests, malformed, bytes }
 *   parent -> receiver  { type: 'stop' }                    shuts down and exits
 * It also exits when the parent goes away. Started without IPC it prints the port and the running
 * count to stdout, for trying a producer by hand.
 */
import { pathToFileURL } from 'node:url';
import type * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Messages the parent sends. */
export type ReceiverRequest = { readonly type: 'count'; readonly reset?: boolean } | { readonly type: 'stop' };

/** Messages the receiver sends. */
export type ReceiverReport =
  | { readonly type: 'ready'; readonly port: number }
  | {
      readonly type: 'count';
      readonly spans: number;
      readonly requests: number;
      readonly malformed: number;
      /** Request message bytes received (after any decompression). */
      readonly bytes: number;
    };

/** A malformed request: the walk ran past the end of a message or met a wire type protobuf does not have. */
class WireError extends Error {}

/** Reads a varint at `pos`; returns the value (exact up to 2^53) and the position after it. */
function readVarint(buf: Uint8Array, pos: number, end: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WireError('varint runs past the end');
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new WireError('varint longer than 10 bytes');
}

/** The position after the value of a field of `wireType` starting at `pos`. */
function skipValue(buf: Uint8Array, pos: number, end: number, wireType: number): number {
  let next: number;
  switch (wireType) {
    case 0:
      return readVarint(buf, pos, end)[1];
    case 1:
      next = pos + 8;
      break;
    case 2: {
      const [length, start] = readVarint(buf, pos, end);
      next = start + length;
      break;
    }
    case 5:
      next = pos + 4;
      break;
    default:
      throw new WireError(`wire type ${wireType} is not supported`);
  }
  if (next > end) throw new WireError('field runs past the end');
  return next;
}

/**
 * Calls `onField(start, end)` for every length-delimited field `field` of the message in
 * `buf[pos, end)`, skipping every other field.
 */
function eachMessageField(
  buf: Uint8Array,
  pos: number,
  end: number,
  field: number,
  onField: (start: number, end: number) => void,
): void {
  while (pos < end) {
    const [key, afterKey] = readVarint(buf, pos, end);
    const wireType = key & 7;
    if (wireType === 2 && Math.floor(key / 8) === field) {
      const [length, start] = readVarint(buf, afterKey, end);
      const stop = start + length;
      if (stop > end) throw new WireError('message runs past the end');
      onField(start, stop);
      pos = stop;
    } else {
      pos = skipValue(buf, afterKey, end, wireType);
    }
  }
}

/**
 * The number of spans in an encoded ExportTraceServiceRequest: the `spans` fields (2) of every
 * ScopeSpans (ResourceSpans field 2) of every ResourceSpans (request field 1). Throws on bytes that
 * are not a well-formed protobuf message along that path.
 */
export function countSpans(request: Uint8Array): number {
  let spans = 0;
  eachMessageField(request, 0, request.length, 1, (rsStart, rsEnd) => {
    eachMessageField(request, rsStart, rsEnd, 2, (ssStart, ssEnd) => {
      eachMessageField(request, ssStart, ssEnd, 2, () => {
        spans++;
      });
    });
  });
  return spans;
}

const EMPTY_RESPONSE = Buffer.alloc(0);

/**
 * The HTTP/2 flow-control window the receiver grants each connection and each stream. A request of
 * 512 spans is ~230 KB; with HTTP/2's default of 64 KB a sender must stop three or four times per
 * request and wait for WINDOW_UPDATE frames, which a producer busy making spans reads late, so the
 * measure would time flow control rather than the SDKs. A collector would be configured with a
 * larger window too (grpc-go's BDP estimation grows it to megabytes on its own). Both SDKs send to
 * the same receiver, so both get the same window.
 */
export const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * grpc-js has no channel option for the receive window, so the window is set on every HTTP/2
 * session as it opens: a SETTINGS frame raising the per-stream initial window and a WINDOW_UPDATE
 * raising the connection window. The server stays a plain grpc-js server; only the two numbers it
 * advertises change. The HTTP/2 servers are reached through a field grpc-js does not export; when
 * it is missing (a grpc-js that keeps them elsewhere) this throws rather than measure silently with
 * the small default window.
 */
function widenReceiveWindows(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) {
    throw new Error('cannot reach the HTTP/2 servers of this grpc-js version to widen the receive window');
  }
  for (const http2Server of servers.keys()) {
    http2Server.on('session', (session: http2.ServerHttp2Session) => {
      try {
        session.settings({ initialWindowSize: RECEIVE_WINDOW_BYTES });
        session.setLocalWindowSize(RECEIVE_WINDOW_BYTES);
      } catch {
        // A session already closing: nothing to widen.
      }
    });
  }
}

/** The Export method with pass-through (de)serializers: requests arrive as the raw message bytes. */
const traceService: grpc.ServiceDefinition = {
  Export: {
    path: EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

export interface RunningReceiver {
  readonly port: number;
  /** Counts since start (or the last reset). */
  counts(reset?: boolean): { spans: number; requests: number; malformed: number; bytes: number };
  stop(): Promise<void>;
}

/** Starts the counting server on 127.0.0.1 (port 0: any free port). */
export async function startReceiver(port = 0): Promise<RunningReceiver> {
  let spans = 0;
  let requests = 0;
  let malformed = 0;
  let bytes = 0;
  const server = new grpc.Server({
    // A batch of 512 T1 spans is ~150 KB; leave ample room for flush bursts and other shapes.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  server.addService(traceService, {
    Export(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      requests++;
      bytes += call.request.length;
      let n: number;
      try {
        n = countSpans(call.request);
      } catch (error) {
        malformed++;
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `malformed request: ${(error as Error).message}` });
        return;
      }
      spans += n;
      callback(null, EMPTY_RESPONSE);
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    );
  });
  widenReceiveWindows(server);
  return {
    port: bound,
    counts(reset = false) {
      const out = { spans, requests, malformed, bytes };
      if (reset) spans = requests = malformed = bytes = 0;
      return out;
    },
    stop() {
      return new Promise<void>((resolve) => {
        // Producers have hung up by now; do not wait for idle connections to say goodbye.
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

async function main(): Promise<void> {
  const receiver = await startReceiver(Number(process.argv[2] ?? 0));
  const send = process.send?.bind(process);
  if (send === undefined) {
    process.stdout.write(`listening on 127.0.0.1:${receiver.port}\n`);
    const timer = setInterval(() => process.stdout.write(`${JSON.stringify(receiver.counts())}\n`), 1000);
    process.once('SIGINT', () => {
      clearInterval(timer);
      void receiver.stop().then(() => process.exit(0));
    });
    return;
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void receiver.stop().then(() => {
      process.disconnect?.();
      process.exit(0);
    });
  };
  process.on('message', (raw) => {
    const message = raw as ReceiverRequest;
    if (message.type === 'count') {
      const c = receiver.counts(message.reset === true);
      send({
        type: 'count',
        spans: c.spans,
        requests: c.requests,
        malformed: c.malformed,
        bytes: c.bytes,
      } satisfies ReceiverReport);
    } else if (message.type === 'stop') {
      stop();
    }
  });
  process.on('disconnect', stop);
  send({ type: 'ready', port: receiver.port } satisfies ReceiverReport);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
