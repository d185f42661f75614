import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, it } from 'node:test';
import * as api from '@opentelemetry/api';
import {
  W3CTraceContextPropagator as OtelTraceContextPropagator,
  suppressTracing as otelSuppressTracing,
  TraceState as OtelTraceState,
} from '@opentelemetry/core';
import {
  AsyncLocalStorageContextManager,
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '../../lib/trace/index.js';
import { getActiveSpan, withSpan } from '../../lib/trace/context.js';
import type { Span } from '../../lib/trace/span.js';
import { SpanKind, StatusCode } from '../../lib/trace/span-data.js';
import { TracerProvider } from '../../lib/trace/tracer.js';
import { RecordingProcessor, sleep } from './helpers.js';
import { AlwaysOnSampler } from '../../lib/trace/sampler.js';

// Type-level checks (compiled by `tsc --noEmit -p .`): zerotel's objects are what the api asks for.
const typeProvider: api.TracerProvider = new TracerProvider();
const typeTracer: api.Tracer = typeProvider.getTracer('t', '1', { schemaUrl: 'https://s' });
const typeSpan: api.Span = new TracerProvider().getTracer('t').startSpan('s');
const typeManager: api.ContextManager = new AsyncLocalStorageContextManager();
const typePropagator: api.TextMapPropagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});
void [typeTracer, typeSpan, typeManager, typePropagator];

const processor = new RecordingProcessor();
const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [processor] });
const manager = new AsyncLocalStorageContextManager();

/** The ended span named `name`. */
function ended(name: string) {
  const span = processor.ended.find((s) => s.name === name);
  assert.ok(span, `span ${name} ended`);
  return span;
}

describe('behind @opentelemetry/api', () => {
  before(() => {
    assert.equal(api.context.setGlobalContextManager(manager.enable()), true);
    assert.equal(api.trace.setGlobalTracerProvider(provider), true);
    assert.equal(
      api.propagation.setGlobalPropagator(
        new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
      ),
      true,
    );
  });
  after(() => {
    api.trace.disable();
    api.context.disable();
    api.propagation.disable();
  });

  it('honours a parent set with api.trace.setSpan, and api.context.with', () => {
    processor.ended.length = 0;
    const tracer = api.trace.getTracer('lib', '1.0.0');
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan('child', {}, api.trace.setSpan(api.context.active(), parent));
    api.context.with(api.trace.setSpan(api.context.active(), parent), () => {
      tracer.startSpan('in-with').end();
      // One store: zerotel's own helpers see what the api made active, and the reverse.
      assert.equal(getActiveSpan(), parent);
      withSpan(child as unknown as Span, () => assert.equal(api.trace.getActiveSpan(), child));
    });
    child.end();
    parent.end();
    const p = ended('parent');
    assert.equal(ended('child').parentSpanId, p.spanId);
    assert.equal(ended('child').traceId, p.traceId);
    assert.equal(ended('in-with').parentSpanId, p.spanId);
  });

  it('makes the span active in startActiveSpan, across await, timers, Promise.all and bound emitters', async () => {
    processor.ended.length = 0;
    const tracer = api.trace.getTracer('lib');
    const emitter = new EventEmitter();
    const seen: string[] = [];
    await tracer.startActiveSpan('outer', async (outer) => {
      assert.equal(api.trace.getActiveSpan(), outer);
      await sleep(1);
      assert.equal(api.trace.getActiveSpan(), outer);
      await new Promise<void>((resolve) => setTimeout(() => (tracer.startSpan('timer').end(), resolve()), 1));
      await Promise.all(
        [1, 2].map(async (i) => {
          await sleep(i);
          tracer.startSpan(`all-${i}`).end();
        }),
      );
      api.context.bind(api.context.active(), emitter);
      const listener = () => seen.push(api.trace.getActiveSpan()?.spanContext().spanId ?? 'none');
      emitter.on('x', listener);
      outer.end();
    });
    // Emitted outside the span: the bound listener still sees it; removal works with the original listener.
    emitter.emit('x');
    const outer = ended('outer');
    assert.deepEqual(seen, [outer.spanId]);
    for (const name of ['timer', 'all-1', 'all-2']) assert.equal(ended(name).parentSpanId, outer.spanId, name);
    emitter.removeAllListeners('x');
    assert.equal(emitter.listenerCount('x'), 0);
  });

  it('removes a bound listener by the function the caller gave, once listeners included', () => {
    const emitter = new EventEmitter();
    api.context.bind(api.context.active(), emitter);
    const listener = () => {};
    emitter.on('y', listener);
    assert.equal(emitter.listenerCount('y'), 1);
    emitter.off('y', listener);
    assert.equal(emitter.listenerCount('y'), 0);
    emitter.once('y', listener);
    emitter.removeListener('y', listener);
    assert.equal(emitter.listenerCount('y'), 0);
  });

  it('runs once listeners of a bound emitter in the bound context, once', () => {
    const span = api.trace.getTracer('lib').startSpan('bound');
    const emitter = new EventEmitter();
    api.context.bind(api.trace.setSpan(api.ROOT_CONTEXT, span), emitter);
    const seen: (string | undefined)[] = [];
    emitter.once('z', () => seen.push(api.trace.getActiveSpan()?.spanContext().spanId));
    emitter.emit('z');
    emitter.emit('z');
    assert.deepEqual(seen, [span.spanContext().spanId]);
    span.end();
  });

  it('continues a remote parent made with api.trace.wrapSpanContext, and reports it remote', () => {
    processor.ended.length = 0;
    const remote = api.trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: api.TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new OtelTraceState('rojo=00f067aa0ba902b7'),
    });
    api.trace.getTracer('lib').startSpan('child', {}, api.trace.setSpan(api.ROOT_CONTEXT, remote)).end();
    const child = ended('child');
    assert.equal(child.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(child.parentSpanId, 'b7ad6b7169203331');
    assert.equal(child.parentIsRemote, true);
    assert.equal(child.traceState, 'rojo=00f067aa0ba902b7');
  });

  it("honours @opentelemetry/core's suppressTracing", () => {
    const span = api.trace.getTracer('lib').startSpan('quiet', {}, otelSuppressTracing(api.context.active()));
    assert.equal(span.isRecording(), false);
  });

  it("takes the api's SpanKind and SpanStatusCode values as the same kinds and codes", () => {
    processor.ended.length = 0;
    const tracer = api.trace.getTracer('lib');
    const kinds = [
      api.SpanKind.INTERNAL,
      api.SpanKind.SERVER,
      api.SpanKind.CLIENT,
      api.SpanKind.PRODUCER,
      api.SpanKind.CONSUMER,
    ];
    for (const [i, kind] of kinds.entries()) {
      tracer.startSpan(`k${i}`, { kind }).setStatus({ code: api.SpanStatusCode.ERROR, message: 'm' }).end();
    }
    assert.deepEqual(
      kinds.map((_, i) => ended(`k${i}`).kind),
      [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER],
    );
    assert.deepEqual(ended('k1').status, { code: StatusCode.ERROR, message: 'm' });
  });

  it('gives the scope the schema URL of getTracer, and implements every Span method', () => {
    processor.ended.length = 0;
    const tracer = api.trace
      .getTracerProvider()
      .getTracer('schema-lib', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' });
    const link = {
      context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
    };
    const span = tracer.startSpan('all');
    span
      .setAttribute('a', 1)
      .setAttributes({ b: 'x' })
      .addEvent('e', { c: true })
      .addLink(link)
      .addLinks([{ ...link, attributes: { d: 2 } }])
      .setStatus({ code: api.SpanStatusCode.OK })
      .updateName('renamed');
    span.recordException(new TypeError('bad'));
    assert.equal(span.isRecording(), true);
    span.end();
    assert.equal(span.isRecording(), false);
    const data = ended('renamed');
    assert.equal(data.scope.schemaUrl, 'https://opentelemetry.io/schemas/1.24.0');
    assert.equal(data.scope.version, '2.0.0');
    assert.deepEqual(data.attributes, { a: 1, b: 'x' });
    assert.deepEqual(
      data.events.map((e) => e.name),
      ['e', 'exception'],
    );
    assert.equal(data.events[1]!.attributes['exception.type'], 'TypeError');
    assert.equal(data.links.length, 2);
    assert.equal(data.links[0]!.isRemote, false);
    assert.equal(data.status.code, StatusCode.OK);
  });

  it('injects and extracts through api.propagation, baggage included, as OpenTelemetry JS does', () => {
    const tracer = api.trace.getTracer('lib');
    const span = tracer.startSpan('out');
    let ctx = api.trace.setSpan(api.context.active(), span);
    ctx = api.propagation.setBaggage(
      ctx,
      api.propagation.createBaggage({ user: { value: 'a b', metadata: api.baggageEntryMetadataFromString('p=1') } }),
    );
    const ours: Record<string, string> = {};
    api.propagation.inject(ctx, ours);
    const theirs: Record<string, string> = {};
    new OtelTraceContextPropagator().inject(ctx, theirs, api.defaultTextMapSetter);
    assert.equal(ours['traceparent'], theirs['traceparent']);
    assert.equal(ours['baggage'], 'user=a%20b;p=1');
    const back = api.propagation.extract(api.ROOT_CONTEXT, { ...ours, baggage: 'k=v;prop, bad, x=%E2%9C%93' });
    assert.equal(api.trace.getSpanContext(back)?.spanId, span.spanContext().spanId);
    assert.equal(api.trace.getSpanContext(back)?.isRemote, true);
    const baggage = api.propagation.getBaggage(back)!;
    assert.deepEqual(
      baggage.getAllEntries().map(([k, e]) => [k, e.value, e.metadata?.toString()]),
      [
        ['k', 'v', 'prop'],
        ['x', '✓', undefined],
      ],
    );
    assert.deepEqual(api.propagation.fields(), ['traceparent', 'tracestate', 'baggage']);
    span.end();
  });

  it('lists its own fields', () => {
    assert.deepEqual(new W3CTraceContextPropagator().fields(), ['traceparent', 'tracestate']);
    assert.deepEqual(new W3CBaggagePropagator().fields(), ['baggage']);
  });
});

describe('AsyncLocalStorageContextManager', () => {
  it('while disabled, active() is the root and with() only calls', () => {
    const m = new AsyncLocalStorageContextManager();
    const key = api.createContextKey('k');
    const ctx = api.ROOT_CONTEXT.setValue(key, 1);
    assert.equal(
      m.with(ctx, () => m.active().getValue(key)),
      undefined,
    );
    m.enable();
    assert.equal(
      m.with(ctx, () => m.active().getValue(key)),
      1,
    );
    assert.equal(
      m.with(
        ctx,
        function (this: unknown, a: number) {
          return [this, a];
        },
        'self',
        5,
      )[1],
      5,
    );
    const bound = m.bind(ctx, () => m.active().getValue(key));
    assert.equal(bound(), 1);
    m.disable();
    assert.equal(m.active().getValue(key), undefined);
  });
});
