/**
 * Request instrumentation for node:http servers, shaped as OPA instruments its REST API:
 * - `http_request_duration_seconds{code,handler,method}` ("A histogram of duration for requests.",
 *   OPA's default buckets, the method lower-cased as promhttp writes it) and
 *   `http_request_cancellations{code,handler,method}` ("A count of cancelled requests.", the method
 *   as the client sent it, as OPA counts it);
 * - a SERVER span per request, continuing an incoming `traceparent`, named "{method} {handler}"
 *   and carrying OpenTelemetry's HTTP server attributes, as OPA's otelhttp handler does;
 * - when the request's span is sampled, its duration observation carries the exemplar
 *   `{trace_id, span_id}`, so a latency bucket leads to a trace.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Counter } from '../metrics/counter.js';
import { Histogram } from '../metrics/histogram.js';
import type { NativeHistogramOptions } from '../metrics/native-histogram.js';
import { defaultRegistry, type Registry } from '../metrics/registry.js';
import { monotonicSeconds } from '../metrics/timer.js';
import { context, setSpan } from '../trace/context.js';
import { extract } from '../trace/propagation.js';
import { type Attributes, SpanKind, StatusCode } from '../trace/span-data.js';
import { isSpanContextValid, type Span, TraceFlags } from '../trace/span.js';
import type { Tracer } from '../trace/tracer.js';

/** OPA's default buckets for `http_request_duration_seconds`. */
export const OPA_HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([
  1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 0.01, 0.1, 1,
]);

export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';
export const HTTP_DURATION_HELP = 'A histogram of duration for requests.';
export const HTTP_CANCELLATIONS_METRIC = 'http_request_cancellations';
export const HTTP_CANCELLATIONS_HELP = 'A count of cancelled requests.';

/** A handler as node:http calls it; it may return a promise. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerMetricsOptions {
  /** Where the two families are registered (default: the default registry). */
  readonly registry?: Registry;
  /** Histogram buckets (default: OPA's, {@link OPA_HTTP_DURATION_BUCKETS}); `[]` with native buckets on: none. */
  readonly buckets?: readonly number[];
  /** Native histogram options for the duration histogram (default: none). */
  readonly native?: NativeHistogramOptions;
  /** Series each family keeps at most (default unbounded, as client_golang); see Metric's `maxSeries`. */
  readonly maxSeries?: number;
}

/** The two request families OPA's server exports, shared by every instrumented handler. */
export class HttpServerMetrics {
  readonly duration: Histogram<'code' | 'handler' | 'method'>;
  readonly cancellations: Counter<'code' | 'handler' | 'method'>;

  constructor(options: HttpServerMetricsOptions = {}) {
    const registers = [options.registry ?? defaultRegistry];
    this.duration = new Histogram({
      name: HTTP_DURATION_METRIC,
      help: HTTP_DURATION_HELP,
      labelNames: ['code', 'handler', 'method'],
      buckets: options.buckets ?? OPA_HTTP_DURATION_BUCKETS,
      ...options.native,
      registers,
      ...(options.maxSeries !== undefined ? { maxSeries: options.maxSeries } : {}),
    });
    this.cancellations = new Counter({
      name: HTTP_CANCELLATIONS_METRIC,
      help: HTTP_CANCELLATIONS_HELP,
      labelNames: ['code', 'handler', 'method'],
      registers,
      ...(options.maxSeries !== undefined ? { maxSeries: options.maxSeries } : {}),
    });
  }
}

export interface InstrumentOptions {
  /** The `handler` label and span name suffix, as OPA names its handlers (`v1/data`, `health`, ...). */
  readonly handler: string;
  /** The route template for `http.route` (e.g. `/v1/data/{path...}`); left out when not given. */
  readonly route?: string;
  /** Records the request families; no metrics without it. */
  readonly metrics?: HttpServerMetrics;
  /** Starts a SERVER span per request; no spans without it. */
  readonly tracer?: Tracer;
  /** Attach `{trace_id, span_id}` exemplars to sampled requests' observations (default true). */
  readonly exemplars?: boolean;
  /**
   * Called when a handler throws or rejects after nothing was sent; default: 500 with OPA's
   * `internal_error` body.
   */
  readonly onError?: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

/** The span name OPA gives server spans: "{method} {operation}". */
export function serverSpanName(method: string | undefined, handler: string): string {
  if (method === undefined || method === '') return handler;
  if (handler === '') return method;
  return `${method} ${handler}`;
}

/** promhttp's method label: lower case. */
function methodLabel(method: string | undefined): string {
  return (method ?? 'get').toLowerCase();
}

function splitHostPort(host: string | undefined, defaultPort: number): { address: string; port: number } | undefined {
  if (host === undefined || host === '') return undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracketed !== null)
    return { address: bracketed[1]!, port: bracketed[2] !== undefined ? Number(bracketed[2]) : defaultPort };
  const colon = host.lastIndexOf(':');
  if (colon > 0 && host.indexOf(':') === colon) {
    const port = Number(host.slice(colon + 1));
    return { address: host.slice(0, colon), port: Number.isInteger(port) ? port : defaultPort };
  }
  return { address: host, port: defaultPort };
}

/** OpenTelemetry's HTTP server attributes known when the request arrives. */
function requestAttributes(req: IncomingMessage, route: string | undefined): Attributes {
  const encrypted = (req.socket as TLSSocket | undefined)?.encrypted === true;
  const scheme = encrypted ? 'https' : 'http';
  const attributes: Record<string, string | number> = {
    'http.request.method': req.method ?? 'GET',
    'url.scheme': scheme,
    'network.protocol.version': req.httpVersion,
  };
  const q = (req.url ?? '/').indexOf('?');
  attributes['url.path'] = q === -1 ? (req.url ?? '/') : (req.url ?? '/').slice(0, q);
  const server = splitHostPort(req.headers.host, encrypted ? 443 : 80);
  if (server !== undefined) {
    attributes['server.address'] = server.address;
    attributes['server.port'] = server.port;
  }
  const peer = req.socket?.remoteAddress;
  if (peer !== undefined) {
    attributes['network.peer.address'] = peer;
    if (req.socket.remotePort !== undefined) attributes['network.peer.port'] = req.socket.remotePort;
  }
  const forwarded = req.headers['x-forwarded-for'];
  const client = typeof forwarded === 'string' && forwarded !== '' ? forwarded.split(',')[0]!.trim() : peer;
  if (client !== undefined && client !== '') attributes['client.address'] = client;
  const agent = req.headers['user-agent'];
  if (agent !== undefined && agent !== '') attributes['user_agent.original'] = agent;
  if (route !== undefined) attributes['http.route'] = route;
  return attributes;
}

/** OPA's body for an unexpected failure. */
function defaultOnError(error: unknown, _req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const body = JSON.stringify({ code: 'internal_error', message: (error as Error)?.message ?? String(error) }, null, 2);
  res.writeHead(500, { 'Content-Type': 'application/json' });
  res.end(body + '\n');
}

/**
 * Wraps a handler with the request families, a SERVER span and exemplars. The handler runs with the
 * span active, so outbound calls it makes (see `httpRequest`) become the span's children and
 * `getActiveSpan()` reaches it (OPA puts `opa.decision_id` there).
 *
 * The duration runs from the call until the response is flushed; a request whose connection closes
 * before its response is complete also counts in `http_request_cancellations`.
 */
export function instrumentHandler(handler: RequestHandler, options: InstrumentOptions): RequestHandler {
  const { metrics, tracer, route } = options;
  const label = options.handler;
  const exemplars = options.exemplars ?? true;
  const onError = options.onError ?? defaultOnError;
  return function instrumented(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = monotonicSeconds();
    const parent = tracer === undefined ? context.active() : extract(req.headers, context.active());
    const span: Span | undefined = tracer?.startSpan(
      serverSpanName(req.method, label),
      { kind: SpanKind.SERVER, attributes: requestAttributes(req, route) },
      parent,
    );
    let done = false;
    const complete = (cancelled: boolean): void => {
      if (done) return;
      done = true;
      const seconds = monotonicSeconds() - start;
      const code = String(res.statusCode);
      if (metrics !== undefined) {
        const child = metrics.duration.labels(code, label, methodLabel(req.method));
        const sc = span?.spanContext();
        if (exemplars && sc !== undefined && (sc.traceFlags & TraceFlags.SAMPLED) !== 0 && isSpanContextValid(sc)) {
          child.observeWithExemplar(seconds, { trace_id: sc.traceId, span_id: sc.spanId });
        } else {
          child.observe(seconds);
        }
        if (cancelled) metrics.cancellations.labels(code, label, req.method ?? 'GET').inc();
      }
      if (span !== undefined) {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) {
          span.setAttribute('error.type', code);
          span.setStatus({ code: StatusCode.ERROR });
        }
        if (cancelled) span.addEvent('request cancelled by the client');
        span.end();
      }
    };
    res.once('finish', () => complete(false));
    res.once('close', () => complete(!res.writableFinished));
    const run = async (): Promise<void> => {
      try {
        await handler(req, res);
      } catch (error) {
        span?.recordException(error);
        try {
          onError(error, req, res);
        } catch {
          res.destroy();
        }
      }
    };
    return span === undefined ? run() : context.with(setSpan(parent, span), run);
  };
}
