/**
 * The batch processor (`zerotel_trace_spans_dropped_total{reason}`) and the OTLP exporter
 * (`zerotel_otlp_failed_spans_total{reason}`) count the same lost spans under the same reason. Spans
 * whose export was cut short by shutdown used to be `shutdown` for the exporter but `export_failed`
 * for the processor. The exporter here sends to a closed port, so every attempt fails UNAVAILABLE and
 * is retried until its time budget or a shutdown ends it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from '../../lib/metrics/registry.js';
import { OtlpGrpcTraceExporter } from '../../lib/otlp/exporter.js';
import { BatchSpanProcessor } from '../../lib/trace/batch.js';
import { TracerProvider } from '../../lib/trace/tracer.js';
import { freePort, waitFor } from '../opa/helpers.js';

const SPANS = 100;

/** The value of `name{label=value}`, 0 when the series does not exist. */
function counter(registry: Registry, name: string, labels: Record<string, string> = {}): number {
  const family = registry.collect().find((f) => f.name === name);
  const series = family?.series.find((s) =>
    Object.entries(labels).every(([k, v]) => s.labels.values[s.labels.names.indexOf(k)] === v),
  );
  return series?.value ?? 0;
}

/** Every `reason` of a family with a non-zero count. */
function reasons(registry: Registry, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of registry.collect().find((f) => f.name === name)?.series ?? []) {
    if (s.value > 0) out[s.labels.values[s.labels.names.indexOf('reason')]!] = s.value;
  }
  return out;
}

async function setup(timeoutMs: number) {
  const registry = new Registry();
  const exporter = new OtlpGrpcTraceExporter({
    endpoint: `127.0.0.1:${await freePort()}`,
    encryption: 'off',
    timeoutMs,
    env: {},
    registry,
    logger: () => {},
  });
  const processor = new BatchSpanProcessor(exporter, {
    env: {},
    registry,
    scheduledDelayMillis: 1,
    flushOnExit: false,
  });
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('drop-reasons');
  for (let i = 0; i < SPANS; i++) tracer.startSpan(`span ${i}`).end();
  return { registry, processor };
}

describe('drop reasons agree between the batch processor and the OTLP exporter', { timeout: 60_000 }, () => {
  it(`an export cut short by shutdown: ${SPANS} spans are "shutdown" in both families`, async () => {
    const { registry, processor } = await setup(30_000);
    // The export is being retried (it would go on for 30 s) when shutdown comes.
    await waitFor(
      () => counter(registry, 'zerotel_otlp_retries_total', { code: 'UNAVAILABLE' }) > 0,
      'a retry',
      20_000,
    );
    await processor.shutdown(100);
    await waitFor(
      () => counter(registry, 'zerotel_otlp_failed_spans_total', { reason: 'shutdown' }) === SPANS,
      'the exporter count',
    );
    await waitFor(() => processor.stats().dropped.shutdown === SPANS, 'the processor count');
    assert.deepEqual(reasons(registry, 'zerotel_otlp_failed_spans_total'), { shutdown: SPANS });
    assert.deepEqual(reasons(registry, 'zerotel_trace_spans_dropped_total'), { shutdown: SPANS });
  });

  it(`an export that gives up: ${SPANS} spans are "export_failed" for the processor, "unavailable" for the exporter`, async () => {
    const { registry, processor } = await setup(200);
    try {
      assert.equal(await processor.forceFlush(20_000), true);
      assert.deepEqual(reasons(registry, 'zerotel_otlp_failed_spans_total'), { unavailable: SPANS });
      assert.deepEqual(reasons(registry, 'zerotel_trace_spans_dropped_total'), { export_failed: SPANS });
    } finally {
      await processor.shutdown(1000);
    }
  });
});
