/**
 * The OTLP exporter under faults, end to end: TracerProvider -> BatchSpanProcessor -> OtlpGrpcTraceExporter
 * -> a collector on 127.0.0.1 that is down, comes back, hangs, resets streams, sends GOAWAY, answers
 * garbage or the wrong content type, or shows a certificate the exporter must not trust. The healthy
 * collector is a real @grpc/grpc-js server that decodes every request with @grpc/proto-loader (from our
 * proto/ files) and counts the spans it acknowledged, by name.
 *
 * What must hold, whatever the fault: memory stays bounded (the queue has a limit; what does not fit is
 * dropped and counted, and the counts are scraped from a Registry), no promise rejection goes unhandled,
 * each failure is logged in words that say what happened, the next batch after the fault is delivered,
 * and after shutdown() no timer, socket or session created by zerotel is left behind.
 *
 * Timings are short (retries in tens of milliseconds) and every wait is bounded; nothing asserts on how
 * long something took (shared cores): durations are only reported. FAULT_SECONDS sets the length of the
 * collector-down run (default 10).
 */
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import http2 from 'node:http2';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  Registry,
  TracerProvider,
  createResource,
  writeText,
  type SpanData,
  type SpanProcessor,
} from '../../lib/index.js';
import { OtlpGrpcTraceExporter, type OtlpGrpcTraceExporterOptions } from '../../lib/otlp/exporter.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { freePort, sleep } from '../opa/helpers.js';

const FAULT_SECONDS = Number(process.env.FAULT_SECONDS ?? 10);
const LIB_DIR = fileURLToPath(new URL('../../lib/', import.meta.url));
const H2 = http2.constants;

// ---------------------------------------------------------------------------------------------------
// Guards: unhandled rejections and resources left behind
// ---------------------------------------------------------------------------------------------------

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => process.off('unhandledRejection', onUnhandled));

function assertNoUnhandledRejection(): void {
  assert.deepEqual(
    unhandled.map((r) => (r instanceof Error ? r.stack : String(r))),
    [],
    'unhandled promise rejections',
  );
}

interface LiveResource {
  readonly type: string;
  readonly stack: string;
}

/**
 * Resource types whose async_hooks `destroy` comes when they really end (a timer fired or cleared, a
 * socket's handle closed), not when the garbage collector gets to them (as for HTTP2SESSION or TLSWRAP).
 * Every HTTP/2 session, TLS or not, lives on a TCP socket: a session left open shows up as its TCPWRAP.
 */
const TRACKED_TYPES = new Set(['Timeout', 'Immediate', 'TCPWRAP', 'TCPCONNECTWRAP', 'PIPEWRAP']);

/**
 * Tracks the timers and sockets created while it runs, forgetting each when it ends. `leftByZerotel()`
 * names those still alive that were created from zerotel's own code (lib/), with the stack that made
 * them. Unlike process.getActiveResourcesInfo(), this also sees unref'd timers and sessions.
 */
class ResourceTracker {
  private readonly live = new Map<number, LiveResource>();
  private readonly hook = createHook({
    init: (id, type) => {
      if (!TRACKED_TYPES.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 60;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      this.live.set(id, { type, stack });
    },
    destroy: (id) => {
      this.live.delete(id);
    },
  });

  start(): this {
    this.hook.enable();
    return this;
  }

  stop(): void {
    this.hook.disable();
  }

  leftByZerotel(): LiveResource[] {
    return [...this.live.values()].filter((r) => r.stack.includes(LIB_DIR));
  }

  /** Waits (bounded) for zerotel's resources to be destroyed, then fails naming any that are left. */
  async assertNoneLeft(what: string): Promise<void> {
    for (let i = 0; i < 200 && this.leftByZerotel().length > 0; i++) await sleep(10);
    this.stop();
    const left = this.leftByZerotel();
    assert.deepEqual(
      left.map(
        (r) =>
          `${r.type}\n${r.stack
            .split('\n')
            .filter((l) => l.includes(LIB_DIR))
            .slice(0, 4)
            .join('\n')}`,
      ),
      [],
      `${what}: resources created by zerotel still alive after shutdown`,
    );
  }
}

/** Ref'd handles and requests (what keeps the process alive), by type. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Waits (bounded) until no type of active resource is more numerous than in `before`. */
async function assertActiveResourcesBackTo(before: Map<string, number>, what: string): Promise<void> {
  const extra = (): string[] => {
    const out: string[] = [];
    for (const [type, n] of activeResources())
      if (n > (before.get(type) ?? 0)) out.push(`${type} x${n - (before.get(type) ?? 0)}`);
    return out;
  };
  for (let i = 0; i < 200 && extra().length > 0; i++) await sleep(10);
  assert.deepEqual(extra(), [], `${what}: process.getActiveResourcesInfo() has more than before`);
}

/** Polls `done` every 10 ms until it holds or `limitMs` passed; returns whether it held. */
async function waitFor(done: () => boolean, limitMs: number): Promise<boolean> {
  const end = performance.now() + limitMs;
  while (!done()) {
    if (performance.now() > end) return false;
    await sleep(10);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Collectors
// ---------------------------------------------------------------------------------------------------

const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));
const traceService = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
  includeDirs: [PROTO_DIR],
  longs: String,
  enums: Number,
  defaults: true,
  arrays: true,
})['opentelemetry.proto.collector.trace.v1.TraceService'] as grpc.ServiceDefinition;
const exportMethod = traceService.Export!;

type Request = { resourceSpans?: { scopeSpans?: { spans?: { name: string }[] }[] }[] };

function namesIn(request: Request): string[] {
  const names: string[] = [];
  for (const rs of request.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) names.push(s.name);
  return names;
}

/** Span names acknowledged by a collector, with duplicates counted. */
class Received {
  readonly names = new Set<string>();
  duplicates = 0;
  calls = 0;
  firstCallAt: number | undefined;
  add(names: readonly string[]): void {
    this.calls++;
    this.firstCallAt ??= performance.now();
    for (const n of names) {
      if (this.names.has(n)) this.duplicates++;
      else this.names.add(n);
    }
  }
  count(prefix: string): number {
    let n = 0;
    for (const name of this.names) if (name.startsWith(prefix)) n++;
    return n;
  }
}

interface Collector {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * A grpc-js collector decoding each request with proto-loader. `hang()` true: the call is received but
 * never answered (until the server stops). Only answered calls count as received.
 */
async function startCollector(
  received: Received,
  options: { port?: number; tls?: { cert: Buffer; key: Buffer }; hang?: () => boolean } = {},
): Promise<Collector> {
  const server = new grpc.Server();
  server.addService(traceService, {
    Export(call: grpc.ServerUnaryCall<Request, unknown>, callback: grpc.sendUnaryData<unknown>) {
      if (options.hang?.()) return;
      received.add(namesIn(call.request));
      callback(null, {});
    },
  });
  const credentials =
    options.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], false);
  let port = 0;
  // A port just released may still be held for a moment: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
      );
      break;
    } catch (err) {
      if (attempt >= 100) throw err;
      await sleep(20);
    }
  }
  return {
    port,
    stop: async () => {
      server.forceShutdown();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

type H2Mode =
  | 'rst-internal'
  | 'rst-refused'
  | 'goaway'
  | 'garbage-framing'
  | 'garbage-status'
  | 'content-type'
  | 'good';

/** A bare HTTP/2 server whose answers depend on `mode`; in 'good' mode it is a minimal gRPC collector. */
class RawH2Collector {
  mode: H2Mode;
  port = 0;
  sessions = 0;
  private readonly server = http2.createServer();
  private readonly open = new Set<http2.ServerHttp2Session>();

  constructor(
    mode: H2Mode,
    private readonly received: Received,
  ) {
    this.mode = mode;
    this.server.on('session', (session) => {
      this.sessions++;
      this.open.add(session);
      session.on('close', () => this.open.delete(session));
      session.on('error', () => {});
    });
    this.server.on('stream', (stream) => {
      stream.on('error', () => {});
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => this.answer(stream, Buffer.concat(chunks)));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  private answer(stream: http2.ServerHttp2Stream, body: Buffer): void {
    const grpcOk = { ':status': 200, 'content-type': 'application/grpc' };
    switch (this.mode) {
      case 'rst-internal':
        stream.close(H2.NGHTTP2_INTERNAL_ERROR);
        return;
      case 'rst-refused':
        stream.close(H2.NGHTTP2_REFUSED_STREAM);
        return;
      case 'goaway': {
        // Go away without having processed the stream (last stream id 0), then drop the connection.
        const session = stream.session;
        session?.goaway(H2.NGHTTP2_NO_ERROR, 0);
        setImmediate(() => session?.destroy());
        return;
      }
      case 'garbage-framing':
        // gRPC headers and an OK status around bytes that are no gRPC message framing at all.
        stream.respond(grpcOk, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37, 0xff, 0xfe]));
        return;
      case 'garbage-status':
        stream.respond(grpcOk, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '\u00ff\u00fe garbage' }));
        stream.end();
        return;
      case 'content-type':
        stream.respond({ ':status': 200, 'content-type': 'text/html; charset=utf-8' });
        stream.end('<html><body>This is a web server, not a collector.</body></html>');
        return;
      case 'good': {
        // An uncompressed gRPC message: 5-byte prefix, then an ExportTraceServiceRequest.
        const request = exportMethod.requestDeserialize(body.subarray(5)) as Request;
        this.received.add(namesIn(request));
        stream.respond(grpcOk, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
        return;
      }
    }
  }

  async close(): Promise<void> {
    for (const session of this.open) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

type TcpMode = 'blackhole' | 'garbage' | 'proxy';

/**
 * A TCP front: swallows everything and never answers (blackhole), answers random bytes (garbage), or
 * passes new connections through to `target` (proxy). Connections keep the mode they were accepted in:
 * a hung connection stays hung after the front turns good, as it would with a hung collector.
 */
class TcpFront {
  mode: TcpMode;
  port = 0;
  accepted = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(
    mode: TcpMode,
    private readonly target: () => number,
  ) {
    this.mode = mode;
    this.server = net.createServer((socket) => {
      this.accepted++;
      this.track(socket);
      switch (this.mode) {
        case 'blackhole':
          socket.on('data', () => {});
          return;
        case 'garbage':
          socket.on('data', () => {});
          socket.write(
            Buffer.from('HTTP/1.1 200 OK\r\n\r\n\u0000\u00ff\u00fe garbage, not HTTP/2 \u0007\u0008', 'latin1'),
          );
          return;
        case 'proxy': {
          const upstream = net.connect(this.target(), '127.0.0.1');
          this.track(upstream);
          socket.pipe(upstream).pipe(socket);
          return;
        }
      }
    });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------------
// The pipeline under test
// ---------------------------------------------------------------------------------------------------

/** Short retries: attempts tens of milliseconds apart, an export giving up after `timeoutMs`. */
const FAST_RETRY = { initialIntervalMs: 50, maxIntervalMs: 200, multiplier: 1.5, randomizationFactor: 0.5 };

interface Pipeline {
  readonly registry: Registry;
  readonly logs: string[];
  readonly exporter: OtlpGrpcTraceExporter;
  readonly processor: BatchSpanProcessor;
  readonly provider: TracerProvider;
  span(name: string): void;
}

function pipeline(
  endpoint: string,
  options: {
    exporter?: Omit<OtlpGrpcTraceExporterOptions, 'endpoint' | 'registry' | 'logger'>;
    maxQueueSize?: number;
    scheduledDelayMillis?: number;
    exportTimeoutMillis?: number;
  } = {},
): Pipeline {
  const registry = new Registry();
  const logs: string[] = [];
  const exporter = new OtlpGrpcTraceExporter({
    env: {},
    timeoutMs: 1_500,
    retry: FAST_RETRY,
    logIntervalMs: 0,
    ...options.exporter,
    endpoint,
    registry,
    logger: { warn: (message) => logs.push(message) },
  });
  const processor = new BatchSpanProcessor(exporter, {
    env: {},
    registry,
    maxQueueSize: options.maxQueueSize ?? 2_048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: options.scheduledDelayMillis ?? 60_000,
    exportTimeoutMillis: options.exportTimeoutMillis ?? 20_000,
    flushOnExit: false,
  });
  const provider = new TracerProvider({
    spanProcessors: [processor],
    sampler: new AlwaysOnSampler(),
    resource: createResource({ 'service.name': 'zerotel-reliability' }),
  });
  const tracer = provider.getTracer('reliability');
  let i = 0;
  return {
    registry,
    logs,
    exporter,
    processor,
    provider,
    span: (name) => tracer.startSpan(name, { attributes: spanAttributes(i++) }).end(),
  };
}

/** Scrapes the registry as a Prometheus server would, and reads the samples back: `name{labels}` -> value. */
function scrape(registry: Registry): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of writeText(registry.collect()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

function sumOf(samples: Map<string, number>, prefix: string): number {
  let total = 0;
  for (const [key, value] of samples) if (key.startsWith(prefix)) total += value;
  return total;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** A full garbage collection, so heap sizes measure what is really retained. */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** The attributes every produced span carries: a few small values and one unique string. */
function spanAttributes(i: number): Record<string, string | number | boolean> {
  return {
    'http.route': '/v1/data/{id}',
    'http.status_code': 200,
    'url.full': `http://service.local/v1/data/${i}?q=${i * 7919}`,
    ok: true,
  };
}

/**
 * Heap bytes one finished span costs while something holds it: measured by keeping `n` spans of the
 * produced shape, so the memory bound below is relative to this machine and this span shape.
 */
function heapPerSpan(n = 10_000): number {
  const kept: SpanData[] = [];
  const keeper: SpanProcessor = {
    onStart() {},
    onEnd: (span: SpanData) => void kept.push(span),
    forceFlush: async () => true,
    shutdown: async () => true,
  };
  const provider = new TracerProvider({
    spanProcessors: [keeper],
    sampler: new AlwaysOnSampler(),
    resource: createResource({}),
  });
  const tracer = provider.getTracer('measure');
  const before = retainedHeap();
  for (let i = 0; i < n; i++) tracer.startSpan(`measure-${i}`, { attributes: spanAttributes(i) }).end();
  const perSpan = (retainedHeap() - before) / n;
  assert.equal(kept.length, n);
  return perSpan;
}

// ---------------------------------------------------------------------------------------------------
// Collector down, collector back
// ---------------------------------------------------------------------------------------------------

describe('exporter with the collector down', () => {
  it(`down for the whole run at 5,000 spans/s for ${FAULT_SECONDS} s: bounded memory, counted drops, clean shutdown`, {
    timeout: 120_000,
  }, async (t) => {
    const before = activeResources();
    const tracker = new ResourceTracker().start();
    const port = await freePort();
    const p = pipeline(`http://127.0.0.1:${port}`, {
      exporter: { timeoutMs: 1_000 },
      scheduledDelayMillis: 100,
    });
    const capacity = p.processor.config.maxQueueSize;
    const rate = 5_000;
    const total = rate * FAULT_SECONDS;
    const perSpan = heapPerSpan();
    const heapBefore = retainedHeap();
    const baseline = process.memoryUsage().rss;
    let peakRss = baseline;
    let peakQueue = 0;
    let produced = 0;
    const started = performance.now();
    // Spans are made on a 10 ms tick, as many as the elapsed time calls for, so a slow tick catches up.
    await new Promise<void>((resolve) => {
      let ticks = 0;
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
        for (; produced < due; produced++) p.span(`down-${produced}`);
        peakQueue = Math.max(peakQueue, p.processor.stats().queueSize);
        if (++ticks % 10 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (produced >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 10);
    });
    const seconds = (performance.now() - started) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const retained = retainedHeap() - heapBefore;

    // While running: nothing delivered, the queue never beyond its capacity, the rest dropped and counted.
    const live = p.processor.stats();
    assert.equal(live.exported, 0);
    assert.ok(peakQueue <= capacity, `queue reached ${peakQueue} > ${capacity}`);
    assert.ok(live.dropped.queue_full > 0, 'a queue that never filled proves nothing about its limit');
    assert.ok(live.dropped.export_failed > 0, 'exports were attempted and failed');
    const scraped = scrape(p.registry);
    assert.equal(scraped.get('zerotel_trace_spans_dropped_total{reason="queue_full"}'), live.dropped.queue_full);
    assert.equal(scraped.get('zerotel_trace_spans_dropped_total{reason="export_failed"}'), live.dropped.export_failed);
    assert.equal(scraped.get('zerotel_trace_queue_size'), live.queueSize);
    assert.equal(scraped.get('zerotel_trace_queue_capacity'), capacity);
    assert.equal(scraped.get('zerotel_trace_spans_exported_total'), 0);
    // Every failed span is counted by the exporter too, mostly as unavailable (refused connections); on a loaded
    // machine an attempt whose connect outlasts the time left is counted as deadline_exceeded instead.
    assert.equal(sumOf(scraped, 'zerotel_otlp_failed_spans_total{'), live.dropped.export_failed);
    assert.ok(
      (scraped.get('zerotel_otlp_failed_spans_total{reason="unavailable"}') ?? 0) > 0,
      'refusals counted as unavailable',
    );
    assert.ok((scraped.get('zerotel_otlp_retries_total{code="UNAVAILABLE"}') ?? 0) > 0, 'failed attempts were retried');

    // Memory: what stays on the heap is about a full queue, far from what keeping every span would take
    // (measured, not guessed: heapPerSpan). RSS, which also holds garbage not yet collected, gets a wide
    // sanity bound only.
    const unbounded = perSpan * produced;
    const queueCost = perSpan * capacity;
    assert.ok(
      retained < queueCost + 8 * 2 ** 20,
      `${mib(retained)} retained after ${produced} spans; a full queue is ${mib(queueCost)}, all spans ${mib(unbounded)}`,
    );
    const growth = peakRss - baseline;
    assert.ok(growth < 128 * 2 ** 20, `RSS grew by ${mib(growth)} while the collector was down`);

    // The log says what happened, where.
    const failure = p.logs.find((m) => /OTLP export of \d+ spans to http:\/\/127\.0\.0\.1:\d+ failed/.test(m));
    assert.ok(failure, `no export failure logged: ${JSON.stringify(p.logs.slice(0, 3))}`);
    assert.match(failure, /UNAVAILABLE: .*(ECONNREFUSED|connect|refused)/i);

    // Shutdown within its timeout: queued spans that cannot be delivered are counted, nothing is lost silently.
    await p.provider.shutdown(3_000);
    const end = p.processor.stats();
    const dropped = Object.values(end.dropped).reduce((a, b) => a + b, 0);
    assert.equal(end.exported + dropped + end.queueSize, produced, `every span accounted for: ${JSON.stringify(end)}`);
    assert.equal(end.queueSize, 0);
    const final = scrape(p.registry);
    assert.equal(sumOf(final, 'zerotel_trace_spans_dropped_total{'), dropped);
    t.diagnostic(
      `${produced} spans in ${seconds.toFixed(1)} s; queue peak ${peakQueue}/${capacity}; ` +
        `dropped ${JSON.stringify(end.dropped)}; ${end.exports} export calls, ${p.exporter.sessionsOpened} sessions; ` +
        `heap retained ${retained >= 0 ? '+' : ''}${mib(retained)} (full queue ${mib(queueCost)}, every span ${mib(unbounded)} at ${perSpan.toFixed(0)} B/span); ` +
        `RSS ${mib(baseline)} -> peak ${mib(peakRss)} (+${mib(growth)}); ${p.logs.length} warnings logged`,
    );

    assertNoUnhandledRejection();
    await tracker.assertNoneLeft('collector down');
    await assertActiveResourcesBackTo(before, 'collector down');
  });

  it('down, then up: export resumes by itself and every span still queued arrives', { timeout: 120_000 }, async (t) => {
    const before = activeResources();
    const tracker = new ResourceTracker().start();
    const port = await freePort();
    const received = new Received();
    const p = pipeline(`http://127.0.0.1:${port}`, {
      exporter: { timeoutMs: 1_000, retry: { ...FAST_RETRY, initialIntervalMs: 100, maxIntervalMs: 400 } },
      maxQueueSize: 8_192,
      scheduledDelayMillis: 100,
    });
    // 4,000 spans while nothing listens, over about 2 s (the queue holds them all).
    const total = 4_000;
    let produced = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * 2_000));
        for (; produced < due; produced++) p.span(`back-${produced}`);
        if (produced >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 10);
    });
    // The outage outlasts at least one export's time budget, so some batch has failed for good.
    assert.ok(
      await waitFor(() => p.processor.stats().dropped.export_failed > 0, 20_000),
      'an export failed during the outage',
    );
    const queuedWhenUp = p.processor.stats().queueSize;
    const failedBefore = p.processor.stats().dropped.export_failed;
    const upAt = performance.now();
    const collector = await startCollector(received, { port });
    try {
      // No flush, no nudge: the exporter's own retries and the processor's timer must find the collector.
      const settled = await waitFor(() => {
        const s = p.processor.stats();
        return s.queueSize === 0 && s.exported + s.dropped.export_failed === produced;
      }, 30_000);
      const s = p.processor.stats();
      assert.ok(settled, `export did not resume: ${JSON.stringify(s)}, ${received.names.size} received`);
      assert.equal(s.dropped.queue_full, 0);
      assert.equal(received.duplicates, 0);
      // Every span not counted as dropped arrived. The one exception OTLP leaves open: a call that reached the
      // collector just as its time budget ran out is counted as failed (no answer came back in time) although its
      // spans arrived; at most that one batch of 512, and never twice.
      const surplus = received.names.size - (produced - s.dropped.export_failed);
      assert.ok(
        surplus >= 0 && surplus <= 512,
        `${surplus} spans arrived beyond those not counted as dropped; logs ${JSON.stringify(p.logs.slice(-3))}`,
      );
      assert.equal(s.exported + surplus, received.names.size);
      assert.ok(received.names.size >= queuedWhenUp, 'all spans queued when the collector came back arrived');
      assert.ok(queuedWhenUp > 0, 'spans were waiting when the collector came back');
      // Only batches whose whole budget ran out during the outage are lost: at most the one in flight
      // when the collector came back fails after that.
      assert.ok(
        s.dropped.export_failed - failedBefore <= 512,
        `${s.dropped.export_failed - failedBefore} more dropped after the collector was up`,
      );
      const resumeMs = (received.firstCallAt ?? NaN) - upAt;
      // The longest a retry sleeps: maxIntervalMs (400) x (1 + randomizationFactor 0.5).
      t.diagnostic(
        `${produced} spans; ${queuedWhenUp} queued when the collector came up; ${failedBefore} dropped before that, ` +
          `${s.dropped.export_failed} in all (export_failed); ${received.names.size} delivered; ` +
          `first delivery ${resumeMs.toFixed(0)} ms after the collector was up (longest backoff sleep 600 ms); ${surplus} arrived though counted as failed`,
      );
    } finally {
      // Also after a failed assertion: a collector left listening would keep this file's process alive.
      await p.provider.shutdown(5_000);
      await collector.stop();
    }
    assertNoUnhandledRejection();
    await tracker.assertNoneLeft('collector down then up');
    await assertActiveResourcesBackTo(before, 'collector down then up');
  });
});

// ---------------------------------------------------------------------------------------------------
// Misbehaving collectors: a clear error, then the next batch goes out
// ---------------------------------------------------------------------------------------------------

interface Fault {
  /** The endpoint the exporter is given. */
  readonly endpoint: string;
  readonly received: Received;
  /** Makes the server (or what stands for it) healthy. */
  turnGood(): Promise<void>;
  close(): Promise<void>;
  /** Extra exporter options (TLS trust). */
  readonly exporter?: Omit<OtlpGrpcTraceExporterOptions, 'endpoint' | 'registry' | 'logger'>;
}

/**
 * Sends a batch into the fault and checks it is reported (logged with `expectLog`, counted under the
 * exporter's `reason`); then heals the server and checks the next batch is delivered whole.
 */
async function faultThenRecovery(
  t: { diagnostic(message: string): void },
  name: string,
  makeFault: () => Promise<Fault>,
  expectLog: RegExp,
  reason: string,
): Promise<void> {
  const before = activeResources();
  const tracker = new ResourceTracker().start();
  const fault = await makeFault();
  // 2.5 s: retries stop with 250 ms left, enough for a loaded machine to see the fault's own answer.
  const p = pipeline(fault.endpoint, { exporter: { timeoutMs: 2_500, ...fault.exporter } });
  try {
    for (let i = 0; i < 20; i++) p.span(`bad-${i}`);
    assert.equal(await p.provider.forceFlush(15_000), true, 'the failed export settled');
    const afterFault = p.processor.stats();
    assert.equal(afterFault.dropped.export_failed, 20, `${name}: ${JSON.stringify(afterFault)}`);
    assert.equal(fault.received.count('bad-'), 0);
    const logged = p.logs.find((m) => expectLog.test(m));
    assert.ok(logged, `${name}: expected a warning matching ${expectLog}, got ${JSON.stringify(p.logs)}`);
    assert.equal(
      scrape(p.registry).get(`zerotel_otlp_failed_spans_total{reason="${reason}"}`),
      20,
      `${name}: counted as ${reason}`,
    );

    await fault.turnGood();
    for (let i = 0; i < 20; i++) p.span(`good-${i}`);
    assert.equal(await p.provider.forceFlush(15_000), true, 'the next export settled');
    const healed = p.processor.stats();
    assert.equal(
      healed.exported,
      20,
      `${name}: the next batch was not delivered: ${JSON.stringify(healed)}; logs ${JSON.stringify(p.logs.slice(-3))}`,
    );
    assert.equal(fault.received.count('good-'), 20);
    assert.equal(fault.received.duplicates, 0);
    t.diagnostic(`${name}: logged "${logged}"`);
  } finally {
    await p.provider.shutdown(5_000);
    await fault.close();
  }
  assertNoUnhandledRejection();
  await tracker.assertNoneLeft(name);
  await assertActiveResourcesBackTo(before, name);
}

/** A healthy grpc-js collector behind a TCP front in `mode`, which turns into a plain proxy. */
async function tcpFault(mode: TcpMode): Promise<Fault> {
  const received = new Received();
  const collector = await startCollector(received);
  const front = await new TcpFront(mode, () => collector.port).start();
  return {
    endpoint: `http://127.0.0.1:${front.port}`,
    received,
    turnGood: async () => {
      front.mode = 'proxy';
    },
    close: async () => {
      await front.close();
      await collector.stop();
    },
  };
}

async function h2Fault(mode: H2Mode): Promise<Fault> {
  const received = new Received();
  const server = await new RawH2Collector(mode, received).start();
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    received,
    turnGood: async () => {
      server.mode = 'good';
    },
    close: () => server.close(),
  };
}

describe('exporter against misbehaving collectors', () => {
  it('a collector that accepts the call and never answers: DEADLINE_EXCEEDED, then delivery once it answers', {
    timeout: 60_000,
  }, async (t) => {
    let hanging = true;
    await faultThenRecovery(
      t,
      'hanging gRPC collector',
      async () => {
        const received = new Received();
        const collector = await startCollector(received, { hang: () => hanging });
        return {
          endpoint: `http://127.0.0.1:${collector.port}`,
          received,
          turnGood: async () => {
            hanging = false;
          },
          close: () => collector.stop(),
        };
      },
      /DEADLINE_EXCEEDED: no response within the deadline/,
      'deadline_exceeded',
    );
  });

  it('a server that accepts TCP connections and never says a word: DEADLINE_EXCEEDED, then delivery', {
    timeout: 60_000,
  }, async (t) => {
    await faultThenRecovery(
      t,
      'silent TCP peer',
      () => tcpFault('blackhole'),
      /DEADLINE_EXCEEDED: .*sent no HTTP\/2 SETTINGS.*the connection was dropped/,
      'deadline_exceeded',
    );
  });

  it('a server that answers garbage bytes instead of HTTP/2: a connection error, then delivery', {
    timeout: 60_000,
  }, async (t) => {
    await faultThenRecovery(
      t,
      'garbage TCP peer',
      () => tcpFault('garbage'),
      /UNAVAILABLE: connection to .* lost before any response headers: Protocol error/,
      'unavailable',
    );
  });

  it('RST_STREAM (INTERNAL_ERROR) on every call: not retried, logged, then delivery', {
    timeout: 60_000,
  }, async (t) => {
    await faultThenRecovery(
      t,
      'RST_STREAM INTERNAL_ERROR',
      () => h2Fault('rst-internal'),
      /INTERNAL: .*RST_STREAM INTERNAL_ERROR/,
      'internal',
    );
  });

  it('RST_STREAM (REFUSED_STREAM) on every call: retried until the budget, logged, then delivery', {
    timeout: 60_000,
  }, async (t) => {
    await faultThenRecovery(
      t,
      'RST_STREAM REFUSED_STREAM',
      () => h2Fault('rst-refused'),
      /UNAVAILABLE: .*RST_STREAM REFUSED_STREAM/,
      'unavailable',
    );
  });

  it('GOAWAY on every call: the session is replaced, logged, then delivery', { timeout: 60_000 }, async (t) => {
    await faultThenRecovery(
      t,
      'GOAWAY',
      () => h2Fault('goaway'),
      /UNAVAILABLE: .*GOAWAY|UNAVAILABLE: .*(lost|closed)/,
      'unavailable',
    );
  });

  it('an OK status around garbage bytes: a framing error, then delivery', { timeout: 60_000 }, async (t) => {
    await faultThenRecovery(
      t,
      'garbage framing',
      () => h2Fault('garbage-framing'),
      /INTERNAL: response framing/,
      'internal',
    );
  });

  it('a garbage grpc-status: a clear error, then delivery', { timeout: 60_000 }, async (t) => {
    await faultThenRecovery(
      t,
      'garbage grpc-status',
      () => h2Fault('garbage-status'),
      /INTERNAL: malformed grpc-status/,
      'internal',
    );
  });

  it('an HTTP 200 of another content type (a web server): a clear error, then delivery', {
    timeout: 60_000,
  }, async (t) => {
    await faultThenRecovery(
      t,
      'wrong content-type',
      () => h2Fault('content-type'),
      /UNKNOWN: unexpected content-type "text\/html; charset=utf-8".*not a gRPC server/,
      'unknown',
    );
  });

  describe('TLS collector with a wrong certificate (made with openssl for this run)', () => {
    const made = makeCertificates();
    const certs: TestCertificates | undefined = 'skip' in made ? undefined : made;
    after(() => certs?.remove());
    const options = certs === undefined ? { skip: (made as { skip: string }).skip } : {};

    /** A server certificate signed by `issuer` (ca or other-ca) for `san`. */
    function leaf(name: string, issuer: 'ca' | 'other-ca', san: string): { cert: Buffer; key: Buffer } {
      return certs!.signLeaf(name, issuer, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    }

    async function tlsFault(bad: { cert: Buffer; key: Buffer }): Promise<Fault> {
      const received = new Received();
      let collector = await startCollector(received, { tls: bad });
      const port = collector.port;
      return {
        endpoint: `https://127.0.0.1:${port}`,
        received,
        // One attempt with the whole budget: on a loaded machine a handshake can outlast what a retry loop has
        // left, and the error this checks is the handshake's own.
        exporter: { tlsCaCertFile: certs!.files.ca, retry: { enabled: false }, timeoutMs: 10_000 },
        // The operator fixes the certificate: the collector restarts on the same port with the right one.
        turnGood: async () => {
          await collector.stop();
          collector = await startCollector(received, { port, tls: { cert: certs!.serverCert, key: certs!.serverKey } });
        },
        close: () => collector.stop(),
      };
    }

    it('a certificate from a CA the exporter does not trust', { ...options, timeout: 60_000 }, async (t) => {
      const stranger = leaf('stranger', 'other-ca', 'IP:127.0.0.1');
      await faultThenRecovery(
        t,
        'untrusted certificate',
        () => tlsFault(stranger),
        /UNAVAILABLE: .*(certificate|verify|self.signed)/i,
        'unavailable',
      );
    });

    it('a trusted certificate for another host name', { ...options, timeout: 60_000 }, async (t) => {
      const wrongHost = leaf('wrong-host', 'ca', 'DNS:collector.invalid');
      await faultThenRecovery(
        t,
        'certificate for another host',
        () => tlsFault(wrongHost),
        /UNAVAILABLE: .*(altnames|does not match|hostname)/i,
        'unavailable',
      );
    });
  });
});
