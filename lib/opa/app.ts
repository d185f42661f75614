/**
 * The reference server: an OPA-shaped HTTP server whose monitoring surface behaves as OPA's does,
 * assembled from the library's public pieces (request instrumentation, the `/metrics` and `/health`
 * handlers, the traced HTTP client, the status reporter).
 *
 * Routes, as OPA's router has them:
 * - `GET /metrics` (not instrumented, as in OPA), `GET /metrics/alloc_bytes`;
 * - `GET /health`, `GET /health/{path...}` (handler label `health`);
 * - `/v1/data` and `/v1/data/{path...}`: GET, POST, PUT, PATCH, DELETE (label `v1/data`; DELETE needs
 *   a path); other methods 405 (label `catchall`);
 * - `GET /v1/status` (label `v1/status`), `GET /` (label `index`);
 * - anything else 404 `404 page not found`, a known path with another method 405, as Go's mux answers.
 *
 * Protection (`server.*` of the configuration): with `authentication: "token"` every route, `/metrics`
 * and `/health` included, needs `Authorization: Bearer <token>` (401 `unauthorized` otherwise); with
 * `tls` it serves HTTPS. Slow clients are cut off by `timeouts` (408), and requests the HTTP parser
 * refuses (bad syntax, unknown methods, an oversized head) get a JSON error body, not a bare close.
 * Requests pipelined on one connection are served one after the other, in order. Limits and what
 * the server answers at each: docs/reliability.md.
 *
 * Plugins (states NOT_READY / OK / ERROR / WARN, read by `/health?plugins` and pushed by the status
 * reporter): `distributed_tracing` (the span exporter: ERROR after a failed export, WARN after a
 * partial one, OK again after a good one), `decision_logs`, `status`.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { type Env, processEnv } from '../config/env.js';
import { allocBytesHandler, metricsHandler } from '../http/metrics-handler.js';
import { HttpServerMetrics, instrumentHandler, type RequestHandler } from '../http/instrument.js';
import { healthHandler } from './health.js';
import { createHttpClient } from '../http/client.js';
import { Registry } from '../metrics/registry.js';
import { collectRuntimeMetrics, type RuntimeMetricsHandle } from '../runtime/index.js';
import { OtlpGrpcTraceExporter } from '../otlp/exporter.js';
import { OtlpHttpTraceExporter } from '../otlp/http-trace-exporter.js';
import { BatchSpanProcessor } from '../trace/batch.js';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  samplerFromEnv,
  TraceIdRatioBasedSampler,
} from '../trace/sampler.js';
import type { ExportResult, SpanData, SpanExporter } from '../trace/span-data.js';
import { defaultResource, type Tracer, TracerProvider } from '../trace/tracer.js';
import { PluginManager, ZEROTEL_VERSION } from './payload.js';
import { StatusReporter } from './reporter.js';
import { defaultConfig, type ReferenceConfig, type TracingConfig } from './config.js';
import { ApiError, DataApi, ErrorCode, writeError } from './data-api.js';
import { DecisionLogger } from './decision-log.js';
import { nativeHistogramOptions } from './native-histograms-config.js';

export const TRACING_PLUGIN = 'distributed_tracing';

/**
 * Series each labelled metric the server creates keeps at most; a new label combination past it is
 * not exported, and counted in `zerotel_metric_series_dropped_total{metric}`.
 * The library's own default stays unbounded (as client_golang's) so that its output stays exact; a
 * server facing the network bounds what requests could grow.
 */
export const DEFAULT_SERVER_MAX_SERIES = 1000;

export interface ReferenceServerOptions {
  /** Default: {@link defaultConfig} (no tracing, no status, no decision logs, `/metrics` on). */
  readonly config?: ReferenceConfig;
  /** Where OTEL_* variables are read (default process.env). */
  readonly env?: Env;
  /** Default: a new registry, with the go_* runtime set registered in it. */
  readonly registry?: Registry;
  /** Register the go_* runtime collector (default true). */
  readonly runtimeMetrics?: boolean;
  /** Decision log and status console lines (default process.stdout). */
  readonly stdout?: (line: string) => void;
  /** Operational messages (default process.stderr, one line each). */
  readonly log?: (message: string) => void;
  /** The instance id label (default: a random UUID). */
  readonly id?: string;
  /** Series per metric the server creates (default {@link DEFAULT_SERVER_MAX_SERIES}). */
  readonly maxSeries?: number;
  /** Status push retries (tests shorten them). */
  readonly statusRetry?: {
    readonly maxAttempts?: number;
    readonly initialDelayMs?: number;
    readonly maxDelayMs?: number;
  };
}

/** Reports the span exporter's health as the `distributed_tracing` plugin's state. */
class ObservedExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly plugins: PluginManager,
  ) {}

  async export(spans: readonly SpanData[]): Promise<ExportResult> {
    const result = await this.inner.export(spans);
    if (result.kind === 'failure') {
      this.plugins.update(TRACING_PLUGIN, { state: 'ERROR', message: result.error.message });
    } else if ((result.rejectedSpans ?? 0) > 0) {
      this.plugins.update(TRACING_PLUGIN, {
        state: 'WARN',
        message: `the collector rejected ${result.rejectedSpans} spans${result.message ? `: ${result.message}` : ''}`,
      });
    } else {
      this.plugins.update(TRACING_PLUGIN, { state: 'OK' });
    }
    return result;
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

function samplerFor(tracing: TracingConfig, env: Env): Sampler {
  if (tracing.samplePercentage !== undefined) {
    return new ParentBasedSampler(new TraceIdRatioBasedSampler(tracing.samplePercentage / 100));
  }
  if ((env['OTEL_TRACES_SAMPLER'] ?? '').trim() !== '') return samplerFromEnv(env);
  return new ParentBasedSampler(new AlwaysOnSampler());
}

/** Go's mux answers for unknown paths and wrong methods. */
function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    Allow: allow,
  });
  res.end('Method Not Allowed\n');
}

/** SHA-256 of a token: equal-length inputs for a constant-time comparison. */
function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * A check of `Authorization: Bearer <token>` against the configured token. Both sides are hashed
 * first, so `timingSafeEqual` compares equal-length digests and the time taken reveals neither the
 * token's length nor how many of its leading characters matched.
 */
export function bearerTokenCheck(token: string): (header: string | undefined) => boolean {
  const expected = tokenDigest(token);
  return (header) => {
    const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    // An absent or malformed header is still compared, against a digest that cannot match by chance.
    const given = tokenDigest(m === null ? `\0${expected.toString('hex')}` : m[1]!);
    return timingSafeEqual(given, expected) && m !== null;
  };
}

/** Answers a request the HTTP parser refused (bad syntax, oversized head, a slow client) with a short body. */
function answerClientError(
  error: NodeJS.ErrnoException & { bytesParsed?: number; rawPacket?: Buffer },
  socket: Socket,
): void {
  const code = error.code ?? '';
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  // Only the parser's refusals and timeouts are answered; a broken connection (ECONNRESET, EPIPE...)
  // or one whose response has begun can only be closed.
  const answerable = code.startsWith('HPE_') || code === 'ERR_HTTP_REQUEST_TIMEOUT';
  if (!answerable || !socket.writable || socket.destroyed || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  let status = 400;
  let reason = 'Bad Request';
  let message = `bad request: ${error.message.replace(/[\r\n]+/g, ' ')}`;
  if (code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    reason = 'Request Header Fields Too Large';
    message = 'request header fields too large';
  } else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    reason = 'Request Timeout';
    message = 'request not received within the time limit';
  } else if (code === 'HPE_INVALID_METHOD') {
    message = 'bad request: unknown HTTP method';
  }
  const body = `${JSON.stringify({ code: ErrorCode.InvalidParameter, message }, null, 2)}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

function isRead(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD';
}

const INDEX_TEXT = `zerotel reference server (OPA-shaped monitoring surface)

GET  /metrics                 Prometheus exposition (text, OpenMetrics, protobuf; gzip)
GET  /metrics/alloc_bytes     bytes in use
GET  /health[?bundles][?plugins][&exclude-plugin=NAME]
GET  /health/live, /health/ready
GET|POST|PUT|PATCH|DELETE /v1/data/{path}
GET  /v1/status
`;

/** The whole server; build it with {@link createReferenceServer}. */
export class ReferenceServer {
  readonly config: ReferenceConfig;
  readonly registry: Registry;
  readonly plugins: PluginManager;
  readonly httpMetrics: HttpServerMetrics;
  readonly tracerProvider: TracerProvider | undefined;
  readonly tracer: Tracer | undefined;
  readonly decisionLogger: DecisionLogger | undefined;
  readonly statusReporter: StatusReporter | undefined;
  readonly dataApi: DataApi;
  readonly server: Server;
  private readonly runtime: RuntimeMetricsHandle | undefined;
  private readonly log: (message: string) => void;
  private readonly routes: {
    readonly metrics: RequestHandler;
    readonly allocBytes: RequestHandler;
    readonly health: RequestHandler;
    readonly healthPath: RequestHandler;
    readonly data: RequestHandler;
    readonly dataPath: RequestHandler;
    readonly catchall: RequestHandler;
    readonly status: RequestHandler;
    readonly index: RequestHandler;
  };
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private shuttingDown: Promise<boolean> | undefined;
  private started = false;

  constructor(options: ReferenceServerOptions = {}) {
    const env = options.env ?? processEnv();
    const config = options.config ?? defaultConfig({ env });
    this.config = config;
    this.log = options.log ?? ((message) => void process.stderr.write(`${message}\n`));
    const stdout = options.stdout ?? ((line: string) => void process.stdout.write(line));
    this.registry = options.registry ?? new Registry();
    this.plugins = new PluginManager({
      labels: config.labels,
      ...(options.id !== undefined ? { id: options.id } : {}),
    });
    this.runtime =
      options.runtimeMetrics === false ? undefined : collectRuntimeMetrics({ registry: this.registry, sets: ['go'] });
    const native = config.server.nativeHistograms;
    this.httpMetrics = new HttpServerMetrics({
      registry: this.registry,
      // Without keep_classic the native histogram stands alone, as client_golang's does without Buckets.
      buckets: native !== undefined && !native.keepClassic ? [] : config.server.httpRequestDurationBuckets,
      ...(native !== undefined ? { native: nativeHistogramOptions(native) } : {}),
      maxSeries: options.maxSeries ?? DEFAULT_SERVER_MAX_SERIES,
    });

    const tracing = config.distributedTracing;
    if (tracing !== undefined) {
      this.plugins.update(TRACING_PLUGIN, { state: 'NOT_READY' });
      const exporter = new ObservedExporter(
        tracing.type === 'http'
          ? new OtlpHttpTraceExporter({ ...tracing.exporter, registry: this.registry, env })
          : new OtlpGrpcTraceExporter({
              ...tracing.exporter,
              registry: this.registry,
              env,
              logger: { warn: this.log },
            }),
        this.plugins,
      );
      const processor = new BatchSpanProcessor(exporter, { ...tracing.batch, env, registry: this.registry });
      this.tracerProvider = new TracerProvider({
        resource: defaultResource({
          attributes: { 'service.name': tracing.serviceName, ...tracing.resource },
          env,
          warn: this.log,
        }),
        sampler: samplerFor(tracing, env),
        spanProcessors: [processor],
      });
      this.tracer = this.tracerProvider.getTracer('zerotel/http', ZEROTEL_VERSION);
    }

    if (config.decisionLogs?.console) {
      this.decisionLogger = new DecisionLogger({ write: stdout, labels: this.plugins.labels, plugins: this.plugins });
    }

    const status = config.status;
    if (status !== undefined) {
      const service = status.service === undefined ? undefined : config.services[status.service];
      this.statusReporter = new StatusReporter({
        plugins: this.plugins,
        registry: this.registry,
        ...(service !== undefined
          ? {
              service: {
                url: service.url,
                headers: service.headers,
                ...(service.bearer !== undefined ? { bearer: service.bearer } : {}),
                ...(service.caCert !== undefined ? { ca: service.caCert } : {}),
                allowInsecureTls: service.allowInsecureTls,
                timeoutMs: service.responseHeaderTimeoutSeconds * 1000,
              },
            }
          : {}),
        partitionName: status.partitionName,
        console: status.console,
        consoleWrite: stdout,
        prometheus: status.prometheus,
        bundleLoadingDurationBuckets: status.bundleLoadingDurationBuckets,
        trigger: status.trigger,
        log: this.log,
        ...(options.statusRetry !== undefined ? { retry: options.statusRetry } : {}),
      });
    }

    this.dataApi = new DataApi({
      upstreams: config.upstreams,
      client: createHttpClient(this.tracer === undefined ? {} : { tracer: this.tracer }),
      ...(this.decisionLogger !== undefined ? { decisionLogger: this.decisionLogger } : {}),
      maxLength: config.server.maxLength,
      gzipMaxLength: config.server.gzipMaxLength,
      log: this.log,
    });

    const instrument = (handler: RequestHandler, label: string, route: string): RequestHandler =>
      instrumentHandler(handler, {
        handler: label,
        route,
        metrics: this.httpMetrics,
        ...(this.tracer !== undefined ? { tracer: this.tracer } : {}),
      });
    const health = healthHandler({
      plugins: () => ({ states: this.plugins.all(), ready: this.plugins.pluginsReady }),
      ready: () => this.shuttingDown === undefined,
    });
    const statusGet: RequestHandler = async (_req, res) => {
      if (this.statusReporter === undefined) {
        writeError(res, new ApiError(500, ErrorCode.Internal, 'status plugin not enabled'));
        return;
      }
      const snapshot = await this.statusReporter.snapshot();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify({ result: snapshot })}\n`);
    };
    this.routes = {
      metrics: metricsHandler({ registry: this.registry }),
      allocBytes: allocBytesHandler(),
      health: instrument(health, 'health', '/health'),
      healthPath: instrument(health, 'health', '/health/{path...}'),
      data: instrument(this.dataApi.handle, 'v1/data', '/v1/data'),
      dataPath: instrument(this.dataApi.handle, 'v1/data', '/v1/data/{path...}'),
      catchall: instrument((_req, res) => void res.writeHead(405).end(), 'catchall', '/v1/data/{path...}'),
      status: instrument(statusGet, 'v1/status', '/v1/status'),
      index: instrument(
        (_req, res) => void res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(INDEX_TEXT),
        'index',
        '/',
      ),
    };
    const serverConfig = config.server;
    this.checkToken = serverConfig.token === undefined ? undefined : bearerTokenCheck(serverConfig.token);
    const timeouts = {
      headersTimeout: serverConfig.headersTimeoutMs,
      requestTimeout: serverConfig.requestTimeoutMs,
      // How often Node looks for connections past those limits (its default, 30 s, would let a slow
      // client hold a connection far longer than configured).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(serverConfig.headersTimeoutMs / 4))),
    };
    const listener = (req: IncomingMessage, res: ServerResponse): void => this.dispatch(req, res);
    this.server =
      serverConfig.tls === undefined
        ? http.createServer(timeouts, listener)
        : (https.createServer(
            { ...timeouts, cert: serverConfig.tls.cert, key: serverConfig.tls.key },
            listener,
          ) as unknown as Server);
    this.server.on('clientError', answerClientError);
    // CONNECT (a proxy tunnel) is nothing this server offers; without a listener Node drops the socket unanswered.
    this.server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      const body = `${JSON.stringify({ code: ErrorCode.InvalidOperation, message: 'method CONNECT not allowed' }, null, 2)}\n`;
      socket.on('error', () => socket.destroy());
      socket.end(
        `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    });
    if (serverConfig.tls !== undefined) {
      // A client that fails the TLS handshake: nothing can be answered over that connection.
      this.server.on('tlsClientError', (_error: Error, socket: Socket) => socket.destroy());
    }
  }

  /** True when the server answers over TLS (`server.tls`). */
  get tls(): boolean {
    return this.config.server.tls !== undefined;
  }

  private readonly checkToken: ((header: string | undefined) => boolean) | undefined;

  /** Routes one request (what the node:http server calls); exposed for mounting elsewhere. */
  readonly dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    this.inFlight++;
    let counted = true;
    const done = (): void => {
      if (!counted) return;
      counted = false;
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    };
    res.once('finish', done);
    res.once('close', done);
    if (this.shuttingDown !== undefined) res.setHeader('Connection', 'close');
    if (this.checkToken !== undefined && !this.checkToken(req.headers.authorization)) {
      // The body is not read: the connection closes after the answer.
      res.setHeader('WWW-Authenticate', 'Bearer');
      writeError(res, new ApiError(401, ErrorCode.Unauthorized, 'missing or invalid bearer token'), !req.complete);
      return;
    }
    const handler = this.route(req, res);
    if (handler === undefined) return;
    this.afterEarlierRequests(req.socket, res)
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        this.log(
          `zerotel: unhandled error serving ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`,
        );
        if (!res.headersSent)
          writeError(res, new ApiError(500, ErrorCode.Internal, (error as Error)?.message ?? String(error)));
        else res.destroy();
      });
  };

  /** Per connection: settles when the latest request dispatched on it has been answered. */
  private readonly connectionTurns = new WeakMap<Socket, Promise<void>>();

  /**
   * Resolves when every earlier request on `socket` has been answered. Node parses pipelined
   * requests (several sent in one write) as they arrive and hands them over at once; run side by
   * side, a GET could read the store before the PUT sent ahead of it was applied. On one
   * connection, requests run one after the other, in order, as a client that pipelines expects.
   */
  private afterEarlierRequests(socket: Socket, res: ServerResponse): Promise<void> {
    const earlier = this.connectionTurns.get(socket);
    const answered = new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
    });
    this.connectionTurns.set(socket, answered);
    return earlier ?? Promise.resolve();
  }

  private route(req: IncomingMessage, res: ServerResponse): RequestHandler | undefined {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const r = this.routes;
    if (rawPath === '/metrics') return isRead(method) ? r.metrics : (methodNotAllowed(res, 'GET, HEAD'), undefined);
    if (rawPath === '/metrics/alloc_bytes')
      return isRead(method) ? r.allocBytes : (methodNotAllowed(res, 'GET, HEAD'), undefined);
    if (rawPath === '/health') return isRead(method) ? r.health : (methodNotAllowed(res, 'GET, HEAD'), undefined);
    if (rawPath.startsWith('/health/') && rawPath.length > '/health/'.length) {
      return isRead(method) ? r.healthPath : (methodNotAllowed(res, 'GET, HEAD'), undefined);
    }
    if (rawPath === '/v1/data') {
      return DataApi.METHODS.has(method) && method !== 'DELETE' ? r.data : r.catchall;
    }
    if (rawPath.startsWith('/v1/data/')) return DataApi.METHODS.has(method) ? r.dataPath : r.catchall;
    if (rawPath === '/v1/status') return isRead(method) ? r.status : (methodNotAllowed(res, 'GET, HEAD'), undefined);
    if (rawPath === '/') return isRead(method) ? r.index : (methodNotAllowed(res, 'GET, HEAD'), undefined);
    notFound(res);
    return undefined;
  }

  /** Starts the plugins and listens. Resolves with the bound address. */
  async listen(port = 8181, host = '127.0.0.1'): Promise<AddressInfo> {
    if (!this.started) {
      this.started = true;
      if (this.tracerProvider !== undefined) this.plugins.update(TRACING_PLUGIN, { state: 'OK' });
      this.decisionLogger?.start();
      this.statusReporter?.start();
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Requests being served now. */
  get activeRequests(): number {
    return this.inFlight;
  }

  /**
   * Graceful shutdown: stop accepting connections, let requests in flight finish, then stop the
   * plugins (a final status update with the latest states) and flush the spans, all within
   * `timeoutMs` (default 10 s). Connections still open at the deadline are cut. Resolves true when
   * everything finished in time. Idempotent.
   */
  shutdown(timeoutMs = 10_000): Promise<boolean> {
    this.shuttingDown ??= this.doShutdown(timeoutMs);
    return this.shuttingDown;
  }

  private async doShutdown(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const left = (): number => Math.max(1, deadline - performance.now());
    let clean = true;
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      const finished = await within(
        new Promise<void>((resolve) => {
          this.drained = resolve;
        }),
        left(),
      );
      if (!finished) {
        clean = false;
        this.log(
          `zerotel: shutdown deadline reached with ${this.inFlight} request(s) in flight; closing their connections`,
        );
      }
    }
    this.server.closeAllConnections();
    await within(closed, left());
    this.decisionLogger?.stop();
    if (this.tracerProvider !== undefined) this.plugins.update(TRACING_PLUGIN, { state: 'NOT_READY' });
    if (this.statusReporter !== undefined) {
      const sent = await this.statusReporter.stop(Math.max(1, left() / 2));
      clean &&= sent;
    }
    if (this.tracerProvider !== undefined) {
      const flushed = await this.tracerProvider.shutdown(left());
      if (!flushed) this.log('zerotel: spans may have been lost at shutdown (flush deadline reached)');
      clean &&= flushed;
    }
    this.runtime?.stop();
    return clean;
  }
}

function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

/** Builds the reference server (not yet listening: call `listen()`). */
export function createReferenceServer(options: ReferenceServerOptions = {}): ReferenceServer {
  return new ReferenceServer(options);
}
