/**
 * An OTLP receiver for metrics and traces, decoding with the official opentelemetry-proto files (as shipped
 * in an npm package) through protobufjs and @grpc/proto-loader: OTLP/HTTP (protobuf or JSON, gzip or not)
 * on a node:http server and OTLP/gRPC on a @grpc/grpc-js server, both on 127.0.0.1, closed by the test.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
/** The official .proto files, from the package OpenTelemetry JS' gRPC exporter base shipped them in. */
export const OFFICIAL_PROTOS = join(dirname(require.resolve('otlp-upstream-protos/package.json')), 'build', 'protos');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith(OFFICIAL_PROTOS) ? target : join(OFFICIAL_PROTOS, target));
root.loadSync([
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
]);
export const MetricsRequest = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
export const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** How decoded requests are turned into plain objects: 64-bit integers as strings, bytes as hex. */
const TO_OBJECT = { longs: String, enums: Number, defaults: true, arrays: true, oneofs: true } as const;

/** A decoded request as a plain object with ids in hex (bytes fields are only ids in these messages). */
export function toPlain(type: protobuf.Type, message: protobuf.Message): any {
  return hexBytes(type.toObject(message, TO_OBJECT));
}

function hexBytes(value: any): any {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(hexBytes);
  if (value !== null && typeof value === 'object') {
    const out: any = {};
    for (const [k, v] of Object.entries(value)) out[k] = hexBytes(v);
    return out;
  }
  return value;
}

/** Decodes protobuf bytes. */
export function decodeProtobuf(type: protobuf.Type, bytes: Uint8Array): any {
  return toPlain(type, type.decode(bytes));
}

/** Decodes OTLP/JSON text: ids are hex there (OTLP's rule), base64 in protobuf's JSON mapping. */
export function decodeJson(type: protobuf.Type, text: string): any {
  const parsed = JSON.parse(text, (key, value) => {
    if ((key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string') {
      return Buffer.from(value, 'hex').toString('base64');
    }
    return value;
  });
  return toPlain(type, type.fromObject(parsed));
}

export interface ReceivedExport {
  readonly transport: 'http' | 'grpc';
  readonly path: string;
  readonly headers: IncomingHttpHeaders | Record<string, unknown>;
  readonly contentType: string;
  /** The raw body after gzip was undone. */
  readonly body: Buffer;
  /** The decoded request (metrics or traces by path), ids in hex. */
  readonly decoded: any;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT` of the HTTP receiver (POST /v1/metrics, /v1/traces). */
  readonly httpBase: string;
  /** `http://127.0.0.1:PORT` of the gRPC receiver. */
  readonly grpcEndpoint: string;
  readonly received: ReceivedExport[];
  stop(): Promise<void>;
}

/** Starts both receivers; `answer` scripts the HTTP replies (default 200 with an empty protobuf response). */
export async function startOtlpReceiver(
  answer?: (index: number, path: string) => HttpAnswer | undefined,
): Promise<OtlpReceiver> {
  const received: ReceivedExport[] = [];
  let httpCount = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = httpCount++;
      const scripted = answer?.(index, req.url ?? '');
      if (scripted !== undefined) {
        res.writeHead(scripted.status, scripted.headers ?? {}).end(scripted.body ?? '');
        return;
      }
      const path = req.url ?? '';
      const type = path === '/v1/metrics' ? MetricsRequest : path === '/v1/traces' ? TraceRequest : undefined;
      if (req.method !== 'POST' || type === undefined) {
        res.writeHead(404).end('not found');
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const contentType = req.headers['content-type'] ?? '';
        const json = contentType === 'application/json';
        const decoded = json ? decodeJson(type, body.toString('utf8')) : decodeProtobuf(type, body);
        received.push({ transport: 'http', path, headers: req.headers, contentType, body, decoded });
        res
          .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
          .end(json ? '{}' : '');
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot decode: ${(err as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const httpPort = (server.address() as AddressInfo).port;

  const definition = protoLoader.loadSync(
    [
      'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
      'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    ],
    { includeDirs: [OFFICIAL_PROTOS] },
  );
  const loaded = grpc.loadPackageDefinition(definition) as any;
  const grpcServer = new grpc.Server();
  const handler =
    (path: string, type: protobuf.Type) =>
    (call: grpc.ServerUnaryCall<Buffer, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      // The raw request bytes, decoded with protobufjs for the same plain shape as the HTTP path.
      const body = call.request as unknown as Buffer;
      received.push({
        transport: 'grpc',
        path,
        headers: call.metadata.getMap(),
        contentType: 'application/grpc',
        body,
        decoded: decodeProtobuf(type, body),
      });
      callback(null, {});
    };
  const raw = (service: any) => {
    const method = service.service.Export;
    return { ...method, requestDeserialize: (b: Buffer) => b };
  };
  grpcServer.addService(
    { Export: raw(loaded.opentelemetry.proto.collector.metrics.v1.MetricsService) },
    { Export: handler('/v1/metrics', MetricsRequest) },
  );
  grpcServer.addService(
    { Export: raw(loaded.opentelemetry.proto.collector.trace.v1.TraceService) },
    { Export: handler('/v1/traces', TraceRequest) },
  );
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  return {
    httpBase: `http://127.0.0.1:${httpPort}`,
    grpcEndpoint: `http://127.0.0.1:${grpcPort}`,
    received,
    stop: async () => {
      grpcServer.forceShutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
