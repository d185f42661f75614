/**
 * The producing end of the E1 end-to-end measure: one tracing SDK in a fresh process makes N spans
 * through its tracer, batch span processor and OTLP/gRPC exporter, sending them to the counting
 * receiver (bench/otlp-receiver.ts) on 127.0.0.1.
 *
 *   node otlp-producer.js zerotel|opentelemetry-js|zerotel-api|opentelemetry-js-api|bare PORT SPANS
 *
 * prints one JSON line ({@link ProducerReport}) on stdout and exits. `bare` loads no SDK and sends
 * nothing: it reports the peak RSS of a Node process running this script alone, the baseline.
 * The `-api` variants register the SDK's tracer provider with @opentelemetry/api and make every span
 * through it, as instrumented code does: the tracer from `api.trace.getTracer`, parent contexts from
 * `api.trace.setSpanContext(api.ROOT_CONTEXT, ...)`, kinds and status codes from the api's enums.
 *
 * The same for both SDKs:
 * - every span: a child of a remote, sampled parent (as a server span continuing an incoming
 *   traceparent), name `GET /v1/data/{path}`, kind SERVER, the 8 T1 attributes (4 string, 2 int,
 *   1 double, 1 bool) given at start, one event `decision` with 2 attributes, status OK, then end();
 * - resource: `service.name=bench` and 5 more string attributes; one scope `bench` 1.0.0;
 * - sampler ParentBased(AlwaysOn); batch 512 spans per export, queue 2048, scheduled delay 200 ms,
 *   export timeout 30 s; gzip off; plaintext HTTP/2 to 127.0.0.1;
 * - back-pressure: before ending a span the producer waits while 2,048 spans are unacknowledged
 *   (ended but their export not yet answered), so at most 2,048 are ever outstanding and no queue
 *   drops a span; the acknowledgements come from a thin wrapper around the exporter, and a waiting
 *   producer resumes on the event loop turn after the acknowledgement that made room.
 * - timing: from just before the first span starts to the last acknowledgement, after a forceFlush
 *   that sends the tail; loading modules, process start and shutdown are outside it.
 * - memory: the process's peak resident set (VmHWM) after shutdown.
 *
 * Attribute values come from tables drawn from mulberry32(42), so the spans vary without costing the
 * producer a PRNG call per attribute.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from './workloads.js';

export type ProducerName = 'zerotel' | 'opentelemetry-js' | 'zerotel-api' | 'opentelemetry-js-api' | 'bare';
const PRODUCERS: readonly ProducerName[] = [
  'zerotel',
  'opentelemetry-js',
  'zerotel-api',
  'opentelemetry-js-api',
  'bare',
];

/** The spans' tracer, parents, kind and status, either from the SDK itself or through @opentelemetry/api. */
interface SpanSource {
  readonly tracer: {
    startSpan(
      name: string,
      options: object,
      context: unknown,
    ): {
      addEvent(name: string, attributes: object): unknown;
      setStatus(status: { readonly code: number }): unknown;
      end(): void;
    };
  };
  readonly parentContexts: readonly unknown[];
  readonly kind: number;
  readonly ok: { readonly code: number };
}

/** Makes span `i` the same way for every producer: T1's attributes, one event, status OK, end. */
function spanMaker(source: SpanSource, values: readonly SpanValues[]): (i: number) => void {
  const { tracer, parentContexts, kind, ok } = source;
  return (i) => {
    const v = values[i % VALUES]!;
    const span = tracer.startSpan(
      SPAN_NAME,
      {
        kind,
        attributes: {
          'http.request.method': 'GET',
          'url.path': v.urlPath,
          'http.route': '/v1/data/{path}',
          'user_agent.original': 'opa-client/1.0 (linux; amd64)',
          'http.response.status_code': 200,
          'http.response.body.size': v.bodySize,
          'opa.eval.duration_ms': v.evalMs,
          'opa.decision.allowed': v.allowed,
        },
      },
      parentContexts[i % PARENTS],
    );
    span.addEvent('decision', { 'decision.id': v.decisionId, 'decision.result_count': v.resultCount });
    span.setStatus(ok);
    span.end();
  };
}

/**
 * Contexts, kind and status from @opentelemetry/api; the tracer from `provider`, or, with `register`,
 * from `api.trace.getTracer` once `provider` is registered with the api.
 */
async function apiSource(
  provider: { getTracer(name: string, version: string): unknown },
  parents: readonly ParentIds[],
  register: boolean,
): Promise<SpanSource> {
  const api = await import('@opentelemetry/api');
  if (register && !api.trace.setGlobalTracerProvider(provider as import('@opentelemetry/api').TracerProvider)) {
    throw new Error('could not register the tracer provider with @opentelemetry/api');
  }
  const tracer = register ? api.trace.getTracer('bench', '1.0.0') : provider.getTracer('bench', '1.0.0');
  return {
    tracer: tracer as SpanSource['tracer'],
    parentContexts: parents.map((p) =>
      api.trace.setSpanContext(api.ROOT_CONTEXT, {
        traceId: p.traceId,
        spanId: p.spanId,
        traceFlags: api.TraceFlags.SAMPLED,
        isRemote: true,
      }),
    ),
    kind: api.SpanKind.SERVER,
    ok: { code: api.SpanStatusCode.OK },
  };
}

/** What the producer prints, one JSON line. */
export interface ProducerReport {
  readonly producer: ProducerName;
  readonly spans: number;
  /** Spans whose export the receiver answered with success. */
  readonly acknowledged: number;
  /** Spans whose export failed (the run is then invalid). */
  readonly failed: number;
  /** Spans the batch processor says it dropped (zerotel reports its counts; -1 when not known). */
  readonly dropped: number;
  /** Export calls made. */
  readonly exports: number;
  readonly elapsedMs: number;
  readonly spansPerSecond: number;
  /** Peak resident set size of this process, KiB. */
  readonly maxRssKiB: number;
  /** The most spans ever unacknowledged at once. */
  readonly maxOutstanding: number;
}

/** The producer's settings, shared by both SDKs. */
export const E2E_SETTINGS = Object.freeze({
  maxExportBatchSize: 512,
  maxQueueSize: 2048,
  scheduledDelayMillis: 200,
  exportTimeoutMillis: 30_000,
  /** The producer waits while this many spans are unacknowledged. */
  maxOutstanding: 2048,
});

const SPAN_NAME = 'GET /v1/data/{path}';
const PATHS = ['authz/allow', 'rbac/roles', 'httpapi/authz', 'example/deny'];
const RESOURCE_ATTRIBUTES = {
  'service.name': 'bench',
  'service.version': '1.0.0',
  'service.instance.id': 'bench-instance-0',
  'host.name': 'bench-host',
  'telemetry.sdk.name': 'bench',
  'telemetry.sdk.language': 'nodejs',
};
const VALUES = 1024;
const PARENTS = 64;

interface SpanValues {
  readonly urlPath: string;
  readonly bodySize: number;
  readonly evalMs: number;
  readonly allowed: boolean;
  readonly decisionId: string;
  readonly resultCount: number;
}

interface ParentIds {
  readonly traceId: string;
  readonly spanId: string;
}

function hexOf(r: () => number, bytes: number): string {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (r() * 256) >>> 0;
  // Never all zero, which would make an invalid id.
  if (b.every((x) => x === 0)) b[bytes - 1] = 1;
  return b.toString('hex');
}

function tables(): { values: SpanValues[]; parents: ParentIds[] } {
  const r = mulberry32(42);
  const values: SpanValues[] = [];
  for (let i = 0; i < VALUES; i++) {
    values.push({
      urlPath: `/v1/data/${PATHS[(r() * PATHS.length) >>> 0]!}`,
      bodySize: (r() * 65536) >>> 0,
      evalMs: r() * 10,
      allowed: r() < 0.5,
      decisionId: hexOf(r, 8),
      resultCount: (r() * 100) >>> 0,
    });
  }
  const parents: ParentIds[] = [];
  for (let i = 0; i < PARENTS; i++) parents.push({ traceId: hexOf(r, 16), spanId: hexOf(r, 8) });
  return { values, parents };
}

/** Counts acknowledgements and lets the producer wait for them. */
class Outstanding {
  ended = 0;
  acknowledged = 0;
  failed = 0;
  exports = 0;
  max = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly limit: number) {}

  /** Resolves at once while fewer than `limit` spans are outstanding, else at the next acknowledgement that allows one more. */
  room(): Promise<void> | undefined {
    if (this.ended - this.acknowledged - this.failed < this.limit) return undefined;
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** The producer ended one more span. */
  endedOne(): void {
    this.ended++;
    const outstanding = this.ended - this.acknowledged - this.failed;
    if (outstanding > this.max) this.max = outstanding;
  }

  /** An export of `n` spans was answered. */
  answered(n: number, ok: boolean): void {
    this.exports++;
    if (ok) this.acknowledged += n;
    else this.failed += n;
    const wake = this.wake;
    if (wake !== undefined && this.ended - this.acknowledged - this.failed < this.limit) {
      this.wake = undefined;
      // On the next turn of the event loop: the processor hears of the answer first and can start its
      // next export before the producer fills the queue again, as it would with requests arriving
      // independently of the exporter. Both SDKs are woken the same way.
      setImmediate(wake);
    }
  }

  /** Resolves once every ended span is answered. */
  async settled(): Promise<void> {
    while (this.acknowledged + this.failed < this.ended) {
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
  }
}

/** One SDK wired up: make span `i`, flush, shut down. */
interface Pipeline {
  makeSpan(i: number): void;
  forceFlush(): Promise<unknown>;
  shutdown(): Promise<unknown>;
  dropped(): number;
}

async function zerotelPipeline(port: number, outstanding: Outstanding, viaApi: boolean): Promise<Pipeline> {
  const trace = await import('../lib/trace/index.js');
  const { OtlpGrpcTraceExporter } = await import('../lib/otlp/exporter.js');
  type SpanExporter = import('../lib/trace/index.js').SpanExporter;
  const exporter = new OtlpGrpcTraceExporter({ endpoint: `http://127.0.0.1:${port}`, compression: 'none', env: {} });
  const counted: SpanExporter = {
    async export(spans) {
      const result = await exporter.export(spans);
      outstanding.answered(spans.length, result.kind === 'success' && (result.rejectedSpans ?? 0) === 0);
      return result;
    },
    shutdown: () => exporter.shutdown(),
    // The exporter's encode-as-spans-end path, which its batch processor uses when offered.
    createEncodedBatch: () => exporter.createEncodedBatch(),
    async exportEncoded(batch) {
      const count = batch.length;
      const result = await exporter.exportEncoded(batch);
      outstanding.answered(count, result.kind === 'success' && (result.rejectedSpans ?? 0) === 0);
      return result;
    },
  };
  const processor = new trace.BatchSpanProcessor(counted, {
    maxExportBatchSize: E2E_SETTINGS.maxExportBatchSize,
    maxQueueSize: E2E_SETTINGS.maxQueueSize,
    scheduledDelayMillis: E2E_SETTINGS.scheduledDelayMillis,
    exportTimeoutMillis: E2E_SETTINGS.exportTimeoutMillis,
    env: {},
  });
  const provider = new trace.TracerProvider({
    resource: trace.createResource(RESOURCE_ATTRIBUTES),
    sampler: new trace.ParentBasedSampler(new trace.AlwaysOnSampler()),
    spanProcessors: [processor],
  });
  const { values, parents } = tables();
  const source: SpanSource = viaApi
    ? await apiSource(provider, parents, true)
    : {
        tracer: provider.getTracer('bench', '1.0.0') as unknown as SpanSource['tracer'],
        parentContexts: parents.map((p) =>
          trace.setSpanContext(trace.ROOT_CONTEXT, {
            traceId: p.traceId,
            spanId: p.spanId,
            traceFlags: trace.TraceFlags.SAMPLED,
            traceState: trace.TraceState.EMPTY,
            isRemote: true,
          }),
        ),
        kind: trace.SpanKind.SERVER,
        ok: { code: trace.StatusCode.OK },
      };
  return {
    makeSpan: spanMaker(source, values),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    dropped: () => Object.values(processor.stats().dropped).reduce((a, b) => a + b, 0),
  };
}

async function openTelemetryPipeline(port: number, outstanding: Outstanding, viaApi: boolean): Promise<Pipeline> {
  const sdk = await import('@opentelemetry/sdk-trace');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
  type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;
  type SpanExporter = import('@opentelemetry/sdk-trace').SpanExporter;
  const exporter = new OTLPTraceExporter({
    url: `http://127.0.0.1:${port}`,
    compression: 'none' as NonNullable<ExporterConfig['compression']>,
  });
  const counted: SpanExporter = {
    export(spans, resultCallback) {
      exporter.export(spans, (result) => {
        outstanding.answered(spans.length, result.code === 0); // ExportResultCode.SUCCESS
        resultCallback(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const processor = new sdk.BatchSpanProcessor({
    exporter: counted,
    maxExportBatchSize: E2E_SETTINGS.maxExportBatchSize,
    maxQueueSize: E2E_SETTINGS.maxQueueSize,
    scheduledDelayMillis: E2E_SETTINGS.scheduledDelayMillis,
    exportTimeoutMillis: E2E_SETTINGS.exportTimeoutMillis,
  });
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  const { values, parents } = tables();
  const source = await apiSource(provider, parents, viaApi);
  return {
    makeSpan: spanMaker(source, values),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    dropped: () => -1,
  };
}

/**
 * Peak resident set size of this process, KiB: VmHWM of /proc/self/status where there is one. Not
 * `process.resourceUsage().maxRSS` there: Linux carries a parent's peak across fork and exec into it, so
 * a producer started by a large parent would report the parent's size.
 */
function maxRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (match !== null) return Number(match[1]);
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS;
}

/** Makes `spans` spans with the named SDK and reports; `bare` only reports the baseline memory. */
export async function produce(producer: ProducerName, port: number, spans: number): Promise<ProducerReport> {
  const outstanding = new Outstanding(E2E_SETTINGS.maxOutstanding);
  if (producer === 'bare') {
    tables();
    return {
      producer,
      spans: 0,
      acknowledged: 0,
      failed: 0,
      dropped: 0,
      exports: 0,
      elapsedMs: 0,
      spansPerSecond: 0,
      maxRssKiB: maxRssKiB(),
      maxOutstanding: 0,
    };
  }
  const viaApi = producer.endsWith('-api');
  const pipeline = producer.startsWith('zerotel')
    ? await zerotelPipeline(port, outstanding, viaApi)
    : await openTelemetryPipeline(port, outstanding, viaApi);
  const start = performance.now();
  for (let i = 0; i < spans; i++) {
    const wait = outstanding.room();
    if (wait !== undefined) await wait;
    pipeline.makeSpan(i);
    outstanding.endedOne();
  }
  await pipeline.forceFlush();
  await outstanding.settled();
  const elapsedMs = performance.now() - start;
  await pipeline.shutdown();
  return {
    producer,
    spans,
    acknowledged: outstanding.acknowledged,
    failed: outstanding.failed,
    dropped: pipeline.dropped(),
    exports: outstanding.exports,
    elapsedMs,
    spansPerSecond: spans / (elapsedMs / 1000),
    maxRssKiB: maxRssKiB(),
    maxOutstanding: outstanding.max,
  };
}

async function main(): Promise<void> {
  const [name, portText, spansText] = process.argv.slice(2);
  if (!PRODUCERS.includes(name as ProducerName)) {
    throw new Error(`usage: otlp-producer ${PRODUCERS.join('|')} PORT SPANS (got ${JSON.stringify(name)})`);
  }
  const port = Number(portText ?? 0);
  const spans = Number(spansText ?? 0);
  if (name !== 'bare' && (!Number.isInteger(port) || port <= 0 || !Number.isInteger(spans) || spans <= 0)) {
    throw new Error(
      `PORT and SPANS must be positive integers, got ${JSON.stringify(portText)} ${JSON.stringify(spansText)}`,
    );
  }
  const report = await produce(name as ProducerName, port, spans);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    // Exit at once: a lingering handle of an SDK must not hold the result back.
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
