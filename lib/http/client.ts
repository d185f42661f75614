/**
 * An outbound HTTP client over node:http/https that traces what it does: each request is a CLIENT
 * span, a child of the active span, named as OPA names its client spans ("{method} {url.path}"),
 * with OpenTelemetry's HTTP client attributes; the request carries `traceparent` (and `tracestate`)
 * so the server it calls can continue the trace. Without a tracer, or in a context where tracing is
 * suppressed, it is a plain client that still propagates the active span's context.
 */

import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { context, setSpan } from '../trace/context.js';
import { inject } from '../trace/propagation.js';
import { SpanKind, StatusCode } from '../trace/span-data.js';
import type { Span } from '../trace/span.js';
import type { Tracer } from '../trace/tracer.js';

export interface HttpRequestOptions {
  /** Default GET. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Time for the whole exchange, response body included (ms). Default 10 000. */
  readonly timeoutMs?: number;
  /** Larger response bodies fail the request. Default 16 MiB. */
  readonly maxResponseBytes?: number;
  /** Traces the request when given. */
  readonly tracer?: Tracer;
  /** Extra CA certificates (PEM) for https. */
  readonly ca?: string | Buffer;
  /** For https: false accepts any certificate (OPA's allow_insecure_tls). Default true. */
  readonly rejectUnauthorized?: boolean;
  /** Aborts the request (e.g. when the inbound request that needs it was cancelled). */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A request that did not produce a response: connection refused, timeout, body too large, aborted. */
export class HttpRequestError extends Error {
  constructor(
    message: string,
    /** A short machine-readable kind, also the span's `error.type`. */
    readonly kind: 'timeout' | 'aborted' | 'response_too_large' | 'invalid_url' | string,
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** The span name OPA gives client spans: "{method} {url.path}", or the method alone. */
export function clientSpanName(method: string, url: URL): string {
  const m = method === '' ? 'HTTP' : method;
  return url.pathname !== '' ? `${m} ${url.pathname}` : m;
}

/** `url.full` without credentials, as the semantic conventions ask. */
function redactedUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = 'REDACTED';
  copy.password = copy.password === '' ? '' : 'REDACTED';
  return copy.href;
}

/**
 * Sends one request and resolves with the whole response (any status: a 500 is a response, not an
 * error). Rejects with {@link HttpRequestError} when no response could be had.
 */
export function httpRequest(target: string | URL, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  let url: URL;
  try {
    url = typeof target === 'string' ? new URL(target) : target;
  } catch {
    return Promise.reject(new HttpRequestError(`invalid URL ${JSON.stringify(String(target))}`, 'invalid_url'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(
      new HttpRequestError(`unsupported URL scheme ${JSON.stringify(url.protocol)}`, 'invalid_url'),
    );
  }
  const method = (options.method ?? 'GET').toUpperCase();
  const parent = context.active();
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const span: Span | undefined = options.tracer?.startSpan(
    clientSpanName(method, url),
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.full': redactedUrl(url),
        'server.address': url.hostname.replace(/^\[(.*)\]$/, '$1'),
        'server.port': port,
      },
    },
    parent,
  );
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  // The callee continues from our CLIENT span (or, untraced, from whatever span is active).
  inject(headers, span === undefined ? parent : setSpan(parent, span));
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? Buffer.from(options.body)
        : options.body;
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = body.length;

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: HttpRequestError | undefined, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (span !== undefined) {
        if (response !== undefined) {
          span.setAttribute('http.response.status_code', response.status);
          if (response.status >= 400) {
            span.setAttribute('error.type', String(response.status));
            span.setStatus({ code: StatusCode.ERROR });
          }
        } else if (error !== undefined) {
          span.setAttribute('error.type', error.kind);
          span.recordException(error);
          span.setStatus({ code: StatusCode.ERROR, message: error.message });
        }
        span.end();
      }
      if (error !== undefined) reject(error);
      else resolve(response!);
    };
    const request = transport.request(
      url,
      {
        method,
        headers,
        ...(url.protocol === 'https:'
          ? {
              ...(options.ca === undefined ? {} : { ca: options.ca }),
              rejectUnauthorized: options.rejectUnauthorized ?? true,
            }
          : {}),
      },
      (response) => {
        span?.setAttribute('network.protocol.version', response.httpVersion);
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            finish(
              new HttpRequestError(
                `response body larger than ${maxBytes} bytes from ${url.origin}`,
                'response_too_large',
              ),
            );
            response.destroy();
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          finish(undefined, {
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks, size),
          }),
        );
        response.on('error', (err) =>
          finish(new HttpRequestError(err.message, (err as NodeJS.ErrnoException).code ?? 'error')),
        );
        response.on('aborted', () => finish(new HttpRequestError('the response was cut short', 'aborted')));
      },
    );
    const timer = setTimeout(() => {
      finish(new HttpRequestError(`request to ${url.origin} timed out after ${timeoutMs} ms`, 'timeout'));
      request.destroy();
    }, timeoutMs);
    const onAbort = (): void => {
      finish(new HttpRequestError('the request was aborted', 'aborted'));
      request.destroy();
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err) =>
      finish(new HttpRequestError(err.message, (err as NodeJS.ErrnoException).code ?? 'error')),
    );
    request.end(body);
  });
}

/** Defaults shared by many requests (a tracer, headers, a timeout...), each request may override them. */
export interface HttpClient {
  request(target: string | URL, options?: HttpRequestOptions): Promise<HttpResponse>;
}

/** A client whose requests start from `defaults`; headers are merged, the request's own winning. */
export function createHttpClient(defaults: HttpRequestOptions = {}): HttpClient {
  return {
    request(target, options = {}) {
      return httpRequest(target, {
        ...defaults,
        ...options,
        headers: { ...defaults.headers, ...options.headers },
      });
    },
  };
}
