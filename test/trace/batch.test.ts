import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeText } from '../../lib/exposition/text.js';
import { Registry } from '../../lib/metrics/registry.js';
import {
  BATCH_DEFAULTS,
  BatchConfigError,
  BatchSpanProcessor,
  type BatchSpanProcessorOptions,
  SimpleSpanProcessor,
  resolveBatchConfig,
} from '../../lib/trace/batch.js';
import type { EncodedSpanBatch, ExportResult, SpanData, SpanExporter } from '../../lib/trace/span-data.js';
import { AlwaysOnSampler } from '../../lib/trace/sampler.js';
import { TracerProvider, createResource } from '../../lib/trace/tracer.js';
import { FakeExporter, sleep, until } from './helpers.js';

const resource = createResource({ 'service.name': 'test' });
const scope = { name: 'test', version: '', attributes: {} };
let sequence = 0;

function span(traceFlags = 1): SpanData {
  const id = (++sequence).toString(16).padStart(16, '0');
  return {
    resource,
    scope,
    traceId: id.padStart(32, 'a'),
    spanId: id,
    parentSpanId: '',
    traceState: '',
    traceFlags,
    name: `s${sequence}`,
    kind: 1,
    startTime: [1, 0],
    endTime: [2, 0],
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

function processor(exporter: FakeExporter, options: BatchSpanProcessorOptions = {}): BatchSpanProcessor {
  return new BatchSpanProcessor(exporter, { env: {}, ...options });
}

/** A batch of the encoding test exporter: keeps the spans, and notices use while the exporter holds it. */
class RecordingBatch implements EncodedSpanBatch {
  readonly spans: SpanData[] = [];
  held = false;
  misuse = 0;
  get length(): number {
    return this.spans.length;
  }
  add(span: SpanData): void {
    if (this.held) this.misuse++;
    this.spans.push(span);
  }
  clear(): void {
    if (this.held) this.misuse++;
    this.spans.length = 0;
  }
}

/**
 * `exporter` behind the encoded-batch members: the processor then queues RecordingBatches, each
 * export goes to `exporter.export` with the batch's spans, and every batch made is kept in `made`.
 */
function encoding(exporter: FakeExporter): SpanExporter & { made: RecordingBatch[] } {
  const made: RecordingBatch[] = [];
  return {
    made,
    export: (spans) => exporter.export(spans),
    shutdown: () => exporter.shutdown(),
    createEncodedBatch() {
      const batch = new RecordingBatch();
      made.push(batch);
      return batch;
    },
    exportEncoded(batch) {
      const recording = batch as RecordingBatch;
      recording.held = true;
      const release = () => {
        recording.held = false;
      };
      try {
        const call = exporter.export([...recording.spans]);
        void call.then(release, release);
        return call;
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const SUCCESS: ExportResult = { kind: 'success' };
const never = <T>(): Promise<T> => new Promise<T>(() => {});
const sizes = (exporter: FakeExporter): number[] => exporter.batches.map((b) => b.length);

describe('batch span processor: configuration', () => {
  it('uses OPA’s defaults', () => {
    assert.deepEqual(resolveBatchConfig({}, {}), {
      maxQueueSize: 2048,
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30000,
      maxExportBatchSize: 512,
    });
    assert.deepEqual(BATCH_DEFAULTS, resolveBatchConfig({}, {}));
  });

  it('reads OTEL_BSP_* (empty means unset); options win over the environment', () => {
    const env = {
      OTEL_BSP_MAX_QUEUE_SIZE: ' 100 ',
      OTEL_BSP_SCHEDULE_DELAY: '0',
      OTEL_BSP_EXPORT_TIMEOUT: '1000',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '',
    };
    assert.deepEqual(resolveBatchConfig({}, env), {
      maxQueueSize: 100,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: 1000,
      maxExportBatchSize: 100, // 512 lowered to the queue size
    });
    assert.equal(resolveBatchConfig({ maxQueueSize: 7, maxExportBatchSize: 3 }, env).maxQueueSize, 7);
    assert.equal(resolveBatchConfig({ env }).exportTimeoutMillis, 1000);
  });

  it('refuses invalid values with one error listing every problem', () => {
    const env = {
      OTEL_BSP_MAX_QUEUE_SIZE: 'lots',
      OTEL_BSP_SCHEDULE_DELAY: '-5',
      OTEL_BSP_EXPORT_TIMEOUT: '1.5',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0',
    };
    assert.throws(
      () => resolveBatchConfig({}, env),
      (error: unknown) => {
        assert.ok(error instanceof BatchConfigError);
        assert.equal(error.problems.length, 4);
        assert.match(error.message, /OTEL_BSP_MAX_QUEUE_SIZE="lots"/);
        assert.match(error.message, /OTEL_BSP_SCHEDULE_DELAY="-5"/);
        assert.match(error.message, /OTEL_BSP_EXPORT_TIMEOUT="1.5"/);
        assert.match(error.message, /OTEL_BSP_MAX_EXPORT_BATCH_SIZE="0"/);
        return true;
      },
    );
    assert.throws(() => resolveBatchConfig({}, { OTEL_BSP_SCHEDULE_DELAY: '3000000000' }), /2147483647/);
    assert.throws(() => resolveBatchConfig({ maxQueueSize: 0 }, {}), /maxQueueSize/);
    assert.throws(
      () => new BatchSpanProcessor(new FakeExporter(), { env: { OTEL_BSP_EXPORT_TIMEOUT: 'x' } }),
      BatchConfigError,
    );
  });
});

for (const queued of ['span objects', 'encoded batches'] as const) {
  describe(`batch span processor: exporting (queueing ${queued})`, () => {
    // Every test below runs twice: with an exporter that takes span objects, and behind the
    // encoded-batch members, where the processor queues batches; batches must never change while the
    // exporter holds them.
    const wrapped: ReturnType<typeof encoding>[] = [];
    const processor = (exporter: FakeExporter, options: BatchSpanProcessorOptions = {}): BatchSpanProcessor => {
      if (queued === 'span objects') return new BatchSpanProcessor(exporter, { env: {}, ...options });
      const e = encoding(exporter);
      wrapped.push(e);
      return new BatchSpanProcessor(e, { env: {}, ...options });
    };
    afterEach(() => {
      for (const e of wrapped) {
        assert.equal(
          e.made.reduce((n, b) => n + b.misuse, 0),
          0,
          'a batch changed while the exporter held it',
        );
        // Batches are reused: never more than the queue holds plus the one in flight.
      }
      wrapped.length = 0;
    });
    it('exports at once when a batch is full, not before', async () => {
      const exporter = new FakeExporter();
      const p = processor(exporter, { maxExportBatchSize: 4, scheduledDelayMillis: 60000 });
      for (let i = 0; i < 3; i++) p.onEnd(span());
      assert.equal(exporter.batches.length, 0);
      p.onEnd(span());
      assert.deepEqual(sizes(exporter), [4], 'the export starts inside the onEnd that filled the batch');
      p.onEnd(span());
      p.onEnd(span());
      await sleep(5);
      assert.deepEqual(sizes(exporter), [4]);
      assert.equal(await p.shutdown(), true);
      assert.deepEqual(sizes(exporter), [4, 2]);
      assert.equal(p.stats().exported, 6);
    });

    it('exports a partial batch once the schedule delay passes', async () => {
      const exporter = new FakeExporter();
      const p = processor(exporter, { scheduledDelayMillis: 5 });
      p.onEnd(span());
      p.onEnd(span());
      p.onEnd(span());
      await until(() => exporter.batches.length === 1);
      assert.deepEqual(sizes(exporter), [3]);
      p.onEnd(span());
      await until(() => exporter.batches.length === 2);
      assert.deepEqual(sizes(exporter), [3, 1]);
      await p.shutdown();
    });

    it('keeps spans in order and ignores unsampled ones', async () => {
      const exporter = new FakeExporter();
      const p = processor(exporter, { maxExportBatchSize: 3, scheduledDelayMillis: 60000 });
      const spans = [span(), span(0), span(), span(), span(0), span()];
      for (const s of spans) p.onEnd(s);
      await p.forceFlush();
      assert.deepEqual(
        exporter.batches.flat().map((s) => s.name),
        spans.filter((s) => s.traceFlags === 1).map((s) => s.name),
      );
      await p.shutdown();
    });

    it('never runs two exports at once, whatever triggers them', async () => {
      const exporter = new FakeExporter();
      exporter.respond = () => sleep(2).then(() => SUCCESS);
      const p = processor(exporter, { maxExportBatchSize: 8, maxQueueSize: 100000, scheduledDelayMillis: 1 });
      let sent = 0;
      for (let round = 0; round < 15; round++) {
        for (let i = 0; i < 37; i++, sent++) p.onEnd(span());
        if (round % 3 === 0) void p.forceFlush();
        await sleep(round % 2);
      }
      assert.equal(await p.forceFlush(), true);
      assert.equal(exporter.maxInFlight, 1);
      assert.equal(exporter.spanCount, sent);
      assert.ok(exporter.batches.every((b) => b.length <= 8));
      assert.equal(p.stats().exported, sent);
      await p.shutdown();
    });

    it('drops spans when the queue is full and counts them, on the registry too', async () => {
      const exporter = new FakeExporter();
      const gate = deferred<ExportResult>();
      exporter.respond = () => gate.promise;
      const registry = new Registry();
      const p = processor(exporter, { maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMillis: 60000, registry });
      for (let i = 0; i < 5; i++) p.onEnd(span()); // taken by the first (stuck) export
      for (let i = 0; i < 12; i++) p.onEnd(span()); // 10 fit
      assert.deepEqual(p.stats().dropped.queue_full, 2);
      assert.equal(p.stats().queueSize, 10);
      let text = writeText(registry.collect());
      assert.match(text, /^zerotel_trace_spans_dropped_total\{reason="queue_full"\} 2$/m);
      assert.match(text, /^zerotel_trace_queue_size 10$/m);
      assert.match(text, /^zerotel_trace_queue_capacity 10$/m);
      gate.resolve(SUCCESS);
      assert.equal(await p.forceFlush(), true);
      assert.deepEqual(sizes(exporter), [5, 5, 5]);
      text = writeText(registry.collect());
      assert.match(text, /^zerotel_trace_spans_exported_total 15$/m);
      assert.match(text, /^zerotel_trace_queue_size 0$/m);
      assert.match(text, /^zerotel_trace_export_duration_seconds_count\{result="success"\} 3$/m);
      for (const reason of ['export_failed', 'export_timeout', 'rejected', 'shutdown']) {
        assert.match(text, new RegExp(`^zerotel_trace_spans_dropped_total\\{reason="${reason}"\\} 0$`, 'm'));
      }
      await p.shutdown();
    });

    it('counts failed exports, rejected spans of a partial success, and exporters that throw', async () => {
      const exporter = new FakeExporter();
      const results: (() => Promise<ExportResult>)[] = [
        () => Promise.resolve({ kind: 'failure', error: new Error('refused'), retryable: false }),
        () => Promise.resolve({ kind: 'success', rejectedSpans: 2, message: 'two bad spans' }),
        () => Promise.reject(new Error('broken exporter')),
        () => {
          throw new Error('throws synchronously');
        },
      ];
      exporter.respond = () => results.shift()!();
      const registry = new Registry();
      const p = processor(exporter, { maxExportBatchSize: 3, scheduledDelayMillis: 60000, registry });
      for (let i = 0; i < 12; i++) p.onEnd(span());
      assert.equal(await p.forceFlush(), true);
      const stats = p.stats();
      assert.equal(stats.exports, 4);
      assert.equal(stats.exported, 1);
      assert.equal(stats.dropped.rejected, 2);
      assert.equal(stats.dropped.export_failed, 9);
      const text = writeText(registry.collect());
      assert.match(text, /^zerotel_trace_export_duration_seconds_count\{result="failure"\} 3$/m);
      await p.shutdown();
    });

    it('enforces the export timeout on an exporter that never answers, without calling it again meanwhile', async () => {
      const exporter = new FakeExporter();
      exporter.respond = () => never();
      const registry = new Registry();
      const p = processor(exporter, {
        maxExportBatchSize: 2,
        exportTimeoutMillis: 20,
        scheduledDelayMillis: 60000,
        registry,
      });
      p.onEnd(span());
      p.onEnd(span());
      assert.equal(await p.forceFlush(10000), true, 'the timed-out batch is accounted for');
      assert.equal(p.stats().dropped.export_timeout, 2);
      p.onEnd(span());
      p.onEnd(span());
      assert.equal(await p.forceFlush(30), false, 'the next export waits for the unanswered call');
      assert.equal(exporter.batches.length, 1);
      assert.equal(exporter.maxInFlight, 1);
      assert.match(
        writeText(registry.collect()),
        /^zerotel_trace_export_duration_seconds_count\{result="timeout"\} 1$/m,
      );
      assert.equal(await p.shutdown(30), false);
      assert.equal(p.stats().dropped.shutdown, 2);
      assert.equal(exporter.shutdownCalls, 1);
    });

    it('resumes once a timed-out export finally settles', async () => {
      const exporter = new FakeExporter();
      const gate = deferred<ExportResult>();
      exporter.respond = () => (exporter.batches.length === 1 ? gate.promise : Promise.resolve(SUCCESS));
      const p = processor(exporter, { maxExportBatchSize: 2, exportTimeoutMillis: 10, scheduledDelayMillis: 60000 });
      p.onEnd(span());
      p.onEnd(span());
      await until(() => p.stats().dropped.export_timeout === 2);
      p.onEnd(span());
      p.onEnd(span());
      await sleep(15);
      assert.equal(exporter.batches.length, 1);
      gate.resolve(SUCCESS);
      await until(() => exporter.batches.length === 2);
      assert.equal(await p.forceFlush(), true);
      assert.equal(p.stats().exported, 2);
      assert.equal(exporter.maxInFlight, 1);
      await p.shutdown();
    });

    it('forceFlush is bounded, and true at once when nothing waits', async () => {
      const exporter = new FakeExporter();
      exporter.respond = () => never();
      const p = processor(exporter, { scheduledDelayMillis: 60000 });
      assert.equal(await p.forceFlush(10), true);
      p.onEnd(span());
      assert.equal(await p.forceFlush(20), false);
      await p.shutdown(10);
    });

    it('shutdown is bounded even when the exporter’s shutdown never resolves, and idempotent', async () => {
      const exporter = new FakeExporter();
      exporter.shutdownImpl = () => never();
      const p = processor(exporter, { scheduledDelayMillis: 60000 });
      p.onEnd(span());
      const first = p.shutdown(30);
      assert.equal(p.shutdown(30), first);
      assert.equal(await first, false);
      assert.deepEqual(sizes(exporter), [1], 'queued spans were still exported');
      assert.equal(exporter.shutdownCalls, 1);
    });

    it('after shutdown, new spans are counted as dropped and nothing is exported', async () => {
      const exporter = new FakeExporter();
      const p = processor(exporter);
      assert.equal(await p.shutdown(), true);
      p.onEnd(span());
      assert.equal(p.stats().dropped.shutdown, 1);
      assert.equal(await p.forceFlush(), true);
      assert.equal(exporter.batches.length, 0);
    });

    it('holds the process only while someone awaits, and leaves no timer or listener after shutdown', async () => {
      const previousLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const ours = new Set<number>();
      // Timers the processor creates: their creation stack runs through lib/trace/processors/.
      const here = fileURLToPath(new URL('../../lib/trace/processors/', import.meta.url));
      const hook = createHook({
        init(id, type) {
          if (type === 'Timeout' && new Error().stack?.includes(here)) ours.add(id);
        },
        destroy(id) {
          ours.delete(id);
        },
      }).enable();
      const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const timersBefore = refTimers();
      const listenersBefore = process.listenerCount('beforeExit');
      try {
        const exporter = new FakeExporter();
        const gate = deferred<ExportResult>();
        exporter.respond = () => gate.promise;
        const p = processor(exporter, { scheduledDelayMillis: 60000, maxExportBatchSize: 4 });
        assert.equal(process.listenerCount('beforeExit'), listenersBefore + 1);
        p.onEnd(span());
        p.onEnd(span());
        assert.equal(ours.size, 1, 'the delay timer is armed');
        assert.equal(refTimers(), timersBefore, 'but it does not hold the process');
        const flushing = p.forceFlush();
        assert.equal(refTimers(), timersBefore + 1, 'a forceFlush someone awaits holds the process until its deadline');
        gate.resolve(SUCCESS);
        assert.equal(await flushing, true);
        for (let i = 0; i < 6; i++) p.onEnd(span()); // one full batch exported, two spans on the delay timer
        assert.equal(await p.shutdown(), true);
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        assert.equal(ours.size, 0, 'every timer the processor made was cleared or fired');
        assert.equal(refTimers(), timersBefore);
        assert.equal(process.listenerCount('beforeExit'), listenersBefore);
        assert.deepEqual(sizes(exporter), [2, 4, 2]);
      } finally {
        hook.disable();
        Error.stackTraceLimit = previousLimit;
      }
    });

    it('the delay timer does not keep the process alive, yet queued spans are exported when the process runs dry', () => {
      const dir = mkdtempSync(join(tmpdir(), 'zerotel-bsp-'));
      try {
        const batch = new URL('../../lib/trace/batch.ts', import.meta.url).href;
        const script = join(dir, 'exit.ts');
        writeFileSync(
          script,
          [
            `import { BatchSpanProcessor } from ${JSON.stringify(batch)};`,
            'const exporter = {',
            '  export: async (spans: readonly unknown[]) => { console.log(`exported ${spans.length}`); return { kind: "success" as const }; },',
            '  shutdown: async () => {},',
            '};',
            'const p = new BatchSpanProcessor(exporter, { env: {}, scheduledDelayMillis: 60000 });',
            'p.onEnd({ traceFlags: 1 } as never);',
            'p.onEnd({ traceFlags: 1 } as never);',
            'console.log("end of script");',
          ].join('\n'),
        );
        const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20000 });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.stdout.trim().split('\n'), ['end of script', 'exported 2']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('batch span processor: encoded batches', () => {
  it('reuses its batches, holds none back past a timed-out export, and counts spans that fail to encode', async () => {
    const exporter = new FakeExporter();
    const gate = deferred<ExportResult>();
    exporter.respond = () => (exporter.batches.length === 2 ? gate.promise : Promise.resolve(SUCCESS));
    const e = encoding(exporter);
    const p = new BatchSpanProcessor(e, {
      env: {},
      maxQueueSize: 8,
      maxExportBatchSize: 4,
      exportTimeoutMillis: 20,
      scheduledDelayMillis: 60000,
    });
    for (let i = 0; i < 4; i++) p.onEnd(span()); // exported at once
    for (let i = 0; i < 4; i++) p.onEnd(span()); // held by an export that times out
    await until(() => p.stats().dropped.export_timeout === 4);
    for (let i = 0; i < 8; i++) p.onEnd(span()); // queued behind the unsettled call: the first batch again, and a new one
    assert.equal(exporter.batches.length, 2);
    assert.equal(e.made.length, 3, 'the answered batch was reused; the one still held was not');
    assert.equal(
      e.made.reduce((n, b) => n + b.misuse, 0),
      0,
    );
    gate.resolve(SUCCESS);
    assert.equal(await p.forceFlush(), true);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 6; i++) p.onEnd(span());
      assert.equal(await p.forceFlush(), true);
    }
    assert.equal(exporter.spanCount, p.stats().exported + 4);
    assert.equal(p.stats().exported, 4 + 8 + 30);
    assert.ok(e.made.length <= 4, `${e.made.length} batches made for a queue of two`);
    assert.equal(
      e.made.reduce((n, b) => n + b.misuse, 0),
      0,
    );
    // A span the exporter cannot encode is dropped as export_failed; the others still go out.
    const add = RecordingBatch.prototype.add;
    RecordingBatch.prototype.add = function (this: RecordingBatch, s: SpanData) {
      if (s.name === 'bad') throw new Error('cannot encode');
      add.call(this, s);
    };
    try {
      const before = exporter.spanCount;
      p.onEnd({ ...span(), name: 'bad' });
      p.onEnd(span());
      assert.equal(p.stats().dropped.export_failed, 1);
      assert.equal(p.stats().queueSize, 1);
      assert.equal(await p.forceFlush(), true);
      assert.equal(exporter.spanCount, before + 1);
    } finally {
      RecordingBatch.prototype.add = add;
    }
    assert.equal(await p.shutdown(), true);
  });
});

describe('simple span processor', () => {
  it('exports each sampled span as it ends, one call at a time', async () => {
    const exporter = new FakeExporter();
    exporter.respond = () => sleep(1).then(() => SUCCESS);
    const p = new SimpleSpanProcessor(exporter);
    for (let i = 0; i < 5; i++) p.onEnd(span());
    p.onEnd(span(0));
    assert.equal(await p.forceFlush(), true);
    assert.deepEqual(sizes(exporter), [1, 1, 1, 1, 1]);
    assert.equal(exporter.maxInFlight, 1);
    assert.equal(await p.shutdown(), true);
    p.onEnd(span());
    assert.equal(exporter.batches.length, 5);
    assert.equal(exporter.shutdownCalls, 1);
  });

  it('works end to end behind a tracer provider', async () => {
    const exporter = new FakeExporter();
    const provider = new TracerProvider({
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    provider.getTracer('t').startSpan('one').end();
    assert.equal(await provider.shutdown(), true);
    assert.equal(exporter.batches[0]![0]!.name, 'one');
  });

  it('forceFlush is bounded', async () => {
    const exporter = new FakeExporter();
    exporter.respond = () => never();
    const p = new SimpleSpanProcessor(exporter);
    p.onEnd(span());
    assert.equal(await p.forceFlush(20), false);
  });
});

describe('batch span processor behind a tracer provider', () => {
  it('delivers ended spans on provider shutdown', async () => {
    const exporter = new FakeExporter();
    const provider = new TracerProvider({
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new BatchSpanProcessor(exporter, { env: {} })],
    });
    const tracer = provider.getTracer('t');
    tracer.startActiveSpan('parent', (parent) => {
      tracer.startSpan('child').end();
      parent.end();
    });
    assert.equal(await provider.shutdown(), true);
    assert.deepEqual(
      exporter.batches.flat().map((s) => s.name),
      ['child', 'parent'],
    );
  });
});

describe('batch span processor: observer', () => {
  it('reports exports, drops and export outcomes to an observer, with no registry', async () => {
    const events: string[] = [];
    const exporter = new FakeExporter();
    exporter.respond = (spans) =>
      Promise.resolve(
        spans.length === 2
          ? { kind: 'success', rejectedSpans: 1 }
          : { kind: 'failure', error: new Error('no'), retryable: false },
      );
    const p = processor(exporter, {
      maxQueueSize: 3,
      maxExportBatchSize: 2,
      scheduledDelayMillis: 60000,
      observer: {
        exported: (n) => events.push(`exported ${n}`),
        dropped: (reason, n) => events.push(`dropped ${reason} ${n}`),
        exportEnded: (outcome) => events.push(`ended ${outcome}`),
      },
    });
    p.onEnd(span());
    p.onEnd(span());
    assert.equal(await p.forceFlush(), true);
    p.onEnd(span());
    assert.equal(await p.shutdown(), true);
    p.onEnd(span());
    assert.deepEqual(events, [
      'exported 1',
      'dropped rejected 1',
      'ended success',
      'dropped export_failed 1',
      'ended failure',
      'dropped shutdown 1',
    ]);
  });
});

describe('batch span processor: runtimes without Node globals', () => {
  it('works where there is no process and timers have no unref (workerd, browsers)', async () => {
    const exporter = new FakeExporter();
    const realProcess = globalThis.process;
    const realSetTimeout = globalThis.setTimeout;
    let timers = 0;
    const plainTimers = ((fn: () => void, ms?: number) => {
      const timer = realSetTimeout(fn, ms);
      timers++;
      // As on runtimes whose timers are plain numbers or objects without unref.
      Object.defineProperty(timer, 'unref', { value: undefined });
      return timer;
    }) as typeof setTimeout;
    let p: BatchSpanProcessor;
    (globalThis as { process?: unknown }).process = undefined;
    globalThis.setTimeout = plainTimers;
    try {
      p = new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: 1,
        maxExportBatchSize: 4,
        exportTimeoutMillis: 5000,
      });
      p.onEnd(span());
      p.onEnd(span());
    } finally {
      (globalThis as { process?: unknown }).process = realProcess;
    }
    try {
      await until(() => exporter.batches.length === 1);
      assert.equal(await p.shutdown(), true);
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    assert.deepEqual(
      exporter.batches.map((b) => b.length),
      [2],
    );
    assert.ok(timers >= 2, 'the delay timer and the export timeout went through the stubbed setTimeout');
    assert.equal(p.config.maxQueueSize, BATCH_DEFAULTS.maxQueueSize, 'no process.env: the defaults');
  });
});
