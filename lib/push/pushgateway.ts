/**
 * Pushing to a Prometheus Pushgateway over node:http/node:https: the grouping-key path
 * `/metrics/job/<job>/<label>/<value>...` (after any path prefix of the gateway URL), with the gateway's
 * `@base64` form (URL-safe base64) for a job or value that holds `/` or is empty, PUT (replace the group),
 * POST (replace the pushed metric names) or DELETE (the group), an optional gzip body, basic auth taken
 * from the URL, and a timeout. Failures reject with an Error naming the status and the gateway's answer.
 */
import http from 'node:http';
import https from 'node:https';
import { gzipSync } from 'node:zlib';

export type PushMethod = 'PUT' | 'POST' | 'DELETE';

export interface PushOptions {
  /** Gateway base URL, e.g. `http://127.0.0.1:9091` or `https://host/prefix`. Credentials in it become basic auth. */
  readonly url: string;
  readonly job: string;
  /** Further grouping-key labels, in the order given. */
  readonly groupings?: Readonly<Record<string, string | number>>;
  /** PUT replaces the whole group, POST only the metric names pushed, DELETE removes the group. */
  readonly method: PushMethod;
  /** The exposition to push (text format 0.0.4 unless `headers` say otherwise); none for DELETE. */
  readonly body?: string | Uint8Array;
  /** Request headers; `Content-Encoding: gzip` gzips the body. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Gzip the body (sets `Content-Encoding: gzip`). */
  readonly gzip?: boolean;
  readonly agent?: http.Agent | boolean;
  /** Milliseconds of socket inactivity before the request fails. */
  readonly timeout?: number;
  /** Any further node:http(s) request options, TLS ones included (they win over the ones derived here, except method and path). */
  readonly requestOptions?: https.RequestOptions;
}

export interface PushResult {
  readonly status: number;
  readonly body: string;
  readonly response: http.IncomingMessage;
}

export const TEXT_FORMAT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One path segment pair of the grouping key, in the gateway's base64 form when plain text cannot carry it. */
function segment(name: string, value: string): string {
  if (value === '' || value.includes('/')) {
    return `${name}@base64/${value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url')}`;
  }
  return `${name}/${encodeURIComponent(value)}`;
}

/** `/metrics/job/<job>/<label>/<value>...` for a job and its grouping labels. */
export function groupingPath(job: string, groupings: Readonly<Record<string, string | number>> = {}): string {
  if (typeof job !== 'string' || job === '') throw new TypeError('a Pushgateway job name must be a non-empty string');
  let path = '/metrics/' + segment('job', job);
  for (const [name, raw] of Object.entries(groupings)) {
    if (!LABEL_NAME.test(name) || name === 'job') {
      throw new TypeError(`grouping label name ${JSON.stringify(name)} is invalid`);
    }
    path += '/' + segment(name, String(raw));
  }
  return path;
}

/** Sends one request to the gateway; resolves on 2xx/3xx, rejects with the status and body otherwise. */
export function pushToGateway(options: PushOptions): Promise<PushResult> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return Promise.reject(new TypeError(`invalid Pushgateway URL ${JSON.stringify(options.url)}`));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new TypeError(`Pushgateway URL must be http or https, got ${JSON.stringify(url.protocol)}`));
  }
  if (!['PUT', 'POST', 'DELETE'].includes(options.method)) {
    return Promise.reject(
      new TypeError(`push method must be PUT, POST or DELETE, got ${JSON.stringify(options.method)}`),
    );
  }
  let path: string;
  try {
    path = url.pathname.replace(/\/+$/, '') + groupingPath(options.job, options.groupings);
  } catch (error) {
    return Promise.reject(error);
  }
  const headers: Record<string, string> = {
    ...(options.requestOptions?.headers as Record<string, string>),
    ...options.headers,
  };
  let body: Uint8Array | string | undefined = options.method === 'DELETE' ? undefined : (options.body ?? '');
  const gzip = options.gzip === true || headerValue(headers, 'content-encoding') === 'gzip';
  if (body === undefined) deleteHeader(headers, 'content-encoding');
  else {
    if (gzip) {
      body = gzipSync(body);
      setHeader(headers, 'Content-Encoding', 'gzip');
    }
    if (headerValue(headers, 'content-type') === undefined)
      setHeader(headers, 'Content-Type', TEXT_FORMAT_CONTENT_TYPE);
  }
  const transport = url.protocol === 'https:' ? https : http;
  const auth =
    url.username === '' ? undefined : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const requestOptions: https.RequestOptions = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? undefined : Number(url.port),
    ...(auth === undefined ? {} : { auth }),
    ...(options.agent === undefined ? {} : { agent: options.agent }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...options.requestOptions,
    headers,
    method: options.method,
    path,
  };
  return new Promise((resolve, reject) => {
    const req = transport.request(requestOptions, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 400) reject(new Error(`push failed with status ${status}, ${text}`));
        else resolve({ status, body: text, response });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('Pushgateway request timed out')));
    req.end(body);
  });
}

function headerValue(headers: Record<string, string>, lower: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function deleteHeader(headers: Record<string, string>, lower: string): void {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) delete headers[k];
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  deleteHeader(headers, name.toLowerCase());
  headers[name] = value;
}
