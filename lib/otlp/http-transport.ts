/**
 * One HTTP POST of an encoded body, over `fetch` so it runs on every runtime (Node, Bun, Deno, workers).
 * It knows bytes and HTTP status, never spans or metrics: the caller hands it a body and gets back a
 * result saying whether the receiver took it and, if not, whether another attempt may help and when.
 *
 * Node's fetch has no option for a custom CA or a client certificate; when either is given the request
 * goes through `node:https` instead (loaded only then, so other runtimes never import it).
 */
import { builtinModule } from '../host.js';

/** The outcome of one POST. */
export type HttpResult = HttpSuccess | HttpFailure;

export interface HttpSuccess {
  readonly kind: 'success';
  readonly status: number;
  readonly body: Uint8Array;
}

export interface HttpFailure {
  readonly kind: 'failure';
  /** The HTTP status, or 0 when no answer came (refused connection, timeout, TLS failure...). */
  readonly status: number;
  /** What went wrong, naming the endpoint. */
  readonly message: string;
  readonly retryable: boolean;
  /** The delay the server asked for in `Retry-After`, in ms. */
  readonly retryInfoMs?: number;
}

export interface HttpTransportOptions {
  /** Full URL the body is POSTed to. */
  readonly url: string;
  readonly contentType: string;
  /** Extra request headers (e.g. authorization, `X-Prometheus-Remote-Write-Version`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Compress bodies with gzip (`Content-Encoding: gzip`). Default 'none'. */
  readonly compression?: 'gzip' | 'none';
  /** Which statuses are worth another attempt; default the OTLP/HTTP rule (429, 502, 503, 504). */
  readonly retryableStatus?: (status: number) => boolean;
  /** PEM trust roots, client certificate and key: sent through node:https. */
  readonly ca?: string | Uint8Array;
  readonly cert?: string | Uint8Array;
  readonly key?: string | Uint8Array;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/** The OTLP/HTTP rule: throttled or a gateway that may recover. */
export function isRetryableOtlpStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** Answers above this size are cut (only error messages and partial successes are read from them). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** A POST to one URL with fixed headers. */
/** The reason a failure is counted under: `http_<status>`, or `unavailable` when nothing answered. */
export function httpFailureReason(status: number): string {
  return status === 0 ? 'unavailable' : `http_${status}`;
}

export class HttpTransport {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly gzip: boolean;
  private readonly retryableStatus: (status: number) => boolean;
  private readonly tls: { ca?: string | Uint8Array; cert?: string | Uint8Array; key?: string | Uint8Array } | undefined;
  private readonly fetchImpl: typeof fetch;

  /** Throws on an unusable URL (a programmer error; configuration validation reports it earlier). */
  constructor(options: HttpTransportOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`HTTP endpoint must use http: or https:, got ${JSON.stringify(options.url)}`);
    }
    this.url = url.href;
    this.gzip = options.compression === 'gzip';
    this.headers = { ...options.headers, 'content-type': options.contentType };
    if (this.gzip) this.headers['content-encoding'] = 'gzip';
    this.retryableStatus = options.retryableStatus ?? isRetryableOtlpStatus;
    const { ca, cert, key } = options;
    this.tls =
      ca !== undefined || cert !== undefined || key !== undefined
        ? {
            ...(ca !== undefined ? { ca } : {}),
            ...(cert !== undefined ? { cert } : {}),
            ...(key !== undefined ? { key } : {}),
          }
        : undefined;
    // Bound: workerd's fetch throws "Illegal invocation" when called as a method of another object.
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** POSTs `body`, taking at most `timeoutMs` (compression included). Never rejects. */
  async post(body: Uint8Array, timeoutMs: number): Promise<HttpResult> {
    if (!(timeoutMs > 0)) return this.failure(0, 'the deadline passed before the request started', false);
    let payload = body;
    try {
      if (this.gzip) payload = await gzip(body);
    } catch (err) {
      return this.failure(0, `gzip failed: ${(err as Error).message}`, false);
    }
    try {
      const answer =
        this.tls !== undefined
          ? await postWithHttps(this.url, this.headers, payload, timeoutMs, this.tls)
          : await this.postWithFetch(payload, timeoutMs);
      return this.judge(answer);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        return this.failure(0, `no answer within ${Math.round(timeoutMs)} ms`, true);
      }
      const cause = e.cause?.code ?? e.cause?.message ?? (e as { code?: string }).code;
      return this.failure(0, `${e.message}${cause !== undefined ? ` (${cause})` : ''}`, true);
    }
  }

  private async postWithFetch(payload: Uint8Array, timeoutMs: number): Promise<RawAnswer> {
    const response = await this.fetchImpl(this.url, {
      method: 'POST',
      headers: this.headers,
      body: payload,
      signal: AbortSignal.timeout(Math.ceil(timeoutMs)),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after') ?? undefined,
      body: bytes.length > MAX_RESPONSE_BYTES ? bytes.subarray(0, MAX_RESPONSE_BYTES) : bytes,
    };
  }

  private judge(answer: RawAnswer): HttpResult {
    const { status, body } = answer;
    if (status >= 200 && status < 300) return { kind: 'success', status, body };
    const retryable = this.retryableStatus(status);
    const text = excerpt(body);
    const message = `HTTP ${status}${text === '' ? '' : `: ${text}`}`;
    const delay = retryable ? parseRetryAfter(answer.retryAfter, Date.now()) : undefined;
    return this.failure(status, message, retryable, delay);
  }

  private failure(status: number, message: string, retryable: boolean, retryInfoMs?: number): HttpFailure {
    return {
      kind: 'failure',
      status,
      message: `POST ${this.url}: ${message}`,
      retryable,
      ...(retryInfoMs !== undefined ? { retryInfoMs } : {}),
    };
  }
}

interface RawAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: Uint8Array;
}

/** The first line of a short answer body, for messages (binary bodies are not shown). */
function excerpt(body: Uint8Array): string {
  if (body.length === 0) return '';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, 512));
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0e-\x1f]/.test(text)) return `${body.length} bytes of binary response`;
  return text.split('\n', 1)[0]!.trim();
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** gzip with the web CompressionStream, available on every runtime this targets. */
async function gzip(body: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function postWithHttps(
  url: string,
  headers: Record<string, string>,
  payload: Uint8Array,
  timeoutMs: number,
  tls: { ca?: string | Uint8Array; cert?: string | Uint8Array; key?: string | Uint8Array },
): Promise<RawAnswer> {
  const https = builtinModule<typeof import('node:https')>('node:https');
  const http = builtinModule<typeof import('node:http')>('node:http');
  if (https === undefined || http === undefined) {
    throw new Error('a custom CA or client certificate needs node:https, which this runtime does not have');
  }
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  const pem = (v: string | Uint8Array | undefined): string | Buffer | undefined =>
    v === undefined || typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = lib.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(payload.length) },
        ...(target.protocol === 'https:' ? { ca: pem(tls.ca), cert: pem(tls.cert), key: pem(tls.key) } : {}),
        signal: AbortSignal.timeout(Math.ceil(timeoutMs)),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            body: new Uint8Array(Buffer.concat(chunks)),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
