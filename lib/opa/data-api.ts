/**
 * OPA's Data API (`/v1/data/{path}`) over an in-memory JSON document, small but with OPA's shapes:
 * - GET reads (`?input=` JSON), POST reads with `{"input": ...}` (a warning when `input` is
 *   missing); both answer `{"result": ...}` (no `result` when the document is undefined) and
 *   `decision_id` when decision logging is on, and log the decision.
 * - Every path segment is an ordinary key (`__proto__`, `constructor` and `prototype` included).
 * - PUT writes a document (creating missing parents; `If-None-Match: *` answers 304 when it exists),
 *   PATCH applies JSON-patch-like `add`/`remove`/`replace` operations, DELETE removes; all three
 *   answer 204.
 * - Errors have OPA's bodies: `{"code": "invalid_parameter" | "resource_not_found" | ..., "message"}`;
 *   a document past the {@link JsonLimits} (nesting, path segments included; array and object
 *   sizes; string length; values in all) is refused before it is parsed (400 for depth, 413 else);
 *   a body over `server.decoding.max_length` is refused from its Content-Length before it is read,
 *   and a chunked one as soon as it passes the limit.
 * - `upstreams.<name>` documents are fetched over HTTP when read, through a traced client: the analog
 *   of a policy calling `http.send`. A failed fetch leaves the document undefined, or with
 *   `?strict-builtin-errors` answers 500 as OPA does for a builtin error.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { getActiveSpan } from '../trace/context.js';
import { isSpanContextValid } from '../trace/span.js';
import type { HttpClient } from '../http/client.js';
import { boolParam } from './health.js';
import type { UpstreamConfig } from './config.js';
import { type DecisionLogger, newDecisionId } from './decision-log.js';
import { setOwn } from './own-key.js';
import { checkJsonLimits, DEFAULT_JSON_LIMITS, type JsonLimits, MAX_STRING_LENGTH } from './json-limits.js';

const gunzipAsync = promisify(gunzip);

/** OPA's REST API error codes. */
export const ErrorCode = Object.freeze({
  Internal: 'internal_error',
  Evaluation: 'evaluation_error',
  Unauthorized: 'unauthorized',
  InvalidParameter: 'invalid_parameter',
  InvalidOperation: 'invalid_operation',
  ResourceNotFound: 'resource_not_found',
  ResourceConflict: 'resource_conflict',
  UndefinedDocument: 'undefined_document',
});

export const MSG_DECODING_LIMIT = 'request body too large';
export const MSG_DECODING_GZIP_LIMIT = 'compressed request body too large';
export const MSG_INPUT_KEY_MISSING = "'input' key missing from the request";
export const MSG_EVALUATION_ERROR = 'error(s) occurred while evaluating query';

/** An error answered with OPA's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: readonly unknown[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Writes OPA's error body: indented JSON and a newline. */
export function writeError(res: ServerResponse, error: ApiError, closeConnection = false): void {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.errors !== undefined && error.errors.length > 0) body['errors'] = error.errors;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  // A body left unread is not drained: the connection is closed after the answer instead.
  if (closeConnection) headers['Connection'] = 'close';
  res.writeHead(error.status, headers);
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

function writeJson(res: ServerResponse, value: unknown, pretty: boolean): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(`${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The document store.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A storage path as OPA prints it: `/a/b`. */
function pathText(path: readonly string[]): string {
  return `/${path.join('/')}`;
}

function notFound(path: readonly string[]): ApiError {
  return new ApiError(404, ErrorCode.ResourceNotFound, `storage_not_found_error: ${pathText(path)}: document missing`);
}

function invalidPatch(message: string): ApiError {
  return new ApiError(400, ErrorCode.InvalidParameter, `storage_invalid_patch_error: ${message}`);
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function arrayIndex(segment: string, length: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
  const i = Number(segment);
  return i < length ? i : undefined;
}

/** Follows `path` into `doc`; undefined when any step is missing. */
export function lookup(doc: unknown, path: readonly string[]): unknown {
  let node = doc;
  for (const segment of path) {
    if (isObject(node)) {
      if (!Object.hasOwn(node, segment)) return undefined;
      node = node[segment];
    } else if (Array.isArray(node)) {
      const i = arrayIndex(segment, node.length);
      if (i === undefined) return undefined;
      node = node[i];
    } else return undefined;
  }
  return node;
}

export type WriteOp = 'add' | 'remove' | 'replace';

/** An in-memory JSON document with OPA's inmem store write rules. */
export class DataStore {
  private root: { [key: string]: Json };

  constructor(initial: Record<string, unknown> = {}) {
    this.root = structuredClone(initial) as { [key: string]: Json };
  }

  /** The document at `path` (a deep copy), or undefined. */
  read(path: readonly string[]): unknown {
    const value = lookup(this.root, path);
    return value === undefined ? undefined : structuredClone(value);
  }

  /** Applies operations all or nothing; throws ApiError with OPA's storage errors. */
  write(ops: readonly { op: WriteOp; path: readonly string[]; value?: unknown }[]): void {
    let root: Json = structuredClone(this.root);
    for (const { op, path, value } of ops) root = apply(root, op, path, value as Json);
    if (!isObject(root)) throw invalidPatch('root must be object');
    this.root = root;
  }

  /** Creates missing objects along `path` (OPA's MakeDir); a non-object in the way is a write conflict. */
  makeDir(path: readonly string[]): void {
    const root = structuredClone(this.root);
    let node: Json = root;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      if (!isObject(node)) {
        throw new ApiError(
          404,
          ErrorCode.ResourceConflict,
          `storage_write_conflict_error: ${pathText(path.slice(0, i))}`,
        );
      }
      if (!Object.hasOwn(node, segment)) setOwn(node, segment, {});
      node = node[segment]!;
    }
    if (!isObject(node))
      throw new ApiError(404, ErrorCode.ResourceConflict, `storage_write_conflict_error: ${pathText(path)}`);
    this.root = root;
  }
}

function apply(root: Json, op: WriteOp, path: readonly string[], value: Json): Json {
  if (path.length === 0) {
    if (op === 'remove') return {};
    if (op === 'replace' || op === 'add') {
      if (!isObject(value)) throw invalidPatch('root must be object');
      return structuredClone(value);
    }
  }
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1]!;
  const parent = lookup(root, parentPath) as Json | undefined;
  if (parent === undefined) throw notFound(path);
  if (isObject(parent)) {
    const exists = Object.hasOwn(parent, key);
    if (op !== 'add' && !exists) throw notFound(path);
    if (op === 'remove') delete parent[key];
    else setOwn(parent, key, structuredClone(value));
    return root;
  }
  if (Array.isArray(parent)) {
    if (op === 'add' && key === '-') {
      parent.push(structuredClone(value));
      return root;
    }
    if (!/^(0|[1-9]\d*)$/.test(key)) throw notFound(path);
    const i = Number(key);
    if (op === 'add') {
      if (i > parent.length) throw invalidPatch(`${pathText(path)}: array index out of range`);
      parent.splice(i, 0, structuredClone(value));
      return root;
    }
    if (i >= parent.length) throw notFound(path);
    if (op === 'remove') parent.splice(i, 1);
    else parent[i] = structuredClone(value);
    return root;
  }
  throw notFound(path);
}

// ---------------------------------------------------------------------------------------------
// Request bodies.

/**
 * Reads a request body within `maxLength` bytes (and `gzipMaxLength` once decompressed). A declared
 * Content-Length over the limit is refused before anything is read; a declared one within it is read
 * into one buffer of that size (a large body is not held twice while its chunks are joined). Neither
 * size may pass V8's longest string, which the body becomes next: `toString()` would throw.
 */
export async function readBody(req: IncomingMessage, maxLength: number, gzipMaxLength: number): Promise<Buffer> {
  const limit = Math.min(maxLength, MAX_STRING_LENGTH);
  const declaredText = req.headers['content-length'];
  const declared = declaredText === undefined ? undefined : Number(declaredText);
  if (declared !== undefined && declared > limit) {
    throw new ApiError(400, ErrorCode.InvalidParameter, MSG_DECODING_LIMIT);
  }
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const whole = declared !== undefined && declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > (whole === undefined ? limit : whole.length)) {
        cleanup();
        req.pause();
        reject(new ApiError(400, ErrorCode.InvalidParameter, MSG_DECODING_LIMIT));
        return;
      }
      if (whole !== undefined) chunk.copy(whole, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = (): void => {
      cleanup();
      resolve(whole !== undefined ? whole.subarray(0, size) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new ApiError(400, ErrorCode.InvalidParameter, error.message));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  if (!(req.headers['content-encoding'] ?? '').includes('gzip')) return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: Math.min(gzipMaxLength, MAX_STRING_LENGTH) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new ApiError(400, ErrorCode.InvalidParameter, MSG_DECODING_GZIP_LIMIT);
    }
    throw new ApiError(400, ErrorCode.InvalidParameter, 'could not decompress the body');
  }
}

/** True when a body holds nothing but JSON whitespace. */
function isBlank(body: Uint8Array): boolean {
  for (const c of body) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  return true;
}

/** True when the request's body was not read to its end (so the connection should close after the answer). */
function bodyLeftUnread(req: IncomingMessage): boolean {
  return !req.complete;
}

/**
 * Parses a request's JSON within `limits`; `baseDepth` is the depth it will be stored at (path
 * segments). Deeper documents would overflow the stack of the recursive copies every later request
 * makes of the store; larger ones would abort the process inside `JSON.parse` (see json-limits.ts).
 */
function parseJson(body: Buffer, what: string, limits: JsonLimits, baseDepth = 0): unknown {
  const problem = checkJsonLimits(body, limits, baseDepth);
  if (problem !== undefined) {
    // Depth is a shape error (400, as before); sizes are a body too large for the server (413).
    const status = problem.limit === 'maxDepth' ? 400 : 413;
    const prefix = problem.limit === 'maxDepth' ? '' : `${MSG_DECODING_LIMIT}: `;
    throw new ApiError(status, ErrorCode.InvalidParameter, `${what}${prefix}${problem.message}`);
  }
  const text = body.toString('utf8');
  if (text.trim() === '') throw new ApiError(400, ErrorCode.InvalidParameter, `${what}EOF`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, ErrorCode.InvalidParameter, `${what}${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Paths.

/** The URL path after `/v1/data`, split and unescaped; empty segments dropped (as OPA reads them). */
export function dataPath(urlPath: string): { raw: string; segments: string[] } {
  const rest = urlPath.replace(/^\/v1\/data/, '');
  const raw = rest.replace(/^\/+/, '');
  const segments = raw
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { raw, segments };
}

/** A write path: no empty segments allowed (OPA answers "bad path"). */
function writePath(raw: string): string[] {
  const trimmed = raw.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const parts = trimmed.split('/');
  if (parts.some((p) => p === '')) throw new ApiError(400, ErrorCode.InvalidParameter, `bad path: ${raw}`);
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    throw new ApiError(400, ErrorCode.InvalidParameter, `bad path: ${raw}`);
  }
}

/** JSON-pointer segments of a patch path (`~1` is `/`, `~0` is `~`). */
function patchSegments(root: readonly string[], path: unknown): string[] {
  if (typeof path !== 'string') throw new ApiError(400, ErrorCode.InvalidParameter, `bad patch path: ${String(path)}`);
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [...root];
  const parts = trimmed.split('/');
  if (parts.some((p) => p === '')) throw new ApiError(400, ErrorCode.InvalidParameter, `bad patch path: ${path}`);
  return [...root, ...parts.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))];
}

// ---------------------------------------------------------------------------------------------
// The handler.

export interface DataApiOptions {
  readonly store?: DataStore;
  readonly upstreams?: Readonly<Record<string, UpstreamConfig>>;
  /** Fetches upstream documents (a traced client, so each fetch is a CLIENT span of the request). */
  readonly client?: HttpClient;
  /** When given, reads get a decision id and are logged. */
  readonly decisionLogger?: DecisionLogger;
  /** server.decoding.max_length (default 256 MB). */
  readonly maxLength?: number;
  /** server.decoding.gzip.max_length (default 512 MB). */
  readonly gzipMaxLength?: number;
  /** Warnings (e.g. a failed upstream fetch); default console.warn. */
  readonly log?: (message: string) => void;
  /** What a JSON body may hold (default {@link DEFAULT_JSON_LIMITS}). */
  readonly jsonLimits?: Partial<JsonLimits>;
}

/** Why an upstream document could not be had. */
class UpstreamError extends Error {}

/** The Data API: one handler for every method on `/v1/data` and `/v1/data/...`. */
export class DataApi {
  readonly store: DataStore;
  private readonly upstreams: Readonly<Record<string, UpstreamConfig>>;
  private readonly upstreamNames: readonly string[];
  private readonly client: HttpClient | undefined;
  private readonly decisionLogger: DecisionLogger | undefined;
  private readonly maxLength: number;
  private readonly gzipMaxLength: number;
  private readonly log: (message: string) => void;
  private readonly limits: JsonLimits;

  constructor(options: DataApiOptions = {}) {
    this.limits = { ...DEFAULT_JSON_LIMITS, ...options.jsonLimits };
    this.store = options.store ?? new DataStore();
    this.upstreams = options.upstreams ?? {};
    this.upstreamNames = Object.keys(this.upstreams);
    this.client = options.client;
    this.decisionLogger = options.decisionLogger;
    this.maxLength = options.maxLength ?? 268435456;
    this.gzipMaxLength = options.gzipMaxLength ?? 536870912;
    this.log = options.log ?? ((message) => console.warn(message));
    if (this.upstreamNames.length > 0 && this.client === undefined) {
      throw new TypeError('upstreams need an HTTP client to be fetched with');
    }
  }

  /** Methods this API serves (others get 405 from the router). */
  static readonly METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

  /** Serves one request; ApiErrors become OPA's error bodies. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      switch (req.method) {
        case 'GET':
        case 'POST':
          await this.read(req, res, url);
          return;
        case 'PUT':
          await this.put(req, res, url);
          return;
        case 'PATCH':
          await this.patch(req, res, url);
          return;
        case 'DELETE':
          this.delete(res, url);
          return;
        default:
          res.writeHead(405).end();
      }
    } catch (error) {
      if (error instanceof ApiError) writeError(res, error, bodyLeftUnread(req));
      else throw error;
    }
  };

  private async read(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const decisionId = this.decisionLogger === undefined ? undefined : newDecisionId();
    const span = getActiveSpan();
    if (decisionId !== undefined) span?.setAttribute('opa.decision_id', decisionId);
    const { raw, segments } = dataPath(url.pathname);
    const query = url.searchParams;
    let input: unknown;
    let hasInput = false;
    if (req.method === 'GET') {
      const inputs = query.getAll('input');
      if (inputs.length > 0) {
        input = parseJson(
          Buffer.from(inputs[inputs.length - 1]!),
          'parameter contains malformed input document: ',
          this.limits,
        );
        hasInput = true;
      }
    } else {
      const body = await readBody(req, this.maxLength, this.gzipMaxLength);
      if (!isBlank(body)) {
        const request = parseJson(body, 'body contains malformed input document: ', this.limits);
        if (
          request !== null &&
          typeof request === 'object' &&
          !Array.isArray(request) &&
          Object.hasOwn(request, 'input')
        ) {
          input = (request as { input: unknown }).input;
          hasInput = input !== null;
        }
      }
    }
    const strict = boolParam(query, 'strict-builtin-errors');
    const abort = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    let result: unknown;
    let evalError: ApiError | undefined;
    try {
      result = await this.evaluate(segments, strict, abort.signal);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      evalError = error;
    } finally {
      res.off('close', onClose);
    }
    if (this.decisionLogger !== undefined && decisionId !== undefined) {
      const sc = span?.spanContext();
      const traced = sc !== undefined && isSpanContextValid(sc);
      this.decisionLogger.log({
        decision_id: decisionId,
        path: raw.replace(/\/+$/, ''),
        ...(hasInput ? { input } : {}),
        ...(result !== undefined ? { result } : {}),
        ...(evalError !== undefined ? { error: { code: evalError.code, message: evalError.message } } : {}),
        requested_by: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
        timestamp: new Date().toISOString(),
        ...(traced ? { trace_id: sc.traceId, span_id: sc.spanId } : {}),
      });
    }
    if (evalError !== undefined) throw evalError;
    const response: Record<string, unknown> = {};
    if (result !== undefined) response['result'] = result;
    if (req.method === 'POST' && !hasInput)
      response['warning'] = { code: 'api_usage_warning', message: MSG_INPUT_KEY_MISSING };
    if (decisionId !== undefined) response['decision_id'] = decisionId;
    writeJson(res, response, boolParam(query, 'pretty'));
  }

  /** The document at `segments`, upstreams fetched as needed. */
  private async evaluate(segments: readonly string[], strict: boolean, signal: AbortSignal): Promise<unknown> {
    const covers = this.upstreamNames.length > 0 && (segments.length === 0 || segments[0] === 'upstreams');
    if (!covers) return this.store.read(segments);
    if (segments.length >= 2) {
      const name = segments[1]!;
      if (!Object.hasOwn(this.upstreams, name)) return undefined;
      const doc = await this.fetchOrUndefined(name, strict, signal);
      return doc === undefined ? undefined : lookup(doc, segments.slice(2));
    }
    const fetched: Record<string, unknown> = {};
    const docs = await Promise.all(this.upstreamNames.map((name) => this.fetchOrUndefined(name, strict, signal)));
    this.upstreamNames.forEach((name, i) => {
      if (docs[i] !== undefined) setOwn(fetched, name, docs[i]);
    });
    if (segments.length === 1) return fetched;
    const root = (this.store.read([]) ?? {}) as Record<string, unknown>;
    root['upstreams'] = fetched;
    return root;
  }

  private async fetchOrUndefined(name: string, strict: boolean, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.fetchUpstream(name, signal);
    } catch (error) {
      const message = `upstreams.${name}: ${(error as Error)?.message ?? String(error)}`;
      if (strict) {
        throw new ApiError(500, ErrorCode.Internal, MSG_EVALUATION_ERROR, [{ code: 'eval_builtin_error', message }]);
      }
      this.log(`zerotel: ${message} (the document is undefined)`);
      return undefined;
    }
  }

  /** GETs an upstream: a 2xx JSON body is the document (any other body is a string). */
  private async fetchUpstream(name: string, signal: AbortSignal): Promise<unknown> {
    const upstream = this.upstreams[name]!;
    const response = await this.client!.request(upstream.url, {
      method: 'GET',
      headers: { accept: 'application/json', ...upstream.headers },
      timeoutMs: upstream.timeoutMs,
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      throw new UpstreamError(`${upstream.url} answered HTTP ${response.status}`);
    }
    // Upstream bodies are bounded by the client (16 MiB), and scanned like request bodies all the same.
    const problem = checkJsonLimits(response.body, this.limits);
    if (problem !== undefined) throw new UpstreamError(`${upstream.url} answered ${problem.message}`);
    const text = response.body.toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  /** Refuses writes into what upstreams own (OPA refuses writes into bundle roots alike). */
  private checkScope(path: readonly string[]): void {
    if (this.upstreamNames.length === 0) return;
    if (path.length === 0) {
      throw new ApiError(400, ErrorCode.InvalidParameter, "can't write to document root with upstreams configured");
    }
    if (path[0] === 'upstreams') {
      throw new ApiError(
        400,
        ErrorCode.InvalidParameter,
        `path ${path.join('/')} is owned by the upstreams configuration`,
      );
    }
  }

  private async put(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req, this.maxLength, this.gzipMaxLength);
    const path = writePath(dataPath(url.pathname).raw);
    const value = parseJson(body, '', this.limits, path.length);
    this.checkScope(path);
    const existing = this.store.read(path);
    if (existing !== undefined && req.headers['if-none-match'] === '*') {
      res.writeHead(304).end();
      return;
    }
    if (existing === undefined && path.length > 0) this.store.makeDir(path.slice(0, -1));
    this.store.write([{ op: 'add', path, value }]);
    res.writeHead(204).end();
  }

  private async patch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req, this.maxLength, this.gzipMaxLength);
    const root = writePath(dataPath(url.pathname).raw);
    const ops = parseJson(body, '', this.limits, root.length);
    if (!Array.isArray(ops)) {
      throw new ApiError(400, ErrorCode.InvalidParameter, 'a patch must be a JSON array of operations');
    }
    const prepared = ops.map((entry: unknown) => {
      const o = (entry ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
      if (o.op !== 'add' && o.op !== 'remove' && o.op !== 'replace') {
        throw new ApiError(400, ErrorCode.InvalidParameter, `bad patch operation: ${String(o.op ?? '')}`);
      }
      const path = patchSegments(root, o.path ?? '');
      // The whole patch was checked at its root; the value lands deeper, at its own path.
      const problem = checkJsonLimits(Buffer.from(JSON.stringify(o.value ?? null)), this.limits, path.length);
      if (problem !== undefined)
        throw new ApiError(400, ErrorCode.InvalidParameter, `${pathText(path)}: ${problem.message}`);
      return { op: o.op as WriteOp, path, value: o.value };
    });
    for (const p of prepared) this.checkScope(p.path);
    this.store.write(prepared);
    res.writeHead(204).end();
  }

  private delete(res: ServerResponse, url: URL): void {
    const path = writePath(dataPath(url.pathname).raw);
    this.checkScope(path);
    if (this.store.read(path) === undefined) throw notFound(path);
    this.store.write([{ op: 'remove', path }]);
    res.writeHead(204).end();
  }
}
