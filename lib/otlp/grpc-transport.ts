/**
 * A gRPC unary call over node:http2, with nothing but Node built-ins. It knows bytes and gRPC status, never
 * spans: the caller hands it an encoded request message and gets back the response message or a status.
 *
 * What it takes care of, following the gRPC over HTTP/2 protocol description:
 *  - request headers (`te: trailers`, `grpc-timeout`, `grpc-encoding`, metadata) and 5-byte message framing;
 *  - the status, from trailers or from a Trailers-Only response, with its percent-encoded message and the
 *    `grpc-status-details-bin` throttling hint;
 *  - peers that are not gRPC at all (HTTP errors, other content types, broken framing), stream resets,
 *    GOAWAY and dropped connections, each turned into the gRPC code a gRPC client would report;
 *  - a client-side deadline that cancels the stream;
 *  - one HTTP/2 session shared by all calls, replaced once it closes, fails or is told to go away.
 */

import type http2 from 'node:http2';
import type zlib from 'node:zlib';
import { builtinModule } from '../host.js';
import { decodeRpcStatus } from './decode-response.js';
import { GrpcCode, grpcCodeName } from './grpc-code.js';
import { checkMetadata } from './metadata.js';
import { defaultUserAgent } from './user-agent.js';
import { isRetryableCode } from './retry.js';

export { GrpcCode, grpcCodeName } from './grpc-code.js';
export { checkMetadata } from './metadata.js';
export { defaultUserAgent } from './user-agent.js';

/** The method every OTLP trace export calls. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** Requests larger than this, framing included, are refused before anything is sent. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
/** gRPC's customary default limit for a received message. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The outcome of one call: the response message, or a status saying whether it is worth retrying. */
export type CallResult = CallSuccess | CallFailure;

export interface CallSuccess {
  readonly kind: 'success';
  /** The response message, unframed and decompressed (empty when the server sent none). */
  readonly body: Buffer;
}

export interface CallFailure {
  readonly kind: 'failure';
  readonly code: GrpcCode;
  /** The server's grpc-message (percent-decoded), or a description of what went wrong locally. */
  readonly message: string;
  /** The delay the server asked for in a google.rpc.RetryInfo, in ms. */
  readonly retryInfoMs?: number;
  /** Whether the OTLP retry rules allow another attempt. */
  readonly retryable: boolean;
}

export interface GrpcTransportOptions {
  /** `http://host:port` (plaintext, h2c) or `https://host:port` (TLS). */
  readonly endpoint: string;
  /** PEM trust roots for the server certificate; the system's when absent. */
  readonly ca?: string | Buffer;
  /** PEM client certificate chain and its key, for mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Compress request messages with gzip. Default 'none'. */
  readonly compression?: 'gzip' | 'none';
  /** Custom metadata sent with every call; see {@link checkMetadata} for the rules. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Method path; default {@link TRACE_EXPORT_PATH}. */
  readonly path?: string;
  /** Default `zerotel/<package version>`. */
  readonly userAgent?: string;
  /** Default {@link MAX_REQUEST_BYTES}. */
  readonly maxRequestBytes?: number;
  /** Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  readonly maxResponseBytes?: number;
  /**
   * Reads the delay (ms) out of a serialized google.rpc.Status carried by `grpc-status-details-bin`, or
   * returns undefined when it holds no RetryInfo. Default: the RetryInfo reader of decode-response.
   */
  readonly readRetryDelay?: (statusDetails: Buffer) => number | undefined;
}

/** What the transport takes from Node: loaded when a transport is made, so that zerotel/otlp loads anywhere. */
interface NodeParts {
  readonly http2: typeof http2;
  readonly zlib: typeof zlib;
}
let nodeParts: NodeParts | undefined;

/** node:http2 and node:zlib, or an error naming what to use on runtimes without them (workerd). */
function loadNodeParts(): NodeParts {
  if (nodeParts !== undefined) return nodeParts;
  const h2 = builtinModule<typeof http2>('node:http2');
  const z = builtinModule<typeof zlib>('node:zlib');
  if (h2 === undefined || z === undefined) {
    throw new Error(
      'the OTLP/gRPC transport needs node:http2 and node:zlib, which this runtime does not provide: use the OTLP/HTTP exporters',
    );
  }
  nodeParts = { http2: h2, zlib: z };
  return nodeParts;
}

/** gzip of a request message, off the main thread as node:zlib does it. */
function gzipAsync(message: Uint8Array, z: typeof zlib): Promise<Buffer> {
  return new Promise((resolve, reject) => z.gzip(message, (err, out) => (err ? reject(err) : resolve(out))));
}

/** The HTTP/2 pseudo-headers and error codes used here (RFC 9113; the values of node:http2's constants). */
const H2 = {
  HTTP2_HEADER_METHOD: ':method',
  HTTP2_HEADER_PATH: ':path',
  HTTP2_HEADER_STATUS: ':status',
  NGHTTP2_NO_ERROR: 0x0,
  NGHTTP2_REFUSED_STREAM: 0x7,
  NGHTTP2_CANCEL: 0x8,
  NGHTTP2_ENHANCE_YOUR_CALM: 0xb,
  NGHTTP2_INADEQUATE_SECURITY: 0xc,
} as const;

/** Formats a timeout as gRPC's `grpc-timeout` (at most 8 digits and a unit), rounding up. */
export function formatGrpcTimeout(ms: number): string {
  const millis = Math.max(0, Math.ceil(ms));
  if (millis < 1e8) return `${millis}m`;
  const seconds = Math.ceil(millis / 1000);
  if (seconds < 1e8) return `${seconds}S`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 1e8) return `${minutes}M`;
  return `${Math.min(99_999_999, Math.ceil(minutes / 60))}H`;
}

/** The gRPC code a gRPC client reports for an HTTP status from a peer that did not answer as gRPC. */
export function httpStatusToGrpc(status: number): GrpcCode {
  switch (status) {
    case 400:
      return GrpcCode.INTERNAL;
    case 401:
      return GrpcCode.UNAUTHENTICATED;
    case 403:
      return GrpcCode.PERMISSION_DENIED;
    case 404:
      return GrpcCode.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcCode.UNAVAILABLE;
    default:
      return GrpcCode.UNKNOWN;
  }
}

/** The gRPC code for an RST_STREAM error code received from the peer. */
export function rstCodeToGrpc(rstCode: number): GrpcCode {
  switch (rstCode) {
    case H2.NGHTTP2_REFUSED_STREAM:
      // The server did not process the stream: safe to try again.
      return GrpcCode.UNAVAILABLE;
    case H2.NGHTTP2_CANCEL:
      return GrpcCode.CANCELLED;
    case H2.NGHTTP2_ENHANCE_YOUR_CALM:
      return GrpcCode.RESOURCE_EXHAUSTED;
    case H2.NGHTTP2_INADEQUATE_SECURITY:
      return GrpcCode.PERMISSION_DENIED;
    default:
      return GrpcCode.INTERNAL;
  }
}

const H2_ERROR_NAMES: readonly string[] = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

function h2ErrorName(code: number): string {
  return H2_ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

/** Decodes grpc-message: `%XX` escapes of UTF-8 bytes; malformed escapes are kept as they are. */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Not allowed on the wire, but keep whatever arrived readable.
      for (const b of Buffer.from(text[i]!, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function failure(code: GrpcCode, message: string, retryInfoMs?: number, retryable?: boolean): CallFailure {
  const result: { -readonly [K in keyof CallFailure]: CallFailure[K] } = {
    kind: 'failure',
    code,
    message,
    retryable: retryable ?? isRetryableCode(code, retryInfoMs !== undefined),
  };
  if (retryInfoMs !== undefined) result.retryInfoMs = retryInfoMs;
  return result;
}

/** One HTTP/2 session and, once it can no longer take new calls, why. */
interface Connection {
  readonly session: http2.ClientHttp2Session;
  lost: string | undefined;
  /** Whether the peer has spoken HTTP/2 at all (sent its SETTINGS frame). */
  heard: boolean;
}

/** What one call saw, gathered while the stream runs and judged when it closes. */
interface CallState {
  readonly connection: Connection;
  readonly stream: http2.ClientHttp2Stream;
  readonly timeoutMs: number;
  headers: http2.IncomingHttpHeaders | undefined;
  trailers: http2.IncomingHttpHeaders | undefined;
  readonly chunks: Buffer[];
  received: number;
  deadlineHit: boolean;
  overflow: boolean;
  error: (Error & { cause?: unknown }) | undefined;
}

/** A gRPC client for unary calls to one endpoint over one (re-established as needed) HTTP/2 session. */
export class GrpcTransport {
  private readonly endpoint: string;
  private readonly node: NodeParts;
  private readonly connectOptions: http2.SecureClientSessionOptions;
  private readonly baseHeaders: http2.OutgoingHttpHeaders;
  private readonly gzip: boolean;
  private readonly maxRequestBytes: number;
  private readonly maxResponseBytes: number;
  private readonly readRetryDelay: (details: Buffer) => number | undefined;
  private current: Connection | undefined;
  private closed = false;
  /** How many sessions were opened: lets tests see a session being reused or replaced. */
  sessionsOpened = 0;

  /** Throws on an unusable endpoint or metadata (programmer errors; config validation reports them earlier). */
  constructor(options: GrpcTransportOptions) {
    this.node = loadNodeParts();
    const url = new URL(options.endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`gRPC endpoint must use http: or https:, got ${JSON.stringify(options.endpoint)}`);
    }
    this.endpoint = `${url.protocol}//${url.host}`;
    const metadata = options.metadata ?? {};
    const problems = checkMetadata(metadata);
    if (problems.length > 0) throw new Error(`invalid gRPC metadata: ${problems.join('; ')}`);
    this.gzip = options.compression === 'gzip';
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.readRetryDelay = options.readRetryDelay ?? ((details) => decodeRpcStatus(details).retryDelayMs);
    const tls: http2.SecureClientSessionOptions = {};
    if (options.ca !== undefined) tls.ca = options.ca;
    if (options.cert !== undefined) tls.cert = options.cert;
    if (options.key !== undefined) tls.key = options.key;
    this.connectOptions = tls;
    this.baseHeaders = {
      ...metadata,
      [H2.HTTP2_HEADER_METHOD]: 'POST',
      [H2.HTTP2_HEADER_PATH]: options.path ?? TRACE_EXPORT_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': options.userAgent ?? defaultUserAgent(),
      'grpc-accept-encoding': 'identity,gzip',
      ...(this.gzip ? { 'grpc-encoding': 'gzip' } : {}),
    };
  }

  /**
   * Sends one request message and waits for the response, at most `timeoutMs` (compression included).
   * Never rejects: every outcome, local or remote, is a {@link CallResult}.
   */
  async unary(message: Uint8Array, timeoutMs: number): Promise<CallResult> {
    if (this.closed) return failure(GrpcCode.CANCELLED, 'the transport is closed', undefined, false);
    if (!(timeoutMs > 0)) return failure(GrpcCode.DEADLINE_EXCEEDED, 'the deadline passed before the call started');
    const started = performance.now();
    let payload: Uint8Array = message;
    if (this.gzip) {
      try {
        payload = await gzipAsync(message, this.node.zlib);
      } catch (err) {
        return failure(GrpcCode.INTERNAL, `gzip of the request failed: ${(err as Error).message}`, undefined, false);
      }
    }
    const framed = 5 + payload.byteLength;
    if (framed > this.maxRequestBytes) {
      return failure(
        GrpcCode.RESOURCE_EXHAUSTED,
        `request of ${framed} bytes (framed${this.gzip ? ', gzipped' : ''}) exceeds the limit of ${this.maxRequestBytes} bytes; not sent`,
        undefined,
        false,
      );
    }
    const remaining = timeoutMs - (performance.now() - started);
    if (!(remaining > 0)) return failure(GrpcCode.DEADLINE_EXCEEDED, 'the deadline passed while compressing');
    if (this.closed) return failure(GrpcCode.CANCELLED, 'the transport is closed', undefined, false);
    const prefix = Buffer.allocUnsafe(5);
    prefix[0] = this.gzip ? 1 : 0;
    prefix.writeUInt32BE(payload.byteLength, 1);
    return this.send(prefix, payload, remaining);
  }

  /** Closes the session once calls in flight have finished; later calls fail with CANCELLED. */
  async close(): Promise<void> {
    this.closed = true;
    const connection = this.current;
    this.current = undefined;
    if (connection === undefined) return;
    const { session } = connection;
    if (session.destroyed) return;
    await new Promise<void>((resolve) => {
      session.once('close', () => resolve());
      if (!session.closed) session.close();
    });
  }

  private connection(): Connection {
    const existing = this.current;
    if (
      existing !== undefined &&
      existing.lost === undefined &&
      !existing.session.closed &&
      !existing.session.destroyed
    ) {
      return existing;
    }
    const session = this.node.http2.connect(this.endpoint, this.connectOptions);
    const connection: Connection = { session, lost: undefined, heard: false };
    session.once('remoteSettings', () => {
      connection.heard = true;
    });
    const forget = (why: string): void => {
      connection.lost ??= why;
      if (this.current === connection) this.current = undefined;
    };
    session.on('error', (err: Error) => forget(err.message));
    session.on('goaway', (code: number) => forget(`the server sent GOAWAY (${h2ErrorName(code)})`));
    session.on('close', () => forget('the connection closed'));
    // An idle connection must not keep the process alive; a call in flight is held open by its deadline timer.
    session.unref();
    this.sessionsOpened++;
    this.current = connection;
    return connection;
  }

  private send(prefix: Buffer, payload: Uint8Array, timeoutMs: number): Promise<CallResult> {
    return new Promise<CallResult>((resolve) => {
      const connection = this.connection();
      let stream: http2.ClientHttp2Stream;
      try {
        stream = connection.session.request(
          { ...this.baseHeaders, 'grpc-timeout': formatGrpcTimeout(timeoutMs) },
          { endStream: false },
        );
      } catch (err) {
        connection.lost ??= (err as Error).message;
        resolve(failure(GrpcCode.UNAVAILABLE, `could not start the call: ${(err as Error).message}`));
        return;
      }
      const state: CallState = {
        connection,
        stream,
        timeoutMs,
        headers: undefined,
        trailers: undefined,
        chunks: [],
        received: 0,
        deadlineHit: false,
        overflow: false,
        error: undefined,
      };
      const timer = setTimeout(() => {
        state.deadlineHit = true;
        stream.close(H2.NGHTTP2_CANCEL);
        // A connection that could not even be set up in a whole deadline (a silent host), or whose peer
        // accepted it but never spoke HTTP/2 (no SETTINGS frame: a hung process, a black-holing proxy), is
        // abandoned, so the next call dials afresh instead of waiting forever on a connection nobody
        // will ever answer or close.
        if (connection.session.connecting || !connection.heard) {
          connection.lost ??= connection.session.connecting
            ? 'connecting took longer than the call deadline'
            : 'the peer accepted the connection but sent no HTTP/2 SETTINGS within the call deadline';
          if (this.current === connection) this.current = undefined;
          connection.session.destroy();
        }
      }, Math.ceil(timeoutMs));
      stream.on('response', (headers) => {
        state.headers = headers;
      });
      stream.on('trailers', (trailers) => {
        state.trailers = trailers;
      });
      stream.on('data', (chunk: Buffer) => {
        state.received += chunk.length;
        // Room for the 5-byte prefix on top of the largest acceptable message.
        if (state.received > this.maxResponseBytes + 5) {
          state.overflow = true;
          stream.close(H2.NGHTTP2_CANCEL);
        } else {
          state.chunks.push(chunk);
        }
      });
      stream.on('error', (err: Error) => {
        state.error ??= err;
      });
      stream.on('close', () => {
        clearTimeout(timer);
        resolve(this.judge(state));
      });
      stream.write(prefix);
      stream.end(payload);
    });
  }

  /** Turns what a closed stream saw into a result. */
  private judge(state: CallState): CallResult {
    if (state.deadlineHit) {
      // Say so when the connection itself was the problem (and was dropped): the next call dials again.
      const { connection } = state;
      const why = connection.heard
        ? ''
        : ` (${connection.lost ?? 'the peer never spoke HTTP/2'}; the connection was dropped)`;
      return failure(
        GrpcCode.DEADLINE_EXCEEDED,
        `no response within the deadline of ${Math.ceil(state.timeoutMs)} ms${why}`,
      );
    }
    if (state.overflow) {
      return failure(
        GrpcCode.RESOURCE_EXHAUSTED,
        `response larger than the limit of ${this.maxResponseBytes} bytes`,
        undefined,
        false,
      );
    }
    const headers = state.headers;
    if (headers === undefined) return this.abnormalEnd(state, 'before any response headers');
    const httpStatus = Number(headers[H2.HTTP2_HEADER_STATUS]);
    const contentType = headerText(headers['content-type']);
    if (httpStatus !== 200) {
      return failure(
        httpStatusToGrpc(httpStatus),
        `HTTP ${httpStatus}${contentType === undefined ? '' : ` (${contentType})`} from ${this.endpoint}, not a gRPC response`,
      );
    }
    if (contentType === undefined || !/^application\/grpc(?:$|[+;])/.test(contentType)) {
      return failure(
        GrpcCode.UNKNOWN,
        `unexpected content-type ${JSON.stringify(contentType ?? '')} in an HTTP 200 response from ${this.endpoint}: not a gRPC server`,
      );
    }
    // A Trailers-Only response carries the status in its only HEADERS frame.
    const statusHeaders = headers['grpc-status'] !== undefined ? headers : state.trailers;
    const statusText = headerText(statusHeaders?.['grpc-status']);
    if (statusHeaders === undefined || statusText === undefined) {
      return this.abnormalEnd(state, 'without a grpc-status');
    }
    if (!/^\d{1,9}$/.test(statusText)) {
      return failure(GrpcCode.INTERNAL, `malformed grpc-status ${JSON.stringify(statusText)}`);
    }
    const status = Number(statusText);
    if (status !== GrpcCode.OK) {
      const code = (status <= GrpcCode.UNAUTHENTICATED ? status : GrpcCode.UNKNOWN) as GrpcCode;
      const message = percentDecode(headerText(statusHeaders['grpc-message']) ?? '');
      const retryInfoMs = this.retryDelay(headerText(statusHeaders['grpc-status-details-bin']));
      return failure(code, message === '' ? `status ${grpcCodeName(code)} without a message` : message, retryInfoMs);
    }
    return this.unframe(Buffer.concat(state.chunks), headerText(headers['grpc-encoding']) ?? 'identity');
  }

  /** The stream ended without a gRPC status: say why as precisely as the evidence allows. */
  private abnormalEnd(state: CallState, when: string): CallFailure {
    const cause = state.error?.cause;
    if (cause instanceof Error) {
      return failure(GrpcCode.UNAVAILABLE, `connection to ${this.endpoint} failed ${when}: ${cause.message}`);
    }
    const { connection, stream } = state;
    if (connection.lost !== undefined || connection.session.destroyed) {
      // The stream may learn why before the session does (e.g. "Protocol error" from a peer that is not HTTP/2).
      const why =
        connection.lost ??
        (state.error === undefined
          ? 'the session was destroyed'
          : `${state.error.message} (the session was destroyed)`);
      return failure(GrpcCode.UNAVAILABLE, `connection to ${this.endpoint} lost ${when}: ${why}`);
    }
    const rst = stream.rstCode;
    if (rst !== undefined && rst !== H2.NGHTTP2_NO_ERROR) {
      return failure(rstCodeToGrpc(rst), `the server reset the stream ${when} (RST_STREAM ${h2ErrorName(rst)})`);
    }
    if (state.error !== undefined) return failure(GrpcCode.INTERNAL, `stream failed ${when}: ${state.error.message}`);
    return failure(GrpcCode.INTERNAL, `the server ended the stream ${when}`);
  }

  private retryDelay(detailsBase64: string | undefined): number | undefined {
    if (detailsBase64 === undefined) return undefined;
    try {
      const ms = this.readRetryDelay(Buffer.from(detailsBase64, 'base64'));
      return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
    } catch {
      // Unreadable details are no reason to lose the status itself.
      return undefined;
    }
  }

  /** Checks the response framing: zero or one message, well-formed, decompressed when flagged. */
  private unframe(body: Buffer, encoding: string): CallResult {
    if (body.length === 0) return { kind: 'success', body };
    if (body.length < 5) {
      return failure(GrpcCode.INTERNAL, `response framing: ${body.length} bytes, too short for a message prefix`);
    }
    const flag = body[0]!;
    const length = body.readUInt32BE(1);
    if (flag > 1) return failure(GrpcCode.INTERNAL, `response framing: invalid compressed flag ${flag}`);
    if (5 + length > body.length) {
      return failure(
        GrpcCode.INTERNAL,
        `response framing: message declares ${length} bytes but ${body.length - 5} arrived`,
      );
    }
    if (5 + length < body.length) {
      return failure(
        GrpcCode.INTERNAL,
        `response framing: ${body.length - 5 - length} bytes after the message (a unary call has one)`,
      );
    }
    const message = body.subarray(5);
    if (flag === 0) return { kind: 'success', body: message };
    if (encoding !== 'gzip') {
      return failure(
        GrpcCode.INTERNAL,
        `response message is flagged compressed but grpc-encoding is ${JSON.stringify(encoding)}`,
      );
    }
    try {
      return { kind: 'success', body: this.node.zlib.gunzipSync(message, { maxOutputLength: this.maxResponseBytes }) };
    } catch (err) {
      return failure(GrpcCode.INTERNAL, `response message could not be gunzipped: ${(err as Error).message}`);
    }
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
