/**
 * Shared by the server, http and status tests: a small HTTP client for 127.0.0.1, a recording HTTP
 * peer, a tracer that keeps its spans, and bounded polling. Everything a helper starts, the test
 * that started it closes.
 */

import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { AlwaysOnSampler, type Sampler } from '../../lib/trace/sampler.js';
import type { Context } from '../../lib/trace/context.js';
import type { SpanData } from '../../lib/trace/span-data.js';
import type { Span, SpanProcessor } from '../../lib/trace/span.js';
import { TracerProvider } from '../../lib/trace/tracer.js';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly body: Buffer;
  json(): any;
}

/**
 * One request to a local server; resolves with the whole response. A body given as chunks is
 * streamed as they are produced (with backpressure), so a large one is never held whole.
 */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer | Iterable<Buffer>;
    timeoutMs?: number;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    const body = options.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      for (const chunk of body) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await once(req, 'drain');
      }
      req.end();
    })().catch(reject);
  });
}

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body as received, for binary protocols. */
  readonly bytes: Buffer;
}

export interface Peer {
  readonly port: number;
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records each request, then answers with `respond`. */
export async function startPeer(
  respond: (req: Received, res: ServerResponse, index: number) => void | Promise<void> = (_r, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  },
): Promise<Peer> {
  const received: Received[] = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        bytes: Buffer.concat(chunks),
      };
      const index = received.length;
      received.push(r);
      void Promise.resolve(respond(r, res, index)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; fails after `limitMs` with `what`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 10_000,
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Keeps every ended span. */
export class SpanRecorder implements SpanProcessor {
  readonly spans: SpanData[] = [];
  onStart(_span: Span, _parent: Context): void {}
  onEnd(span: SpanData): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<boolean> {
    return Promise.resolve(true);
  }
  shutdown(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

/** A tracer provider recording into a {@link SpanRecorder}. */
export function recordingTracer(sampler: Sampler = new AlwaysOnSampler()): {
  provider: TracerProvider;
  recorder: SpanRecorder;
} {
  const recorder = new SpanRecorder();
  const provider = new TracerProvider({ sampler, spanProcessors: [recorder] });
  return { provider, recorder };
}

/** Lines written to a fake stdout, parsed as JSON where they are JSON. */
export class Lines {
  readonly lines: string[] = [];
  readonly write = (chunk: string): void => {
    for (const line of chunk.split('\n')) if (line !== '') this.lines.push(line);
  };
  json(): any[] {
    return this.lines.map((l) => JSON.parse(l));
  }
}
