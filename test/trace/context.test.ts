import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import {
  ROOT_CONTEXT,
  context,
  createContextKey,
  getActiveSpan,
  getSpan,
  isTracingSuppressed,
  setSpan,
  suppressTracing,
  withSpan,
} from '../../lib/trace/context.js';
import type { Span } from '../../lib/trace/span.js';
import { setup, sleep } from './helpers.js';

function tracer() {
  const { provider, processor } = setup();
  return { tracer: provider.getTracer('test'), processor };
}

const idOf = (span: Span | undefined): string | undefined => span?.spanContext().spanId;

describe('context', () => {
  it('is the root context outside any with()', () => {
    assert.equal(context.active(), ROOT_CONTEXT);
    assert.equal(getActiveSpan(), undefined);
  });

  it('keeps values immutable: setValue returns a new context', () => {
    const key = createContextKey('k');
    const a = ROOT_CONTEXT.setValue(key, 1);
    const b = a.setValue(key, 2);
    assert.equal(ROOT_CONTEXT.getValue(key), undefined);
    assert.equal(a.getValue(key), 1);
    assert.equal(b.getValue(key), 2);
    assert.equal(b.deleteValue(key).getValue(key), undefined);
    assert.equal(a.getValue(key), 1);
  });

  it('follows awaits, setTimeout, setImmediate, nextTick and promise chains', async () => {
    const { tracer: t } = tracer();
    const span = t.startSpan('outer');
    const seen: (string | undefined)[] = [];
    await withSpan(span, async () => {
      seen.push(idOf(getActiveSpan()));
      await sleep(1);
      seen.push(idOf(getActiveSpan()));
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.push(idOf(getActiveSpan()));
          resolve();
        }, 1),
      );
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.push(idOf(getActiveSpan()));
          resolve();
        }),
      );
      await new Promise<void>((resolve) =>
        process.nextTick(() => {
          seen.push(idOf(getActiveSpan()));
          resolve();
        }),
      );
      await Promise.resolve()
        .then(() => seen.push(idOf(getActiveSpan())))
        .then(() => sleep(1))
        .then(() => seen.push(idOf(getActiveSpan())));
    });
    assert.deepEqual(seen, new Array(7).fill(span.spanContext().spanId));
    assert.equal(getActiveSpan(), undefined, 'nothing leaks out of withSpan');
  });

  it('keeps concurrent async chains apart', async () => {
    const { tracer: t } = tracer();
    const spans = [t.startSpan('a'), t.startSpan('b'), t.startSpan('c')];
    const results = await Promise.all(
      spans.map((span, i) =>
        withSpan(span, async () => {
          await sleep(3 - i);
          return idOf(getActiveSpan());
        }),
      ),
    );
    assert.deepEqual(
      results,
      spans.map((s) => s.spanContext().spanId),
    );
  });

  it('gives an EventEmitter listener the context active at emit() time, or the bound one', () => {
    const { tracer: t } = tracer();
    const emitter = new EventEmitter();
    const a = t.startSpan('a');
    const b = t.startSpan('b');
    const seen: (string | undefined)[] = [];
    withSpan(a, () => emitter.on('x', () => seen.push(idOf(getActiveSpan()))));
    emitter.on(
      'x',
      context.bind(setSpan(ROOT_CONTEXT, a), () => seen.push(idOf(getActiveSpan()))),
    );
    withSpan(b, () => emitter.emit('x'));
    emitter.emit('x');
    assert.deepEqual(seen, [idOf(b), idOf(a), undefined, idOf(a)]);
  });

  it('nests: children take the active span as parent and the parent is back afterwards', async () => {
    const { tracer: t, processor } = tracer();
    await t.startActiveSpan('root', async (root) => {
      await t.startActiveSpan('child', async (child) => {
        assert.equal(getActiveSpan(), child);
        await sleep(1);
        t.startActiveSpan('grandchild', (grandchild) => grandchild.end());
        child.end();
      });
      assert.equal(getActiveSpan(), root);
      root.end();
    });
    const [grandchild, child, root] = processor.ended;
    assert.equal(root!.name, 'root');
    assert.equal(root!.parentSpanId, '');
    assert.equal(child!.parentSpanId, root!.spanId);
    assert.equal(grandchild!.parentSpanId, child!.spanId);
    assert.equal(new Set(processor.ended.map((s) => s.traceId)).size, 1);
  });

  it('startActiveSpan accepts options and an explicit parent context, and returns fn’s value', () => {
    const { tracer: t, processor } = tracer();
    const parent = t.startSpan('parent');
    const value = t.startActiveSpan('c', { attributes: { a: 1 } }, setSpan(ROOT_CONTEXT, parent), (span) => {
      span.end();
      return 42;
    });
    assert.equal(value, 42);
    assert.equal(processor.ended[0]!.parentSpanId, parent.spanContext().spanId);
    assert.deepEqual(processor.ended[0]!.attributes, { a: 1 });
  });

  it('root: true starts a new trace even with an active span', () => {
    const { tracer: t } = tracer();
    const parent = t.startSpan('p');
    const child = withSpan(parent, () => t.startSpan('c', { root: true }));
    assert.notEqual(child.spanContext().traceId, parent.spanContext().traceId);
  });

  it('context.with passes arguments and this', () => {
    const ctx = setSpan(ROOT_CONTEXT, tracer().tracer.startSpan('s'));
    const self = { k: 3 };
    const out = context.with(
      ctx,
      function (this: { k: number }, x: number) {
        return this.k + x + (getSpan(context.active()) === getSpan(ctx) ? 100 : 0);
      },
      self,
      4,
    );
    assert.equal(out, 107);
  });

  it('suppressTracing makes spans non-recording', () => {
    const { tracer: t, processor } = tracer();
    const ctx = suppressTracing(ROOT_CONTEXT);
    assert.ok(isTracingSuppressed(ctx));
    const span = context.with(ctx, () => t.startSpan('hidden'));
    assert.equal(span.isRecording(), false);
    span.end();
    assert.equal(processor.ended.length, 0);
  });
});
