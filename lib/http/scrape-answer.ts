import { acceptsGzip, negotiate } from '../exposition/negotiate.js';
import { encodeOpenMetrics } from '../exposition/openmetrics.js';
import { encodeProtobuf } from '../exposition/protobuf.js';
import { encodeText } from '../exposition/text.js';
import { defaultRegistry, type Registry } from '../metrics/registry.js';

/** Options of the `/metrics` handlers (node:http and fetch alike). */
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

/** The request facts a scrape answer depends on, whatever the server API. */
export interface ScrapeRequest {
  readonly method: string;
  readonly accept: string | undefined;
  readonly acceptEncoding: string | undefined;
}

/**
 * What a `/metrics` request gets, decided once for every server API: the handlers only compress
 * (`gzip: true` asks them to, with their runtime's compressor) and write it out.
 */
export type ScrapeAnswer =
  | {
      readonly status: 200;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: Uint8Array;
      readonly gzip: boolean;
    }
  | {
      readonly status: 405 | 500;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly gzip: false;
    };

/**
 * The answering function of a `/metrics` endpoint: the format the Accept header asks for (as promhttp
 * negotiates it), and a 500 listing the problems when gathering fails, never a partial body.
 */
export function scrapeAnswerer(options: MetricsHandlerOptions = {}): (request: ScrapeRequest) => Promise<ScrapeAnswer> {
  const registry = options.registry ?? defaultRegistry;
  const allowGzip = options.gzip ?? true;
  const allowOpenMetrics = options.openMetrics ?? true;
  const created = options.created ?? false;
  return async function answer(request: ScrapeRequest): Promise<ScrapeAnswer> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return {
        status: 405,
        headers: { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
        body: `method ${request.method} not allowed on the metrics endpoint\n`,
        gzip: false,
      };
    }
    let negotiated = negotiate(request.accept);
    if (negotiated.format === 'openmetrics' && !allowOpenMetrics) negotiated = negotiate('text/plain');
    let body: Uint8Array;
    try {
      const families = await registry.collectAsync();
      body =
        negotiated.format === 'protobuf'
          ? encodeProtobuf(families)
          : negotiated.format === 'openmetrics'
            ? encodeOpenMetrics(families, { created })
            : encodeText(families);
    } catch (error) {
      return {
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
        body: `An error has occurred while serving metrics:\n\n${(error as Error)?.message ?? String(error)}\n`,
        gzip: false,
      };
    }
    return {
      status: 200,
      headers: { 'Content-Type': negotiated.contentType, Vary: 'Accept, Accept-Encoding' },
      body,
      gzip: allowGzip && acceptsGzip(request.acceptEncoding),
    };
  };
}
