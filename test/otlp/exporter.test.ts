/**
 * The OTLP/gRPC exporter end to end against a real grpc-js server that decodes requests with
 * @grpc/proto-loader from our proto/ files.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { Registry } from '../../lib/metrics/registry.js';
import { OtlpConfigError } from '../../lib/otlp/config.js';
import { OtlpExportError, OtlpGrpcTraceExporter, type OtlpGrpcTraceExporterOptions } from '../../lib/otlp/exporter.js';
import { GrpcCode } from '../../lib/otlp/grpc-transport.js';
import { type Clock, systemClock } from '../../lib/otlp/retry.js';
import type { ExportResult } from '../../lib/trace/span-data.js';
import { type GrpcPeer, makeSpans, type ReceivedCall, type Reply, spanNames, startGrpcPeer } from './grpc-helpers.js';

/** Retries in milliseconds rather than seconds, so tests stay quick. */
const FAST_RETRY = { initialIntervalMs: 10, maxIntervalMs: 40 };

/** The value of a counter series (or the count of a histogram series) in the registry; 0 when absent. */
function metric(registry: Registry, name: string, labels = ''): number {
  const family = registry.collect().find((f) => f.name === name);
  const series = family?.series.find((s) => s.labels.text === labels);
  if (series === undefined) return 0;
  return family!.type === 'histogram' ? series.count : series.value;
}

/** A logger that keeps what it is told. */
function recordingLogger(): { warn(m: string): void; messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (m) => messages.push(m) };
}

/** The real clock, recording every backoff sleep. */
function recordingClock(onSleep?: (ms: number) => Promise<void>): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: systemClock.now,
    async sleep(ms, signal) {
      sleeps.push(ms);
      await onSleep?.(ms);
      await systemClock.sleep(ms, signal);
    },
  };
}

async function withExporter(
  peerReply: ((call: ReceivedCall, index: number) => Reply) | undefined,
  options: Omit<OtlpGrpcTraceExporterOptions, 'endpoint'>,
  body: (exporter: OtlpGrpcTraceExporter, peer: GrpcPeer) => Promise<void>,
): Promise<void> {
  const peer = await startGrpcPeer(peerReply === undefined ? {} : { reply: peerReply });
  const exporter = new OtlpGrpcTraceExporter({ env: {}, ...options, endpoint: peer.endpoint });
  try {
    await body(exporter, peer);
  } finally {
    await exporter.shutdown();
    await peer.stop();
  }
}

function assertFailed(result: ExportResult, code: number, reason: string): OtlpExportError {
  assert.equal(result.kind, 'failure', JSON.stringify(result));
  if (result.kind !== 'failure') throw new Error('unreachable');
  assert.equal(result.retryable, false);
  assert.ok(result.error instanceof OtlpExportError);
  assert.equal(result.error.code, code, result.error.message);
  assert.equal(result.error.reason, reason);
  return result.error;
}

describe('OtlpGrpcTraceExporter', () => {
  it('delivers every span, decoded equal by proto-loader, with gzip on and off, with metadata', async () => {
    for (const compression of ['none', 'gzip'] as const) {
      const registry = new Registry();
      const spans = makeSpans(300, compression);
      await withExporter(
        undefined,
        {
          compression,
          registry,
          headers: { 'x-tenant': 'acme' },
          env: { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20secret' },
        },
        async (exporter, peer) => {
          assert.deepEqual(await exporter.export(spans), { kind: 'success' });
          assert.equal(peer.calls.length, 1);
          const call = peer.calls[0]!;
          assert.equal(call.metadata['x-tenant'], 'acme');
          assert.equal(call.metadata['authorization'], 'Bearer secret');
          const request = call.request!;
          assert.deepEqual(
            spanNames(request),
            spans.map((s) => s.name),
          );
          const decoded = request.resourceSpans[0].scopeSpans[0].spans as {
            traceId: Buffer;
            spanId: Buffer;
            startTimeUnixNano: string;
          }[];
          decoded.forEach((d, i) => {
            assert.equal(d.traceId.toString('hex'), spans[i]!.traceId);
            assert.equal(d.spanId.toString('hex'), spans[i]!.spanId);
            assert.equal(
              d.startTimeUnixNano,
              `${spans[i]!.startTime[0]}${String(spans[i]!.startTime[1]).padStart(9, '0')}`,
            );
          });
          assert.equal(request.resourceSpans[0].resource.attributes[0].value.stringValue, 'zerotel-test');
          assert.equal(metric(registry, 'zerotel_otlp_exported_spans_total'), 300);
          assert.equal(metric(registry, 'zerotel_otlp_export_duration_seconds', 'result="success"'), 1);
          // An empty batch is a success that sends nothing.
          assert.deepEqual(await exporter.export([]), { kind: 'success' });
          assert.equal(peer.calls.length, 1);
        },
      );
    }
  });

  it('each export sends its own spans while the request buffer is reused: in turn, after a failure, and two at once', async () => {
    const batches = [
      makeSpans(200, 'a'),
      makeSpans(40, 'b'),
      makeSpans(120, 'c'),
      makeSpans(300, 'd'),
      makeSpans(10, 'e'),
    ];
    await withExporter(
      (_call, i) => (i === 1 ? { code: GrpcCode.INVALID_ARGUMENT, details: 'refused' } : { ok: {} }),
      { logger: recordingLogger() },
      async (exporter, peer) => {
        assert.equal((await exporter.export(batches[0]!)).kind, 'success');
        assert.equal((await exporter.export(batches[1]!)).kind, 'failure');
        assert.equal((await exporter.export(batches[2]!)).kind, 'success');
        const [d, e] = await Promise.all([exporter.export(batches[3]!), exporter.export(batches[4]!)]);
        assert.equal(d.kind, 'success');
        assert.equal(e.kind, 'success');
        assert.equal(peer.calls.length, 5);
        const sent = peer.calls.map((call) => spanNames(call.request));
        const expected = batches.map((spans) => spans.map((s) => s.name));
        assert.deepEqual(sent.slice(0, 3), expected.slice(0, 3));
        // The two at once may arrive in either order.
        assert.deepEqual(
          sent.slice(3).sort((x, y) => x.length - y.length),
          expected.slice(3).sort((x, y) => x.length - y.length),
        );
      },
    );
  });

  it('exports batches encoded as spans end exactly as their spans, and refuses batches it did not make', async () => {
    const registry = new Registry();
    await withExporter(undefined, { registry, logger: recordingLogger() }, async (exporter, peer) => {
      const spans = makeSpans(150, 'encoded');
      const batch = exporter.createEncodedBatch();
      for (const span of spans) batch.add(span);
      assert.deepEqual(await exporter.exportEncoded(batch), { kind: 'success' });
      assert.equal(await exporter.export(spans).then((r) => r.kind), 'success');
      assert.equal(peer.calls.length, 2);
      assert.ok(peer.calls[0]!.body.equals(peer.calls[1]!.body), 'the same request bytes either way');
      assert.deepEqual(
        spanNames(peer.calls[0]!.request),
        spans.map((s) => s.name),
      );
      const foreign = { length: 3, add() {}, clear() {} };
      const refused = await exporter.exportEncoded(foreign);
      assert.equal(refused.kind, 'failure');
      assert.equal(metric(registry, 'zerotel_otlp_failed_spans_total', 'reason="encode_error"'), 3);
      assert.equal(peer.calls.length, 2);
      batch.clear();
      assert.deepEqual(await exporter.exportEncoded(batch), { kind: 'success' }, 'an empty batch sends nothing');
      assert.equal(peer.calls.length, 2);
    });
  });

  it('retries UNAVAILABLE and then delivers everything, losing nothing', async () => {
    const registry = new Registry();
    const logger = recordingLogger();
    const spans = makeSpans(50, 'retried');
    await withExporter(
      (_call, i) => (i < 2 ? { code: GrpcCode.UNAVAILABLE, details: 'collector restarting' } : { ok: {} }),
      { registry, logger, retry: FAST_RETRY },
      async (exporter, peer) => {
        assert.deepEqual(await exporter.export(spans), { kind: 'success' });
        assert.equal(peer.calls.length, 3);
        for (const call of peer.calls)
          assert.ok(call.body.equals(peer.calls[0]!.body), 'every attempt sends the same bytes');
        assert.deepEqual(
          spanNames(peer.calls[2]!.request),
          spans.map((s) => s.name),
        );
        assert.equal(metric(registry, 'zerotel_otlp_retries_total', 'code="UNAVAILABLE"'), 2);
        assert.equal(metric(registry, 'zerotel_otlp_exported_spans_total'), 50);
        assert.equal(
          registry.collect().find((f) => f.name === 'zerotel_otlp_failed_spans_total')?.series.length ?? 0,
          0,
        );
        assert.deepEqual(logger.messages, [], 'a failure that was retried away is not worth a warning');
      },
    );
  });

  it('honours the RetryInfo delay of RESOURCE_EXHAUSTED', async () => {
    const delayMs = 250;
    const status = statusWithRetryInfo(delayMs);
    const clock = recordingClock();
    await withExporter(
      (_call, i) =>
        i === 0
          ? {
              code: GrpcCode.RESOURCE_EXHAUSTED,
              details: 'rate limited',
              metadata: { 'grpc-status-details-bin': status },
            }
          : { ok: {} },
      { clock, retry: FAST_RETRY },
      async (exporter, peer) => {
        assert.deepEqual(await exporter.export(makeSpans(5)), { kind: 'success' });
        assert.equal(peer.calls.length, 2);
        assert.equal(clock.sleeps.length, 1);
        assert.ok(clock.sleeps[0]! >= delayMs, `slept ${clock.sleeps[0]} ms`);
        // Timer granularity aside, the server saw the retry no sooner than it asked.
        const gap = peer.calls[1]!.at - peer.calls[0]!.at;
        assert.ok(gap >= delayMs - 1, `second call ${gap} ms after the first`);
      },
    );
  });

  it('drops RESOURCE_EXHAUSTED without RetryInfo, and INVALID_ARGUMENT, without retrying; counts them', async () => {
    const registry = new Registry();
    const logger = recordingLogger();
    const replies: Reply[] = [
      { code: GrpcCode.INVALID_ARGUMENT, details: 'span name too long' },
      { code: GrpcCode.RESOURCE_EXHAUSTED, details: 'over quota' },
    ];
    await withExporter(
      (_c, i) => replies[i]!,
      { registry, logger, retry: FAST_RETRY },
      async (exporter, peer) => {
        const invalid = assertFailed(
          await exporter.export(makeSpans(7)),
          GrpcCode.INVALID_ARGUMENT,
          'invalid_argument',
        );
        assert.match(
          invalid.message,
          /7 spans .*failed after 1 attempt: INVALID_ARGUMENT: span name too long \(not retryable\)/,
        );
        assertFailed(await exporter.export(makeSpans(3)), GrpcCode.RESOURCE_EXHAUSTED, 'resource_exhausted');
        assert.equal(peer.calls.length, 2, 'one call each: nothing retried');
        assert.equal(metric(registry, 'zerotel_otlp_failed_spans_total', 'reason="invalid_argument"'), 7);
        assert.equal(metric(registry, 'zerotel_otlp_failed_spans_total', 'reason="resource_exhausted"'), 3);
        assert.equal(metric(registry, 'zerotel_otlp_export_duration_seconds', 'result="failure"'), 2);
        assert.equal(metric(registry, 'zerotel_otlp_exported_spans_total'), 0);
        assert.equal(logger.messages.length, 2);
        assert.match(logger.messages[0]!, /^zerotel: OTLP export of 7 spans to http:\/\/127\.0\.0\.1:\d+ failed/);
      },
    );
  });

  it('reports a partial success: logged and counted, never retried', async () => {
    const registry = new Registry();
    const logger = recordingLogger();
    await withExporter(
      () => ({ ok: { partialSuccess: { rejectedSpans: 2, errorMessage: 'spans without names' } } }),
      { registry, logger, retry: FAST_RETRY },
      async (exporter, peer) => {
        const result = await exporter.export(makeSpans(10));
        assert.deepEqual(result, { kind: 'success', rejectedSpans: 2, message: 'spans without names' });
        assert.equal(peer.calls.length, 1);
        assert.equal(metric(registry, 'zerotel_otlp_exported_spans_total'), 8);
        assert.equal(metric(registry, 'zerotel_otlp_rejected_spans_total'), 2);
        assert.deepEqual(logger.messages, ['zerotel: OTLP collector rejected 2 of 10 spans: spans without names']);
      },
    );
  });

  it('gives up with DEADLINE_EXCEEDED on a server that never answers, within the export timeout', async () => {
    const registry = new Registry();
    await withExporter(
      () => 'hang',
      { registry, timeoutMs: 300, retry: FAST_RETRY },
      async (exporter, peer) => {
        const error = assertFailed(
          await exporter.export(makeSpans(4)),
          GrpcCode.DEADLINE_EXCEEDED,
          'deadline_exceeded',
        );
        assert.match(error.message, /giving up: the next retry would pass the time budget/);
        assert.equal(peer.calls.length, 1);
        assert.equal(metric(registry, 'zerotel_otlp_failed_spans_total', 'reason="deadline_exceeded"'), 4);
      },
    );
  });

  it('survives the collector stopping and restarting: the session is re-established', async () => {
    let peer = await startGrpcPeer();
    const port = peer.port;
    const registry = new Registry();
    let restarts = 0;
    // The restart happens during a backoff sleep: the export in progress must then get through.
    const clock = recordingClock(async () => {
      if (restarts++ === 0) peer = await startGrpcPeer({ port });
    });
    const exporter = new OtlpGrpcTraceExporter({
      env: {},
      endpoint: peer.endpoint,
      registry,
      clock,
      retry: FAST_RETRY,
      logger: recordingLogger(),
    });
    try {
      assert.deepEqual(await exporter.export(makeSpans(2, 'before')), { kind: 'success' });
      await peer.stop();
      assert.deepEqual(await exporter.export(makeSpans(3, 'during')), { kind: 'success' });
      assert.deepEqual(await exporter.export(makeSpans(1, 'after')), { kind: 'success' });
      assert.deepEqual(
        peer.calls.map((c) => spanNames(c.request)),
        [['during-0', 'during-1', 'during-2'], ['after-0']],
      );
      assert.ok(exporter.sessionsOpened >= 2, `sessions opened: ${exporter.sessionsOpened}`);
      assert.ok(metric(registry, 'zerotel_otlp_retries_total', 'code="UNAVAILABLE"') >= 1);
      assert.equal(metric(registry, 'zerotel_otlp_exported_spans_total'), 6);

      // Down for longer than the export timeout: those spans are dropped and counted, later ones delivered.
      await peer.stop();
      const short = new OtlpGrpcTraceExporter({
        env: {},
        endpoint: `http://127.0.0.1:${port}`,
        registry: new Registry(),
        timeoutMs: 200,
        retry: FAST_RETRY,
        logger: recordingLogger(),
      });
      try {
        const lost = await short.export(makeSpans(2, 'lost'));
        assert.equal(lost.kind, 'failure');
        // Normally the refused connection (UNAVAILABLE); on a starved machine the last attempt may run out of time.
        const reason = lost.kind === 'failure' && lost.error instanceof OtlpExportError ? lost.error.reason : '';
        assert.ok(reason === 'unavailable' || reason === 'deadline_exceeded', reason);
        peer = await startGrpcPeer({ port });
        assert.deepEqual(await short.export(makeSpans(1, 'back')), { kind: 'success' });
        assert.deepEqual(spanNames(peer.calls[0]?.request), ['back-0']);
      } finally {
        await short.shutdown();
      }
    } finally {
      await exporter.shutdown();
      await peer.stop();
    }
  });

  it('shutdown cancels a backoff sleep at once, closes the session and leaves no timer behind', {
    timeout: 30_000,
  }, async () => {
    const registry = new Registry();
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await withExporter(
      () => ({ code: GrpcCode.UNAVAILABLE, details: 'down' }),
      // A one-hour backoff: only cancellation can end the export in reasonable time.
      {
        registry,
        timeoutMs: 7_200_000,
        retry: { initialIntervalMs: 3_600_000, maxIntervalMs: 3_600_000, maxElapsedMs: 0 },
        logger: recordingLogger(),
      },
      async (exporter, peer) => {
        const before = timers();
        const pending = exporter.export(makeSpans(6));
        while (peer.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
        await exporter.shutdown();
        assertFailed(await pending, GrpcCode.UNAVAILABLE, 'shutdown');
        assert.equal(metric(registry, 'zerotel_otlp_failed_spans_total', 'reason="shutdown"'), 6);
        assert.ok(timers() <= before, `timers: ${timers()} after, ${before} before`);
        // Later exports fail at once, and shutdown can be called again.
        assertFailed(await exporter.export(makeSpans(1)), GrpcCode.CANCELLED, 'shutdown');
        await exporter.shutdown();
        assert.equal(peer.calls.length, 1);
      },
    );
  });

  it('rate-limits repeated warnings for the same failure', async () => {
    const logger = recordingLogger();
    let now = 0;
    const clock: Clock = { now: () => now, sleep: systemClock.sleep };
    await withExporter(
      () => ({ code: GrpcCode.PERMISSION_DENIED, details: 'no write access' }),
      { logger, clock, logIntervalMs: 60_000 },
      async (exporter) => {
        for (let i = 0; i < 3; i++) await exporter.export(makeSpans(1 + i));
        assert.equal(logger.messages.length, 1);
        now += 60_000;
        await exporter.export(makeSpans(1));
        assert.equal(logger.messages.length, 2);
        assert.match(
          logger.messages[1]!,
          /PERMISSION_DENIED: no write access \(not retryable\) \(2 more like this since last logged\)$/,
        );
      },
    );
  });

  it('refuses an invalid configuration with every problem listed', () => {
    assert.throws(
      () =>
        new OtlpGrpcTraceExporter({
          env: { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon', OTEL_EXPORTER_OTLP_COMPRESSION: 'lz4' },
          headers: { 'grpc-timeout': '1S' },
        }),
      (err: unknown) => {
        assert.ok(err instanceof OtlpConfigError);
        assert.equal(err.problems.length, 3, err.problems.join('\n'));
        return true;
      },
    );
  });
});

// google.rpc.Status carrying a RetryInfo, encoded by protobufjs from our proto/ files.
function statusWithRetryInfo(ms: number): Buffer {
  const dir = fileURLToPath(new URL('../../proto', import.meta.url));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : `${dir}/${target}`);
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
  const Status = root.lookupType('google.rpc.Status');
  const RetryInfo = root.lookupType('google.rpc.RetryInfo');
  const retryDelay = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
  const detail = RetryInfo.encode(RetryInfo.fromObject({ retryDelay })).finish();
  const status = Status.fromObject({
    code: GrpcCode.RESOURCE_EXHAUSTED,
    message: 'rate limited',
    details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: detail }],
  });
  return Buffer.from(Status.encode(status).finish());
}
