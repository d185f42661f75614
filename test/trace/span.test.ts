import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSpanLimits, sanitizeAttributeValue, truncateString } from '../../lib/trace/attributes.js';
import { ROOT_CONTEXT, context, getSpan } from '../../lib/trace/context.js';
import { AlwaysOffSampler, SamplingDecision, type Sampler } from '../../lib/trace/sampler.js';
import { SpanKind, StatusCode, type HrTime } from '../../lib/trace/span-data.js';
import {
  NonRecordingSpan,
  RecordingSpan,
  type SpanContext,
  TraceFlags,
  isSpanContextValid,
  setSpanContext,
} from '../../lib/trace/span.js';
import { compareHrTime, millisToHrTime, toHrTime } from '../../lib/trace/time.js';
import { TraceState } from '../../lib/trace/trace-state.js';
import { TracerProvider, defaultResource, parseResourceAttributes } from '../../lib/trace/tracer.js';
import { ZEROTEL_VERSION } from '../../lib/version.js';
import { RecordingProcessor, setup } from './helpers.js';

const remote = (flags: number, traceState = TraceState.EMPTY): SpanContext => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: flags,
  traceState,
  isRemote: true,
});

describe('span data', () => {
  it('ends into SpanData with ids, times, kind, scope and resource', () => {
    const { provider, processor } = setup();
    const tracer = provider.getTracer('lib', '1.2.3', { attributes: { 'scope.attr': true } });
    const span = tracer.startSpan('op', { kind: SpanKind.SERVER, startTime: [1700000000, 5] as HrTime });
    assert.ok(span instanceof RecordingSpan);
    span.end([1700000001, 7]);
    const data = processor.ended[0]!;
    assert.equal(data.name, 'op');
    assert.equal(data.kind, SpanKind.SERVER);
    assert.match(data.traceId, /^[0-9a-f]{32}$/);
    assert.match(data.spanId, /^[0-9a-f]{16}$/);
    assert.equal(data.parentSpanId, '');
    assert.equal(data.traceFlags, TraceFlags.SAMPLED);
    assert.deepEqual(data.startTime, [1700000000, 5]);
    assert.deepEqual(data.endTime, [1700000001, 7]);
    assert.deepEqual(data.scope, { name: 'lib', version: '1.2.3', attributes: { 'scope.attr': true } });
    assert.equal(data.resource, provider.resource);
    assert.equal(data.status.code, StatusCode.UNSET);
    assert.equal(processor.started[0], span);
  });

  it('defaults to INTERNAL and to the current time', () => {
    const { provider, processor } = setup();
    const before = toHrTime(Date.now() - 1);
    provider
      .getTracer('t')
      .startSpan('x', { kind: 99 as SpanKind })
      .end();
    const data = processor.ended[0]!;
    assert.equal(data.kind, SpanKind.INTERNAL);
    assert.ok(compareHrTime(data.startTime, before) >= 0);
    assert.ok(compareHrTime(data.endTime, data.startTime) >= 0);
  });

  it('ignores a second end() and every change after end()', () => {
    const { provider, processor } = setup();
    const span = provider.getTracer('t').startSpan('x');
    span.end([2000000000, 0]);
    assert.equal(span.isRecording(), false);
    span.end([2000000005, 0]);
    span.setAttribute('late', 1).addEvent('late').updateName('renamed').setStatus({ code: StatusCode.ERROR });
    assert.equal(processor.ended.length, 1);
    const data = processor.ended[0]!;
    assert.deepEqual(data.endTime, [2000000000, 0]);
    assert.equal(data.name, 'x');
    assert.deepEqual(data.attributes, {});
    assert.equal(data.events.length, 0);
    assert.equal(data.status.code, StatusCode.UNSET);
  });

  it('clamps an end time before the start to the start', () => {
    const { provider, processor } = setup();
    const span = provider.getTracer('t').startSpan('x', { startTime: [100, 500] as HrTime });
    span.end([100, 400]);
    assert.deepEqual(processor.ended[0]!.endTime, [100, 500]);
  });

  it('accepts times as HrTime, epoch milliseconds and Date', () => {
    // Epoch milliseconds after the process started (2100 here); smaller numbers are performance.now() times.
    assert.deepEqual(toHrTime(4102444800123.5), [4102444800, 123500000]);
    assert.deepEqual(toHrTime(new Date(1500)), [1, 500000000]);
    assert.deepEqual(toHrTime([3, 4] as HrTime), [3, 4]);
    assert.equal(millisToHrTime(-1), undefined);
    assert.equal(millisToHrTime(NaN), undefined);
    // Malformed input becomes "now" rather than an exception.
    assert.ok(toHrTime([1, 2e9] as unknown as HrTime)[0] > 1e9);
  });

  it('reads a number below performance.timeOrigin as performance.now() time, as OpenTelemetry JS does', async () => {
    const { hrTimeToMilliseconds, timeInputToHrTime } = await import('@opentelemetry/core');
    const p = performance.now();
    const ours = toHrTime(p);
    const theirs = timeInputToHrTime(p);
    assert.ok(Math.abs(hrTimeToMilliseconds([...ours]) - hrTimeToMilliseconds(theirs)) < 0.001);
    // Dated today, not 1970.
    assert.ok(Math.abs(ours[0] * 1000 - Date.now()) < 60_000);
    const { provider, processor } = setup();
    provider.getTracer('t').startSpan('x', { startTime: performance.now() }).end(performance.now());
    const data = processor.ended[0]!;
    assert.ok(Math.abs(data.startTime[0] * 1000 - Date.now()) < 60_000);
    assert.ok(compareHrTime(data.endTime, data.startTime) >= 0);
  });

  it('applies the status rules: UNSET ignored, OK final, message only for ERROR', () => {
    const { provider, processor } = setup();
    const t = provider.getTracer('t');
    const a = t.startSpan('a');
    a.setStatus({ code: StatusCode.ERROR, message: 'boom' }).setStatus({ code: StatusCode.UNSET });
    a.end();
    const b = t.startSpan('b');
    b.setStatus({ code: StatusCode.OK, message: 'ignored' }).setStatus({ code: StatusCode.ERROR, message: 'x' });
    b.end();
    const c = t.startSpan('c');
    c.setStatus({ code: StatusCode.ERROR, message: 'first' }).setStatus({ code: StatusCode.ERROR, message: 'second' });
    c.setStatus({ code: StatusCode.OK });
    c.end();
    assert.deepEqual(
      processor.ended.map((s) => s.status),
      [
        { code: StatusCode.ERROR, message: 'boom' },
        { code: StatusCode.OK, message: '' },
        { code: StatusCode.OK, message: '' },
      ],
    );
  });

  it('updateName renames before end', () => {
    const { provider, processor } = setup();
    provider.getTracer('t').startSpan('GET').updateName('GET /users/:id').end();
    assert.equal(processor.ended[0]!.name, 'GET /users/:id');
  });

  it('recordException adds an exception event as OpenTelemetry does', () => {
    const { provider, processor } = setup();
    const span = provider.getTracer('t').startSpan('x');
    const error = new TypeError('bad input');
    span.recordException(error, [5, 6] as HrTime, { extra: 'yes' });
    const sysError = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    span.recordException(sysError);
    span.recordException('plain message');
    span.end();
    const [first, second, third] = processor.ended[0]!.events;
    assert.equal(first!.name, 'exception');
    assert.deepEqual(first!.time, [5, 6]);
    assert.equal(first!.attributes['exception.type'], 'TypeError');
    assert.equal(first!.attributes['exception.message'], 'bad input');
    assert.equal(first!.attributes['exception.stacktrace'], error.stack);
    assert.equal(first!.attributes['extra'], 'yes');
    assert.equal(second!.attributes['exception.type'], 'ECONNREFUSED');
    assert.deepEqual(third!.attributes, { 'exception.message': 'plain message' });
    assert.equal(processor.ended[0]!.status.code, StatusCode.UNSET, 'recording an exception does not set the status');
  });

  it('addEvent takes attributes and/or a time', () => {
    const { provider, processor } = setup();
    const span = provider.getTracer('t').startSpan('x');
    span.addEvent('a', { k: 'v' }, [1, 2] as HrTime);
    span.addEvent('b', [3, 4] as HrTime);
    span.addEvent('c', 4102444805000);
    span.end();
    const events = processor.ended[0]!.events;
    assert.deepEqual(
      events.map((e) => [e.name, e.time, e.attributes]),
      [
        ['a', [1, 2], { k: 'v' }],
        ['b', [3, 4], {}],
        ['c', [4102444805, 0], {}],
      ],
    );
  });
});

describe('attribute validation', () => {
  const keep = (value: unknown) => sanitizeAttributeValue(value, Infinity);

  it('keeps primitives, int64 bigints, bytes, homogeneous arrays and plain objects', () => {
    assert.equal(keep('s'), 's');
    assert.equal(keep(false), false);
    assert.equal(keep(1.5), 1.5);
    assert.ok(Number.isNaN(keep(NaN) as number));
    assert.equal(keep(-(1n << 63n)), -(1n << 63n));
    assert.deepEqual(keep(new Uint8Array([1, 2])), new Uint8Array([1, 2]));
    assert.deepEqual(keep([]), []);
    assert.deepEqual(keep(['a', 'b']), ['a', 'b']);
    assert.deepEqual(keep([[1], [2, 3]]), [[1], [2, 3]]);
    assert.deepEqual(keep({ a: 1, b: ['x'], c: { d: true } }), { a: 1, b: ['x'], c: { d: true } });
  });

  it('drops undefined, null, functions, symbols, class instances, out-of-range bigints and mixed arrays', () => {
    for (const bad of [
      undefined,
      null,
      () => 1,
      Symbol('s'),
      new Date(),
      new Map(),
      1n << 63n,
      [1, 'a'],
      [1, 1n],
      [null, 1, 'a'],
      { a: undefined },
      { '': 1 },
    ]) {
      assert.equal(keep(bad), undefined, `expected ${String(bad)} to be dropped`);
    }
  });

  it('keeps null and undefined array elements, as null, as the attribute rules say', () => {
    assert.deepEqual(keep(['a', null]), ['a', null]);
    assert.deepEqual(keep([undefined]), [null]);
    assert.deepEqual(keep([null, 1, undefined, 2]), [null, 1, null, 2]);
    const { provider, processor } = setup();
    provider
      .getTracer('t')
      .startSpan('x', { attributes: { list: ['a', null, 'b'] as unknown as string[] } })
      .end();
    assert.deepEqual(processor.ended[0]!.attributes, { list: ['a', null, 'b'] });
  });

  it('refuses cycles and very deep nesting instead of recursing forever', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.equal(keep(cyclic), undefined);
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    assert.equal(keep(deep), undefined);
  });

  it('copies arrays so later changes by the caller do not reach the span', () => {
    const { provider, processor } = setup();
    const list = ['a'];
    provider.getTracer('t').startSpan('x').setAttribute('list', list).end();
    list.push('b');
    assert.deepEqual(processor.ended[0]!.attributes['list'], ['a']);
  });

  it('ignores invalid attributes without counting them as dropped', () => {
    const { provider, processor } = setup();
    const span = provider.getTracer('t').startSpan('x');
    span.setAttribute('ok', 1);
    span.setAttribute('nope', undefined as never);
    span.setAttribute('', 'empty key');
    span.setAttributes({ fn: (() => 1) as never, good: 'yes' });
    span.end();
    assert.deepEqual(processor.ended[0]!.attributes, { ok: 1, good: 'yes' });
    assert.equal(processor.ended[0]!.droppedAttributesCount, 0);
  });

  it('stores a __proto__ key as data, not as a prototype', () => {
    const { provider, processor } = setup();
    provider.getTracer('t').startSpan('x').setAttribute('__proto__', 'p').end();
    const attributes = processor.ended[0]!.attributes;
    assert.deepEqual(Object.keys(attributes), ['__proto__']);
    assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
  });

  it('truncates strings by code point without splitting surrogate pairs', () => {
    assert.equal(truncateString('abcdef', 3), 'abc');
    assert.equal(truncateString('ab', 3), 'ab');
    assert.equal(truncateString('😀😀😀', 2), '😀😀');
    assert.equal(truncateString('a😀b', 2), 'a😀');
  });
});

describe('span limits', () => {
  it('defaults to 128 of everything and no value length limit', () => {
    assert.deepEqual(resolveSpanLimits(), {
      attributeCountLimit: 128,
      attributeValueLengthLimit: Infinity,
      eventCountLimit: 128,
      linkCountLimit: 128,
      attributePerEventCountLimit: 128,
      attributePerLinkCountLimit: 128,
    });
    assert.throws(() => resolveSpanLimits({ eventCountLimit: -1 }), /eventCountLimit/);
    assert.throws(() => resolveSpanLimits({ linkCountLimit: 1.5 }), /linkCountLimit/);
  });

  it('drops attributes past the limit, counts them, and still updates existing keys', () => {
    const { provider, processor } = setup();
    const span = provider.getTracer('t').startSpan('x');
    for (let i = 0; i < 130; i++) span.setAttribute(`k${i}`, i);
    span.setAttribute('k0', 'updated');
    span.setAttribute('k129', 'still dropped');
    span.end();
    const data = processor.ended[0]!;
    assert.equal(Object.keys(data.attributes).length, 128);
    assert.equal(data.attributes['k0'], 'updated');
    assert.equal(data.attributes['k127'], 127);
    assert.equal(data.attributes['k128'], undefined);
    assert.equal(data.droppedAttributesCount, 3);
  });

  it('evicts the oldest events past the limit and counts them', () => {
    const { provider, processor } = setup();
    const span = provider.getTracer('t').startSpan('x');
    for (let i = 0; i < 131; i++) span.addEvent(`e${i}`);
    span.end();
    const data = processor.ended[0]!;
    assert.equal(data.events.length, 128);
    assert.equal(data.events[0]!.name, 'e3');
    assert.equal(data.events[127]!.name, 'e130');
    assert.equal(data.droppedEventsCount, 3);
  });

  it('limits links, and attributes per event and per link', () => {
    const { provider, processor } = setup({
      spanLimits: { linkCountLimit: 2, attributePerEventCountLimit: 1, attributePerLinkCountLimit: 2 },
    });
    const other = remote(1);
    const span = provider.getTracer('t').startSpan('x', {
      links: [
        { context: other, attributes: { a: 1, b: 2, c: 3 } },
        { context: { ...other, spanId: '00f067aa0ba902b7' } },
      ],
    });
    span.addLink({ context: { ...other, spanId: '1111111111111111' } });
    span.addEvent('e', { a: 1, b: 2 });
    span.end();
    const data = processor.ended[0]!;
    assert.deepEqual(
      data.links.map((l) => l.spanId),
      ['00f067aa0ba902b7', '1111111111111111'],
    );
    assert.equal(data.droppedLinksCount, 1);
    assert.deepEqual(data.events[0]!.attributes, { a: 1 });
    assert.equal(data.events[0]!.droppedAttributesCount, 1);
  });

  it('counts attributes per link as dropped', () => {
    const { provider, processor } = setup({ spanLimits: { attributePerLinkCountLimit: 2 } });
    provider
      .getTracer('t')
      .startSpan('x', { links: [{ context: remote(1, TraceState.parse('a=1')!), attributes: { a: 1, b: 2, c: 3 } }] })
      .end();
    const link = processor.ended[0]!.links[0]!;
    assert.deepEqual(link.attributes, { a: 1, b: 2 });
    assert.equal(link.droppedAttributesCount, 1);
    assert.equal(link.traceState, 'a=1');
    assert.equal(link.traceFlags, 1);
  });

  it('keeps links to all-zero contexts only when they carry attributes or tracestate; drops malformed ids', () => {
    const { provider, processor } = setup();
    const zero: SpanContext = { ...remote(0), traceId: '0'.repeat(32), spanId: '0'.repeat(16) };
    const span = provider.getTracer('t').startSpan('x');
    span.addLink({ context: zero });
    span.addLink({ context: zero, attributes: { why: 'kept' } });
    span.addLink({ context: { ...remote(0), traceId: 'ABC' } });
    span.end();
    assert.equal(processor.ended[0]!.links.length, 1);
    assert.equal(processor.ended[0]!.droppedLinksCount, 0);
  });

  it('truncates string values, also inside arrays and events, to the length limit', () => {
    const { provider, processor } = setup({ spanLimits: { attributeValueLengthLimit: 4 } });
    const span = provider.getTracer('t').startSpan('x', { attributes: { s: 'abcdefgh', n: 123456789 } });
    span.setAttribute('list', ['abcdef', 'xy']);
    span.addEvent('e', { s: 'longer' });
    span.end();
    const data = processor.ended[0]!;
    assert.deepEqual(data.attributes, { s: 'abcd', n: 123456789, list: ['abcd', 'xy'] });
    assert.equal(data.events[0]!.attributes['s'], 'long');
  });

  it('zero limits drop everything and count it', () => {
    const { provider, processor } = setup({
      spanLimits: { attributeCountLimit: 0, eventCountLimit: 0, linkCountLimit: 0 },
    });
    const span = provider.getTracer('t').startSpan('x', { links: [{ context: remote(1) }] });
    span.setAttribute('a', 1).addEvent('e');
    span.end();
    const data = processor.ended[0]!;
    assert.deepEqual([data.droppedAttributesCount, data.droppedEventsCount, data.droppedLinksCount], [1, 1, 1]);
  });
});

describe('sampling in the tracer', () => {
  it('unsampled spans are cheap non-recording spans that still carry a context', () => {
    const { provider, processor } = setup({ sampler: new AlwaysOffSampler() });
    const span = provider.getTracer('t').startSpan('x');
    assert.ok(span instanceof NonRecordingSpan);
    assert.equal(span.isRecording(), false);
    assert.equal(span.spanContext().traceFlags, TraceFlags.NONE);
    assert.match(span.spanContext().spanId, /^[0-9a-f]{16}$/);
    span.setAttribute('a', 1).end();
    assert.equal(processor.started.length, 0);
    assert.equal(processor.ended.length, 0);
  });

  it('children of a remote parent keep its trace id and tracestate and point to it', () => {
    const { provider, processor } = setup();
    const parent = setSpanContext(ROOT_CONTEXT, remote(1, TraceState.parse('rojo=00f067aa0ba902b7')!));
    provider.getTracer('t').startSpan('child', {}, parent).end();
    const data = processor.ended[0]!;
    assert.equal(data.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(data.parentSpanId, 'b7ad6b7169203331');
    assert.equal(data.traceState, 'rojo=00f067aa0ba902b7');
  });

  it('passes the parent, trace id, name, kind, attributes and links to the sampler, and uses its result', () => {
    const calls: unknown[][] = [];
    const sampler: Sampler = {
      shouldSample(...args) {
        calls.push(args);
        return {
          decision: SamplingDecision.RECORD,
          attributes: { 'sampler.said': 'record' },
          traceState: TraceState.parse('mine=1')!,
        };
      },
      toString: () => 'Spy',
    };
    const { provider, processor } = setup({ sampler });
    const parentContext = setSpanContext(ROOT_CONTEXT, remote(1));
    const span = provider.getTracer('t').startSpan('x', { kind: SpanKind.CLIENT, attributes: { a: 1 } }, parentContext);
    // RECORD: recording, but not sampled.
    assert.equal(span.isRecording(), true);
    span.end();
    const [parent, traceId, name, kind, attributes] = calls[0]!;
    assert.equal((parent as SpanContext).spanId, 'b7ad6b7169203331');
    assert.equal(traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.deepEqual([name, kind, attributes], ['x', SpanKind.CLIENT, { a: 1 }]);
    const data = processor.ended[0]!;
    assert.equal(data.traceFlags, TraceFlags.NONE);
    assert.equal(data.traceState, 'mine=1');
    assert.deepEqual(data.attributes, { a: 1, 'sampler.said': 'record' });
  });
});

describe('tracer provider', () => {
  it('returns the same tracer for the same name and version', () => {
    const { provider } = setup();
    assert.equal(provider.getTracer('a', '1'), provider.getTracer('a', '1'));
    assert.notEqual(provider.getTracer('a', '1'), provider.getTracer('a', '2'));
  });

  it('makes only non-recording spans after shutdown and shuts processors down once', async () => {
    let shutdowns = 0;
    const processor = new RecordingProcessor();
    processor.shutdown = () => {
      shutdowns++;
      return Promise.resolve(true);
    };
    const provider = new TracerProvider({ spanProcessors: [processor] });
    assert.equal(await provider.shutdown(), true);
    assert.equal(await provider.shutdown(), true);
    assert.equal(shutdowns, 1);
    assert.equal(provider.getTracer('t').startSpan('x').isRecording(), false);
  });

  it('fans out to several processors', async () => {
    const a = new RecordingProcessor();
    const b = new RecordingProcessor();
    const provider = new TracerProvider({ spanProcessors: [a, b] });
    provider.getTracer('t').startSpan('x', { root: true }).end();
    assert.equal(a.ended.length, 1);
    assert.equal(b.ended.length, 1);
    assert.equal(await provider.forceFlush(), true);
  });

  it('builds the default resource from the environment, code attributes winning', () => {
    const warnings: string[] = [];
    const resource = defaultResource({
      env: {
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs, deployment.environment=prod%20eu ,team=x',
        OTEL_SERVICE_NAME: 'svc',
      },
      attributes: { team: 'code' },
      warn: (m) => warnings.push(m),
      detectors: [],
    });
    assert.deepEqual(resource.attributes, {
      'service.name': 'svc',
      'telemetry.sdk.name': 'zerotel',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': ZEROTEL_VERSION,
      'deployment.environment': 'prod eu',
      team: 'code',
    });
    assert.deepEqual(warnings, []);
    assert.equal(defaultResource({ env: {} }).attributes['service.name'], 'unknown_service:node');
  });

  it('discards the whole OTEL_RESOURCE_ATTRIBUTES value on an error, with a warning', () => {
    const warnings: string[] = [];
    assert.deepEqual(
      parseResourceAttributes('a=1,b', (m) => warnings.push(m)),
      {},
    );
    assert.deepEqual(
      parseResourceAttributes('a=%E0%A4%A', (m) => warnings.push(m)),
      {},
    );
    assert.equal(warnings.length, 2);
  });

  it('getSpan finds the span startActiveSpan made active', () => {
    const { provider } = setup();
    provider.getTracer('t').startActiveSpan('x', (span) => {
      assert.equal(getSpan(context.active()), span);
      span.end();
    });
  });
});

describe('isSpanContextValid', () => {
  it('answers again for the same context, and checks it afresh when its ids changed', () => {
    const ctx = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      traceState: TraceState.EMPTY,
      isRemote: true,
    };
    assert.equal(isSpanContextValid(ctx), true);
    assert.equal(isSpanContextValid(ctx), true);
    ctx.spanId = '0000000000000000';
    assert.equal(isSpanContextValid(ctx), false);
    ctx.spanId = 'b7ad6b7169203331';
    ctx.traceId = '0AF7651916CD43DD8448EB211C80319C';
    assert.equal(isSpanContextValid(ctx), false);
    ctx.traceId = '0af7651916cd43dd8448eb211c80319c';
    assert.equal(isSpanContextValid(ctx), true);
    assert.equal(isSpanContextValid({ ...ctx, traceId: 'not hex' }), false);
    // The same verdicts as the id checks, character by character.
    for (const [traceId, spanId, expected] of [
      ['0af7651916cd43dd8448eb211c80319c', '0000000000000001', true],
      ['00000000000000000000000000000000', 'b7ad6b7169203331', false],
      ['0af7651916cd43dd8448eb211c80319', 'b7ad6b7169203331', false],
      ['0af7651916cd43dd8448eb211c80319cc', 'b7ad6b7169203331', false],
      ['0af7651916cd43dd8448eb211c80319g', 'b7ad6b7169203331', false],
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b716920333/', false],
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b716920333:', false],
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b716920333`', false],
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331\n', false],
    ] as const) {
      assert.equal(isSpanContextValid({ ...ctx, traceId, spanId }), expected, `${traceId} ${spanId}`);
    }
  });
});
