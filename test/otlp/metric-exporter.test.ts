/**
 * OTLP metric exporters against a receiver decoding with the official protos: every series and value over
 * gRPC, HTTP protobuf and HTTP JSON (gzip too); the OTLP/HTTP retry rules; the METRICS_ configuration; and
 * the periodic reader's schedule, forceFlush and shutdown.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { writeText } from '../../lib/exposition/text.js';
import { Counter } from '../../lib/metrics/counter.js';
import { Registry } from '../../lib/metrics/registry.js';
import { OtlpConfigError } from '../../lib/otlp/config.js';
import { OtlpGrpcMetricExporter, OtlpHttpMetricExporter } from '../../lib/otlp/metric-exporter.js';
import { type MetricExporter, PeriodicMetricReader } from '../../lib/otlp/periodic-reader.js';
import { OTLP_METRIC_EXPORT_METRICS, pushMetrics } from '../../lib/otlp/push-metrics.js';
import { waitFor } from '../opa/helpers.js';
import { fixtureFamilies } from '../push/push-fixture.js';
import { seriesMap, textSeries } from '../push/text-series.js';
import { startOtlpReceiver } from './otlp-receiver.js';
import { otlpSeries } from './otlp-series.js';

const FAST_RETRY = { initialIntervalMs: 5, maxIntervalMs: 20, maxElapsedMs: 5_000, randomizationFactor: 0 };
const ENV = { OTEL_SERVICE_NAME: 'push-test' };

describe('OTLP metric exporters deliver every series and value', () => {
  for (const mode of ['grpc', 'http/protobuf', 'http/json', 'http/protobuf+gzip'] as const) {
    it(mode, async () => {
      const receiver = await startOtlpReceiver();
      try {
        const families = fixtureFamilies();
        const exporter =
          mode === 'grpc'
            ? new OtlpGrpcMetricExporter({ endpoint: receiver.grpcEndpoint, env: ENV })
            : new OtlpHttpMetricExporter({
                endpoint: `${receiver.httpBase}/v1/metrics`,
                protocol: mode === 'http/json' ? 'http/json' : 'http/protobuf',
                compression: mode.endsWith('gzip') ? 'gzip' : 'none',
                headers: { authorization: 'Bearer t0ken' },
                env: ENV,
              });
        const result = await exporter.export(families);
        await exporter.shutdown();
        assert.equal(result.kind, 'success', JSON.stringify(result));
        assert.equal(result.points, 9);
        assert.equal(receiver.received.length, 1);
        const got = receiver.received[0]!;
        assert.equal(got.path, '/v1/metrics');
        if (mode !== 'grpc') {
          assert.equal(got.contentType, mode === 'http/json' ? 'application/json' : 'application/x-protobuf');
          assert.equal((got.headers as Record<string, string>).authorization, 'Bearer t0ken');
          assert.equal(
            (got.headers as Record<string, string>)['content-encoding'],
            mode.endsWith('gzip') ? 'gzip' : undefined,
          );
        }
        assert.deepEqual(seriesMap(otlpSeries(got.decoded)), seriesMap(textSeries(writeText(families))));
        const resource = got.decoded.resourceMetrics[0].resource.attributes;
        assert.equal(resource.find((a: any) => a.key === 'service.name').value.stringValue, 'push-test');
        assert.equal(exporter.stats.exportedPoints, 9);
      } finally {
        await receiver.stop();
      }
    });
  }
});

describe('OTLP metric exporters reuse their request buffer', () => {
  for (const mode of ['grpc', 'http/protobuf'] as const) {
    it(`${mode}: requests of changing sizes, back to back, each decoded whole`, async () => {
      const receiver = await startOtlpReceiver();
      try {
        const exporter =
          mode === 'grpc'
            ? new OtlpGrpcMetricExporter({ endpoint: receiver.grpcEndpoint, env: {} })
            : new OtlpHttpMetricExporter({ endpoint: `${receiver.httpBase}/v1/metrics`, env: {} });
        const small = new Registry();
        new Counter({ name: 'small_total', help: 'One series.', registers: [small] }).inc(3);
        const sets = [fixtureFamilies(), small.collect(), fixtureFamilies(), fixtureFamilies(), small.collect()];
        for (const families of sets) assert.equal((await exporter.export(families)).kind, 'success');
        await exporter.shutdown();
        assert.equal(receiver.received.length, sets.length);
        sets.forEach((families, i) =>
          assert.deepEqual(
            seriesMap(otlpSeries(receiver.received[i]!.decoded)),
            seriesMap(textSeries(writeText(families))),
            `request ${i}`,
          ),
        );
      } finally {
        await receiver.stop();
      }
    });
  }
});

describe('OTLP/HTTP metric export failures', () => {
  it('retries 502/503/504/429 honouring Retry-After, then succeeds', async () => {
    const statuses = [502, 429, 503, 504];
    const receiver = await startOtlpReceiver((i) =>
      i < statuses.length
        ? {
            status: statuses[i]!,
            headers: (statuses[i] === 429 ? { 'retry-after': '1' } : {}) as Record<string, string>,
            body: 'busy',
          }
        : undefined,
    );
    try {
      const own = new Registry();
      const observer = pushMetrics(own, OTLP_METRIC_EXPORT_METRICS);
      const exporter = new OtlpHttpMetricExporter({
        endpoint: `${receiver.httpBase}/v1/metrics`,
        retry: FAST_RETRY,
        env: {},
        observer,
      });
      const started = Date.now();
      const result = await exporter.export(fixtureFamilies());
      assert.equal(result.kind, 'success', JSON.stringify(result));
      assert.ok(Date.now() - started >= 1000, 'waited the Retry-After second');
      assert.equal(exporter.stats.retries, 4);
      const text = writeText(own.collect());
      assert.match(text, /^zerotel_otlp_delivered_metric_points_total 9$/m);
      for (const status of [429, 502, 503, 504])
        assert.match(
          text,
          new RegExp(`^zerotel_otlp_metric_points_retries_total\\{reason="http_${status}"\\} 1$`, 'm'),
        );
      assert.equal(receiver.received.length, 1);
    } finally {
      await receiver.stop();
    }
  });

  it('does not retry other statuses, counts the points and names the endpoint and status', async () => {
    const receiver = await startOtlpReceiver(() => ({ status: 400, body: 'bad metric' }));
    try {
      const url = `${receiver.httpBase}/v1/metrics`;
      const own = new Registry();
      const observer = pushMetrics(own, OTLP_METRIC_EXPORT_METRICS);
      const exporter = new OtlpHttpMetricExporter({ endpoint: url, retry: FAST_RETRY, env: {}, observer });
      const result = await exporter.export(fixtureFamilies());
      assert.equal(result.kind, 'failure');
      assert.match(writeText(own.collect()), /^zerotel_otlp_failed_metric_points_total\{reason="http_400"\} 9$/m);
      assert.equal(result.attempts, 1);
      assert.equal(result.reason, 'http_400');
      assert.ok(result.message.includes(url), result.message);
      assert.match(result.message, /HTTP 400: bad metric \(not retryable\)/);
      assert.deepEqual(exporter.stats.failedPoints, { http_400: 9 });
    } finally {
      await receiver.stop();
    }
  });
});

describe('OTLP metric exporter configuration', () => {
  it('reads OTEL_EXPORTER_OTLP_METRICS_* before OTEL_EXPORTER_OTLP_*; the generic endpoint is a base URL', () => {
    const base = new OtlpHttpMetricExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' } });
    assert.equal(base.config.endpoint, 'http://collector:4318/v1/metrics');
    const own = new OtlpHttpMetricExporter({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://metrics.example/custom/path',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-tenant=a',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=b',
        OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '1234',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      },
    });
    assert.equal(own.config.endpoint, 'https://metrics.example/custom/path');
    assert.deepEqual(own.config.headers, { 'x-tenant': 'a' });
    assert.equal(own.config.timeoutMs, 1234);
    assert.equal(own.protocol, 'http/json');
    assert.equal(new OtlpHttpMetricExporter({ env: {} }).config.endpoint, 'http://localhost:4318/v1/metrics');
    const grpc = new OtlpGrpcMetricExporter({ env: { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4317' } });
    assert.equal(grpc.config.endpoint, 'http://collector:4317');
    void grpc.shutdown();
  });

  it('lists every problem of a bad configuration', () => {
    assert.throws(
      () =>
        new OtlpHttpMetricExporter({
          env: { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'ftp://x', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: 'soon' },
        }),
      (err: unknown) =>
        err instanceof OtlpConfigError &&
        err.problems.some((p) => p.startsWith('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: scheme must be http or https')) &&
        err.problems.some((p) => p.startsWith('OTEL_EXPORTER_OTLP_METRICS_TIMEOUT')),
    );
    assert.throws(
      () => new OtlpHttpMetricExporter({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' } }),
      /OTEL_EXPORTER_OTLP_PROTOCOL: must be/,
    );
  });
});

describe('periodic metric reader', () => {
  it('exports on its interval, on forceFlush, and once more on shutdown', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const registry = new Registry();
      const counter = new Counter({ name: 'ticks_total', help: 'Ticks.', registers: [registry] });
      const exporter = new OtlpHttpMetricExporter({ endpoint: `${receiver.httpBase}/v1/metrics`, env: {} });
      const reader = new PeriodicMetricReader({
        registry,
        exporter,
        env: { OTEL_METRIC_EXPORT_INTERVAL: '40', OTEL_METRIC_EXPORT_TIMEOUT: '5000' },
      });
      assert.equal(reader.intervalMs, 40);
      assert.equal(reader.timeoutMs, 5000);
      counter.inc();
      await waitFor(() => receiver.received.length >= 2, 'two scheduled exports', 20_000);
      counter.inc(5);
      const flushed = await reader.forceFlush();
      assert.equal(flushed.kind, 'success');
      const last = receiver.received.at(-1)!;
      assert.deepEqual(
        otlpSeries(last.decoded).map((s) => s.value),
        [6],
      );
      // Scheduled rounds may be due or queued behind a slow one when shutdown() is called, so the count of
      // its exports is checked below, on a reader whose schedule never comes due.
      await reader.shutdown();
      const afterShutdown = receiver.received.length;
      const refused = await reader.forceFlush();
      assert.equal(refused.kind === 'failure' && refused.reason, 'shutdown');
      await reader.shutdown();
      assert.equal(receiver.received.length, afterShutdown, 'nothing sent after shutdown');

      counter.inc();
      const quiet = new PeriodicMetricReader({
        registry,
        exporter: new OtlpHttpMetricExporter({ endpoint: `${receiver.httpBase}/v1/metrics`, env: {} }),
        intervalMs: 3_600_000,
        env: {},
      });
      const before = receiver.received.length;
      await quiet.shutdown();
      assert.equal(receiver.received.length, before + 1, 'a final export on shutdown');
      assert.deepEqual(
        otlpSeries(receiver.received.at(-1)!.decoded).map((s) => s.value),
        [7],
      );
    } finally {
      await receiver.stop();
    }
  });

  it('skips rounds that come due while one already waits, so slow exports do not pile them up', async () => {
    const registry = new Registry();
    new Counter({ name: 'ticks_total', help: 'Ticks.', registers: [registry] }).inc();
    // An exporter whose exports all hang until released, as a receiver that stopped answering would.
    let calls = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const exporter: MetricExporter = {
      export: async (families) => {
        calls++;
        await released;
        return { kind: 'success', points: families.length, rejectedPoints: 0 };
      },
      shutdown: async () => {},
    };
    const reader = new PeriodicMetricReader({ registry, exporter, intervalMs: 5, timeoutMs: 600_000, env: {} });
    await waitFor(() => calls === 1, 'the first scheduled export', 20_000);
    // Many intervals pass while it hangs (how many does not matter: at most one round may wait).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = reader.shutdown();
    release();
    await closing;
    // The hung round, at most one scheduled round that waited, and shutdown's last one.
    assert.ok(calls >= 2 && calls <= 3, `exports after shutdown: ${calls}`);
  });

  it('an exporter that throws is a failed round: the schedule, forceFlush and shutdown go on', async () => {
    const registry = new Registry();
    new Counter({ name: 'ticks_total', help: 'Ticks.', registers: [registry] }).inc();
    let calls = 0;
    let closed = false;
    const exporter: MetricExporter = {
      export: async () => {
        calls++;
        throw new Error('receiver went away');
      },
      shutdown: async () => {
        closed = true;
      },
    };
    const failures: string[] = [];
    const reader = new PeriodicMetricReader({
      registry,
      exporter,
      intervalMs: 5,
      env: {},
      onFailure: (f) => failures.push(`${f.reason}: ${f.message}`),
    });
    await waitFor(() => calls >= 2, 'a scheduled round after a throwing one', 20_000);
    const flushed = await reader.forceFlush();
    assert.equal(flushed.kind, 'failure');
    assert.equal(flushed.kind === 'failure' && flushed.reason, 'export_error');
    await reader.shutdown();
    assert.equal(closed, true, 'the exporter was shut down');
    assert.equal(failures[0], 'export_error: the exporter threw: receiver went away');
  });

  it('a registry that fails to gather and an export past the timeout are failed rounds, reported', async () => {
    const registry = new Registry();
    let broken = true;
    registry.register({
      describe: () => [],
      collect: () => {
        if (broken) throw new Error('collector broke');
      },
    });
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const exporter: MetricExporter = {
      export: async () => {
        calls++;
        await hung;
        return { kind: 'success', points: 0, rejectedPoints: 0 };
      },
      shutdown: async () => {},
    };
    const reader = new PeriodicMetricReader({ registry, exporter, intervalMs: 3_600_000, timeoutMs: 50, env: {} });
    try {
      const gather = await reader.forceFlush();
      assert.equal(gather.kind === 'failure' && gather.reason, 'collect_error');
      assert.match(
        gather.kind === 'failure' ? gather.message : '',
        /could not gather the registry: [\s\S]*collector failed: collector broke/,
      );
      assert.equal(calls, 0);
      broken = false;
      const slow = await reader.forceFlush();
      assert.equal(slow.kind === 'failure' && slow.reason, 'timeout');
      assert.equal(calls, 1);
    } finally {
      release();
      await reader.shutdown();
    }
  });

  it('refuses invalid intervals and timeouts, naming them', () => {
    const registry = new Registry();
    const exporter = new OtlpHttpMetricExporter({ env: {} });
    assert.throws(
      () => new PeriodicMetricReader({ registry, exporter, env: { OTEL_METRIC_EXPORT_INTERVAL: '-5' } }),
      /OTEL_METRIC_EXPORT_INTERVAL: must be a positive integer/,
    );
    assert.throws(
      () => new PeriodicMetricReader({ registry, exporter, timeoutMs: 0, env: {} }),
      /timeoutMs: must be a positive number/,
    );
    // Timers clamp anything beyond 2^31 - 1 ms to 1 ms: such a value is refused, not run back to back.
    assert.throws(
      () => new PeriodicMetricReader({ registry, exporter, env: { OTEL_METRIC_EXPORT_INTERVAL: '2147483648' } }),
      /OTEL_METRIC_EXPORT_INTERVAL: must be a positive integer number of milliseconds up to 2147483647/,
    );
    assert.throws(
      () => new PeriodicMetricReader({ registry, exporter, intervalMs: 2 ** 40 }),
      /intervalMs: must be a positive number of milliseconds up to 2147483647/,
    );
  });
});
