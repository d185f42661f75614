/**
 * Spans from whichever runtime runs this, through zerotel/trace's OTLP/HTTP exporter to `endpoint`:
 * a SERVER root `request`, a CLIENT `query` started after a timer (its parent found through
 * AsyncLocalStorage, or passed explicitly where the runtime has none) and an INTERNAL `render` started
 * inside a synchronous `context.with`. What it made is reported back for the test to compare with
 * what the receiver decoded.
 */
import {
  OtlpHttpTraceExporter,
  SimpleSpanProcessor,
  SpanKind,
  TracerProvider,
  context,
  createResource,
  isAsyncContextAvailable,
  setSpan,
  type Span,
} from '../../../lib/trace/index.js';

export interface TraceRun {
  /** Full URL of the receiver's `/v1/traces`. */
  readonly endpoint: string;
  /** Recorded as the `zerotel.runtime` attribute of the resource and the root span. */
  readonly runtime: string;
  readonly protocol: 'http/protobuf' | 'http/json';
}

export interface TraceReport {
  /** Whether the context followed async work (AsyncLocalStorage) or had to be passed explicitly. */
  readonly asyncContext: boolean;
  readonly traceId: string;
  readonly spanIds: { readonly request: string; readonly query: string; readonly render: string };
  readonly exported: number;
  readonly failed: Readonly<Record<string, number>>;
}

function later(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

export async function sendSpans(run: TraceRun): Promise<TraceReport> {
  // env: {} — the programs must not depend on the environment (Deno runs them without --allow-env).
  const exporter = new OtlpHttpTraceExporter({ endpoint: run.endpoint, protocol: run.protocol, env: {} });
  const provider = new TracerProvider({
    resource: createResource({ 'service.name': 'zerotel-runtime-check', 'zerotel.runtime': run.runtime }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('runtime-check', '1.0.0');
  const asyncContext = isAsyncContextAvailable();
  const rootOptions = {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'zerotel.runtime': run.runtime, 'http.response.status_code': 200 },
  };
  const queryOptions = { kind: SpanKind.CLIENT, attributes: { 'db.rows': 3, 'cache.hit': false, ratio: 0.5 } };

  const withChildren = async (root: Span, explicit: boolean): Promise<TraceReport['spanIds']> => {
    const ctx = setSpan(context.active(), root);
    await later();
    // After the timer only AsyncLocalStorage still knows `root`; otherwise the context is passed.
    const query = explicit ? tracer.startSpan('query', queryOptions, ctx) : tracer.startSpan('query', queryOptions);
    query.addEvent('rows', { count: 3 });
    query.end();
    const render = context.with(ctx, () => tracer.startSpan('render', { kind: SpanKind.INTERNAL }));
    render.end();
    root.end();
    return {
      request: root.spanContext().spanId,
      query: query.spanContext().spanId,
      render: render.spanContext().spanId,
    };
  };

  let traceId: string;
  let spanIds: TraceReport['spanIds'];
  if (asyncContext) {
    [traceId, spanIds] = await tracer.startActiveSpan(
      'request',
      rootOptions,
      async (root) => [root.spanContext().traceId, await withChildren(root, false)] as const,
    );
  } else {
    const root = tracer.startSpan('request', rootOptions);
    traceId = root.spanContext().traceId;
    spanIds = await withChildren(root, true);
  }
  await provider.forceFlush();
  await provider.shutdown();
  return {
    asyncContext,
    traceId,
    spanIds,
    exported: exporter.stats.exportedSpans,
    failed: { ...exporter.stats.failedSpans },
  };
}
