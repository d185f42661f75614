/**
 * One program written only against @opentelemetry/api, run with one SDK registered behind it:
 * `zerotel` (its three registration objects) or `opentelemetry-js` (sdk-trace, context-async-hooks and
 * core's propagators, as `NodeTracerProvider.register()` sets them up). It prints the finished spans,
 * normalized (ids replaced by the names they point to), as one JSON line, so that the two runs can be
 * compared: replacing the SDK must not change the traces.
 *
 *   node --import tsx workload.ts zerotel|opentelemetry-js
 */
import { EventEmitter } from 'node:events';
import * as api from '@opentelemetry/api';

/** A finished span as both SDKs can describe it. */
export interface NormalSpan {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly parentIsRemote: boolean | undefined;
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; attributes: Record<string, unknown> }[];
  readonly links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  readonly status: { code: number; message: string };
  readonly scope: string;
}

async function register(sdk: string): Promise<() => Promise<NormalSpan[]>> {
  if (sdk === 'zerotel') {
    const z = await import('../../../lib/trace/index.js');
    const ended: import('../../../lib/trace/index.js').SpanData[] = [];
    const provider = new z.TracerProvider({
      sampler: new z.AlwaysOnSampler(),
      spanProcessors: [
        { onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => true, shutdown: async () => true },
      ],
    });
    api.context.setGlobalContextManager(new z.AsyncLocalStorageContextManager().enable());
    api.propagation.setGlobalPropagator(
      new z.CompositePropagator({ propagators: [new z.W3CTraceContextPropagator(), new z.W3CBaggagePropagator()] }),
    );
    api.trace.setGlobalTracerProvider(provider);
    return async () =>
      ended.map((s) => ({
        name: s.name,
        kind: s.kind,
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId === '' ? undefined : s.parentSpanId,
        parentIsRemote: s.parentSpanId === '' ? undefined : s.parentIsRemote,
        attributes: { ...s.attributes },
        events: s.events.map((e) => ({ name: e.name, attributes: { ...e.attributes } })),
        links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: { ...l.attributes } })),
        status: { code: s.status.code, message: s.status.message },
        scope: `${s.scope.name}@${s.scope.version}`,
      }));
  }
  if (sdk === 'opentelemetry-js') {
    const core = await import('@opentelemetry/core');
    const sdkTrace = await import('@opentelemetry/sdk-trace');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    const exporter = new sdkTrace.InMemorySpanExporter();
    const provider = new sdkTrace.TracerProvider({
      sampler: new sdkTrace.AlwaysOnSampler(),
      spanProcessors: [new sdkTrace.SimpleSpanProcessor({ exporter })],
    });
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.propagation.setGlobalPropagator(
      new core.CompositePropagator({
        propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
      }),
    );
    api.trace.setGlobalTracerProvider(provider);
    return async () => {
      await provider.forceFlush();
      return exporter.getFinishedSpans().map((s) => ({
        name: s.name,
        kind: s.kind,
        traceId: s.spanContext().traceId,
        spanId: s.spanContext().spanId,
        parentSpanId: s.parentSpanContext?.spanId,
        parentIsRemote: s.parentSpanContext === undefined ? undefined : s.parentSpanContext.isRemote === true,
        attributes: { ...s.attributes },
        events: s.events.map((e) => ({ name: e.name, attributes: { ...e.attributes } })),
        links: s.links.map((l) => ({
          traceId: l.context.traceId,
          spanId: l.context.spanId,
          attributes: { ...l.attributes },
        })),
        status: { code: s.status.code, message: s.status.message ?? '' },
        scope: `${s.instrumentationScope.name}@${s.instrumentationScope.version ?? ''}`,
      }));
    };
  }
  throw new Error(`usage: workload.ts zerotel|opentelemetry-js (got ${JSON.stringify(sdk)})`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The instrumented program: nothing here knows which SDK records it. */
async function workload(): Promise<void> {
  const tracer = api.trace.getTracer('workload', '1.0.0');
  const emitter = new EventEmitter();
  const headers: Record<string, string> = {};
  await tracer.startActiveSpan(
    'root',
    { kind: api.SpanKind.SERVER, attributes: { 'http.route': '/x', n: 1 } },
    async (root) => {
      await sleep(1);
      tracer.startActiveSpan('after-await', (s) => s.end());
      await new Promise<void>((resolve) => setTimeout(() => (tracer.startSpan('in-timer').end(), resolve()), 1));
      await Promise.all(
        [1, 2].map(async (i) => {
          await sleep(i);
          tracer.startSpan(`all-${i}`, { kind: api.SpanKind.CLIENT }).end();
        }),
      );
      api.context.bind(api.context.active(), emitter);
      emitter.on('event', () => tracer.startSpan('emitted', { kind: api.SpanKind.INTERNAL }).end());
      const withBaggage = api.propagation.setBaggage(
        api.context.active(),
        api.propagation.createBaggage({ tenant: { value: 'a b' } }),
      );
      api.propagation.inject(withBaggage, headers);
      const failing = tracer.startSpan('failing', {
        kind: api.SpanKind.PRODUCER,
        links: [{ context: root.spanContext(), attributes: { why: 'batch' } }],
      });
      failing.addEvent('step', { at: 2 });
      failing.setStatus({ code: api.SpanStatusCode.ERROR, message: 'bad input' });
      failing.setAttribute('list', ['a', 'b']);
      failing.updateName('failed');
      failing.end();
      api.context.with(core_suppress(api.context.active()), () => tracer.startSpan('suppressed').end());
      root.setStatus({ code: api.SpanStatusCode.OK });
      root.end();
    },
  );
  // Outside the root's context: the bound listener still runs in it.
  emitter.emit('event');
  // The other side of the wire: continue the injected context, reading the baggage.
  const extracted = api.propagation.extract(api.ROOT_CONTEXT, headers);
  const remote = tracer.startSpan('remote-child', { kind: api.SpanKind.CONSUMER }, extracted);
  remote.setAttribute('tenant', api.propagation.getBaggage(extracted)?.getEntry('tenant')?.value ?? 'none');
  remote.end();
  // A new trace.
  tracer.startSpan('other-root', { root: true }).end();
}

/** @opentelemetry/core's suppressTracing, the same function for both runs. */
let core_suppress: (ctx: api.Context) => api.Context;

async function main(): Promise<void> {
  core_suppress = (await import('@opentelemetry/core')).suppressTracing;
  const collect = await register(process.argv[2] ?? '');
  await workload();
  process.stdout.write(JSON.stringify(await collect()) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
