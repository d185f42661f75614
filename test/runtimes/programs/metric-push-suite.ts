/**
 * One push of a registry from whichever runtime runs this, through zerotel/otlp's OTLP/HTTP metric exporter
 * (fetch) to `endpoint`: a counter, a gauge, a classic histogram, a summary and a native histogram, with
 * labels, const labels, HELP and units. The push is the periodic reader's last round on `shutdown()`, so
 * the reader's schedule is exercised too. What the exporter counted is reported back to the test.
 */
import { Counter, Gauge, Histogram, Registry, Summary } from '../../../lib/metrics/index.js';
import { OtlpHttpMetricExporter, PeriodicMetricReader } from '../../../lib/otlp/index.js';

export interface MetricPushRun {
  /** Full URL of the receiver's `/v1/metrics`. */
  readonly endpoint: string;
  /** Recorded as the `zerotel.runtime` resource attribute. */
  readonly runtime: string;
  readonly protocol: 'http/protobuf' | 'http/json';
}

export interface MetricPushReport {
  readonly exportedPoints: number;
  readonly failedPoints: Readonly<Record<string, number>>;
}

/** The metric set every runtime pushes. */
export function buildRegistry(): Registry {
  const registry = new Registry();
  const registers = [registry];
  // The counter and the classic histogram carry a const label too.
  const shop = { registers, constLabels: { app: 'shop' } };

  const requests = new Counter({
    ...shop,
    name: 'http_requests_total',
    help: 'Requests served.',
    labelNames: ['method', 'code'],
  });
  requests.inc({ method: 'GET', code: '200' }, 3);
  requests.inc({ method: 'POST', code: '500' });

  const queue = new Gauge({ registers, name: 'queue_depth', help: 'Jobs waiting.', labelNames: ['queue'] });
  queue.set({ queue: 'mail' }, 7.5);

  const duration = new Histogram({
    ...shop,
    name: 'request_duration_seconds',
    help: 'Time to answer.',
    unit: 'seconds',
    labelNames: ['route'],
    buckets: [0.1, 0.5, 1],
  });
  for (const v of [0.05, 0.3, 0.3, 2]) duration.observe({ route: '/cart' }, v);

  const payload = new Summary({
    registers,
    name: 'payload_bytes',
    help: 'Request body sizes.',
    unit: 'bytes',
    objectives: { 0.5: 0.05, 0.9: 0.01 },
  });
  for (const v of [100, 200, 300, 400]) payload.observe(v);

  // A bucket factor of 1.1 gives schema 3; no classic buckets, so it is a native histogram alone.
  const latency = new Histogram({
    registers,
    name: 'rpc_latency_seconds',
    help: 'RPC latency.',
    unit: 'seconds',
    labelNames: ['method'],
    nativeHistogramBucketFactor: 1.1,
  });
  for (const v of [0, 0.25, 0.25, 1.5, -2]) latency.observe({ method: 'get' }, v);
  return registry;
}

export async function pushMetrics(run: MetricPushRun): Promise<MetricPushReport> {
  // The programs must not depend on the environment (Deno runs them without --allow-env), nor on the
  // host: no resource detectors, so every runtime sends the same resource.
  const env = { OTEL_NODE_RESOURCE_DETECTORS: 'none' };
  const exporter = new OtlpHttpMetricExporter({
    endpoint: run.endpoint,
    protocol: run.protocol,
    env,
    resource: { 'service.name': 'zerotel-runtime-check', 'zerotel.runtime': run.runtime },
  });
  // An hour between rounds: the only export is the last round, run by shutdown().
  const reader = new PeriodicMetricReader({ registry: buildRegistry(), exporter, intervalMs: 3_600_000, env });
  await reader.shutdown();
  return { exportedPoints: exporter.stats.exportedPoints, failedPoints: { ...exporter.stats.failedPoints } };
}
