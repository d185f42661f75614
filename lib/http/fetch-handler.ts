import { scrapeAnswerer, type MetricsHandlerOptions } from './scrape-answer.js';

/**
 * A `/metrics` handler for servers that speak `Request`/`Response` (workerd's `fetch`, `Deno.serve`,
 * `Bun.serve`, Node's own fetch types): the same answers as the node:http `metricsHandler`, format
 * negotiated from `Accept` the same way. It gzips with `CompressionStream` where the runtime has one,
 * and otherwise answers uncompressed. Loads no Node module, so it runs on workerd without nodejs_compat.
 */
export function metricsFetchHandler(options: MetricsHandlerOptions = {}): (request: Request) => Promise<Response> {
  const answer = scrapeAnswerer(options);
  return async function serveMetrics(request: Request): Promise<Response> {
    const method = request.method;
    const answered = await answer({
      method,
      accept: request.headers.get('accept') ?? undefined,
      acceptEncoding: request.headers.get('accept-encoding') ?? undefined,
    });
    if (answered.status !== 200) {
      return new Response(method === 'HEAD' ? null : answered.body, {
        status: answered.status,
        headers: answered.headers,
      });
    }
    const headers = new Headers(answered.headers);
    let body = answered.body;
    const compress = answered.gzip && typeof CompressionStream === 'function';
    if (compress) {
      body = await gzip(body);
      headers.set('Content-Encoding', 'gzip');
    }
    headers.set('Content-Length', String(body.length));
    const init: ResponseInit & { encodeBody?: 'manual' } = { status: 200, headers };
    // workerd compresses a body whose Content-Encoding is set unless told it already is (other runtimes
    // ignore the member).
    if (compress) init.encodeBody = 'manual';
    return new Response(method === 'HEAD' ? null : body, init);
  };
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}
