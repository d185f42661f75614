import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { gzip } from 'node:zlib';
import { acceptsGzip, negotiate } from '../exposition/negotiate.js';
import { encodeOpenMetrics } from '../exposition/openmetrics.js';
import { writeProtobuf } from '../exposition/protobuf.js';
import { encodeText } from '../exposition/text.js';
import { defaultRegistry, type Registry } from '../metrics/registry.js';

const gzipAsync = promisify(gzip);

/** Options of the `/metrics` handler. */
export interface MetricsHandlerOptions {
  /** The registry to expose (default: the default registry). */
  readonly registry?: Registry;
  /** Compress when the scraper accepts gzip (default true). */
  readonly gzip?: boolean;
  /** Offer OpenMetrics to scrapers that ask for it (default true). */
  readonly openMetrics?: boolean;
  /** Write OpenMetrics `_created` lines (default false, as client_golang 1.14). */
  readonly created?: boolean;
}

/**
 * A `node:http` request handler serving the registry in the format the scraper's Accept header asks for.
 * A gathering error answers 500 with the problems listed, never a partial body.
 */
export function metricsHandler(options: MetricsHandlerOptions = {}) {
  const registry = options.registry ?? defaultRegistry;
  const allowGzip = options.gzip ?? true;
  const allowOpenMetrics = options.openMetrics ?? true;
  const created = options.created ?? false;
  return async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`method ${req.method} not allowed on the metrics endpoint\n`);
      return;
    }
    let negotiated = negotiate(req.headers.accept);
    if (negotiated.format === 'openmetrics' && !allowOpenMetrics) negotiated = negotiate('text/plain');
    let body: Uint8Array;
    try {
      const families = await registry.collectAsync();
      body =
        negotiated.format === 'protobuf'
          ? writeProtobuf(families)
          : negotiated.format === 'openmetrics'
            ? encodeOpenMetrics(families, { created })
            : encodeText(families);
    } catch (error) {
      const message = `An error has occurred while serving metrics:\n\n${(error as Error)?.message ?? String(error)}\n`;
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(message);
      return;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': negotiated.contentType,
      Vary: 'Accept, Accept-Encoding',
    };
    if (allowGzip && acceptsGzip(req.headers['accept-encoding'])) {
      body = await gzipAsync(body);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
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
export function allocBytesHandler(
  read: () => number = () => getHeapStatistics().used_heap_size,
) {
  return function serveAllocBytes(req: IncomingMessage, res: ServerResponse): void {
    const total = read();
    const pretty = new URL(req.url ?? '/', 'http://localhost').searchParams.get('pretty') === 'true';
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${pretty ? prettyByteSize(total) : String(Math.trunc(total))}\n`);
  };
}
