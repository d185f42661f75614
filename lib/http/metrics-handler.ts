import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { gzip } from 'node:zlib';
import { scrapeAnswerer, type MetricsHandlerOptions } from './scrape-answer.js';

export type { MetricsHandlerOptions } from './scrape-answer.js';

const gzipAsync = promisify(gzip);

/**
 * A `node:http` request handler serving the registry in the format the scraper's Accept header asks for.
 * A gathering error answers 500 with the problems listed, never a partial body.
 */
export function metricsHandler(options: MetricsHandlerOptions = {}) {
  const answer = scrapeAnswerer(options);
  return async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = String(req.method);
    const answered = await answer({
      method,
      accept: req.headers.accept,
      acceptEncoding: req.headers['accept-encoding'],
    });
    if (answered.status !== 200) {
      res.writeHead(answered.status, answered.headers);
      res.end(answered.body);
      return;
    }
    const headers: Record<string, string | number> = { ...answered.headers };
    let body = answered.body;
    if (answered.gzip) {
      body = await gzipAsync(body);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : body);
  };
}

/** OPA's `prettyByteSize`: decimal units, one digit after the point ("%3.1f%sB"). */
export function prettyByteSize(bytes: number): string {
  let value = bytes;
  for (const unit of ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z']) {
    if (Math.abs(value) < 1000) return `${value.toFixed(1).padStart(3, ' ')}${unit}B`;
    value /= 1000;
  }
  return `${value.toFixed(1)}YiB`;
}

/**
 * `GET /metrics/alloc_bytes` as OPA serves it: the bytes in use, one number and a newline
 * (`?pretty=true`: "12.3MB"). Go adds heap, stack, mcache and mspan in use; Node's closest fact is
 * V8's used heap (the same source as `go_memstats_heap_inuse_bytes`).
 */
export function allocBytesHandler(read: () => number = () => getHeapStatistics().used_heap_size) {
  return function serveAllocBytes(req: IncomingMessage, res: ServerResponse): void {
    const total = read();
    const pretty = new URL(req.url ?? '/', 'http://localhost').searchParams.get('pretty') === 'true';
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${pretty ? prettyByteSize(total) : String(Math.trunc(total))}\n`);
  };
}
