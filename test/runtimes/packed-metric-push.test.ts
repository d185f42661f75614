/**
 * The same packed tarball pushes a registry by OTLP/HTTP from Node, Bun, Deno and workerd, through the
 * zerotel/otlp entry (OtlpHttpMetricExporter over fetch, PeriodicMetricReader), to a real receiver on
 * 127.0.0.1. Protobuf bodies are decoded with @grpc/proto-loader from the official opentelemetry-proto
 * files, JSON bodies with protobufjs' JSON mapping of the same files. Each runtime's request must decode to
 * the metrics below, and to exactly what Node sent, times and the runtime's name aside.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ReceivedExport } from '../otlp/otlp-receiver.js';
import { peerOptions } from '../peers/require-peer.js';
import { findRuntime } from './binaries.js';
import type { MetricPushReport, MetricPushRun } from './programs/metric-push-suite.js';
import * as programs from './reporting-programs.js';

const workerd = findRuntime('workerd');

const requestType = programs.otlpRequestType(
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
);
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** OTLP's AggregationTemporality. */
const CUMULATIVE = 2;
/** OTLP's DataPointFlags: none set. */
const NO_FLAGS = 0;

/** The request as decoded: protobuf with proto-loader, JSON as the receiver did. */
function decodedOf(received: ReceivedExport): any {
  return received.contentType === 'application/x-protobuf' ? requestType.deserialize(received.body) : received.decoded;
}

/** Every data point's times, taken out of `request` (which is changed) for the checks that follow. */
function takeTimes(request: any): { kind: string; start: bigint; time: bigint }[] {
  const times: { kind: string; start: bigint; time: bigint }[] = [];
  for (const rm of request.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics)
        for (const p of m[m.data].dataPoints) {
          times.push({ kind: m.data, start: BigInt(p.startTimeUnixNano), time: BigInt(p.timeUnixNano) });
          p.startTimeUnixNano = p.timeUnixNano = '<taken>';
        }
  return times;
}

/** The fields of each kind of data point that the assertions below spell out (attributes and flags aside). */
const POINT_VIEWS: Readonly<Record<string, (p: any) => object>> = {
  sum: (p) => ({ [p.value]: p[p.value] }),
  gauge: (p) => ({ [p.value]: p[p.value] }),
  histogram: (p) => ({ count: p.count, sum: p.sum, bucketCounts: p.bucketCounts, explicitBounds: p.explicitBounds }),
  summary: (p) => ({
    count: p.count,
    sum: p.sum,
    quantiles: p.quantileValues.map((q: any) => [q.quantile, q.value]),
  }),
  exponentialHistogram: (p) => ({
    count: p.count,
    sum: p.sum,
    scale: p.scale,
    zeroCount: p.zeroCount,
    positive: p.positive,
    negative: p.negative,
  }),
};

/** A readable view of the metrics: name, description, unit, kind, its sum's or histogram's settings, points. */
function metricsView(request: any): unknown[] {
  return request.resourceMetrics.flatMap((rm: any) =>
    rm.scopeMetrics.flatMap((sm: any) =>
      sm.metrics.map((m: any) => {
        const data = m[m.data];
        const pointView = POINT_VIEWS[m.data];
        assert.ok(pointView, `unexpected metric data ${m.data}`);
        return {
          name: m.name,
          description: m.description,
          unit: m.unit,
          kind: m.data,
          ...(data.isMonotonic !== undefined ? { monotonic: data.isMonotonic } : {}),
          ...(data.aggregationTemporality !== undefined ? { temporality: data.aggregationTemporality } : {}),
          points: data.dataPoints.map((p: any) => ({
            attributes: programs.attributesOf(p.attributes),
            flags: p.flags,
            ...pointView(p),
          })),
        };
      }),
    ),
  );
}

/** What every runtime must send for metric-push-suite's registry. */
const EXPECTED_METRICS = [
  {
    // Prometheus' name, `_total` included.
    name: 'http_requests_total',
    description: 'Requests served.',
    unit: '',
    kind: 'sum',
    monotonic: true,
    temporality: CUMULATIVE,
    points: [
      { attributes: { method: 'GET', code: '200', app: 'shop' }, flags: NO_FLAGS, asDouble: 3 },
      { attributes: { method: 'POST', code: '500', app: 'shop' }, flags: NO_FLAGS, asDouble: 1 },
    ],
  },
  {
    name: 'payload_bytes',
    description: 'Request body sizes.',
    unit: 'By',
    kind: 'summary',
    points: [
      {
        attributes: {},
        flags: NO_FLAGS,
        count: '4',
        sum: 1000,
        quantiles: [
          [0.5, 200],
          [0.9, 400],
        ],
      },
    ],
  },
  {
    name: 'queue_depth',
    description: 'Jobs waiting.',
    unit: '',
    kind: 'gauge',
    points: [{ attributes: { queue: 'mail' }, flags: NO_FLAGS, asDouble: 7.5 }],
  },
  {
    name: 'request_duration_seconds',
    description: 'Time to answer.',
    unit: 's',
    kind: 'histogram',
    temporality: CUMULATIVE,
    points: [
      {
        attributes: { route: '/cart', app: 'shop' },
        flags: NO_FLAGS,
        count: '4',
        sum: 0.05 + 0.3 + 0.3 + 2,
        // Per bucket, not cumulative: (-inf, 0.1], (0.1, 0.5], (0.5, 1], (1, +inf).
        bucketCounts: ['1', '2', '0', '1'],
        explicitBounds: [0.1, 0.5, 1],
      },
    ],
  },
  {
    name: 'rpc_latency_seconds',
    description: 'RPC latency.',
    unit: 's',
    kind: 'exponentialHistogram',
    temporality: CUMULATIVE,
    points: [
      {
        attributes: { method: 'get' },
        flags: NO_FLAGS,
        count: '5',
        sum: 0,
        // Bucket factor 1.1 -> schema 3: base 2^(1/8). 0.25 = base^-16 falls in OTLP bucket -17
        // (base^-17, base^-16]; 1.5 in bucket 4 (2^(4/8) < 1.5 <= 2^(5/8)); -2 = -base^8 in negative bucket 7.
        scale: 3,
        // (zero_threshold is newer than the packaged protos, which cannot decode it.)
        zeroCount: '1',
        positive: { offset: -17, bucketCounts: ['2', ...Array<string>(20).fill('0'), '1'] },
        negative: { offset: 7, bucketCounts: ['1'] },
      },
    ],
  },
];

describe('metrics from the packed package reach an OTLP/HTTP receiver on every runtime', () => {
  const setup = programs.usePackedAppAndReceiver();
  /** Node's request (protobuf), times and the runtime's name taken out: every other runtime must match it. */
  let nodeRequest: any;

  const runFor = (runtime: string, protocol: MetricPushRun['protocol']): MetricPushRun => ({
    endpoint: `${setup.receiver.httpBase}/v1/metrics`,
    runtime,
    protocol,
  });

  /** Checks the one request `run` made and returns it decoded, without times and the runtime's name. */
  function assertPushed(run: MetricPushRun, report: MetricPushReport): any {
    assert.deepEqual(report, { exportedPoints: 6, failedPoints: {} }, `${run.runtime}: what the exporter counted`);
    const requests = setup.receiver.received.filter(
      (r) =>
        r.path === '/v1/metrics' &&
        programs.attributesOf(decodedOf(r).resourceMetrics[0]?.resource.attributes)['zerotel.runtime'] === run.runtime,
    );
    assert.equal(requests.length, 1, `${run.runtime}: requests received`);
    const received = requests[0]!;
    assert.equal(received.contentType, run.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
    assert.equal(received.headers['user-agent'], `zerotel/${VERSION}`);
    const request = decodedOf(received);
    assert.equal(request.resourceMetrics.length, 1);
    const [rm] = request.resourceMetrics;
    assert.deepEqual(programs.attributesOf(rm.resource.attributes), {
      'service.name': 'zerotel-runtime-check',
      'telemetry.sdk.name': 'zerotel',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': VERSION,
      'zerotel.runtime': run.runtime,
    });
    assert.equal(rm.scopeMetrics.length, 1);
    assert.equal(rm.scopeMetrics[0].scope.name, 'zerotel');
    assert.equal(rm.scopeMetrics[0].scope.version, VERSION);

    // Every point stamped with one push time; cumulative ones start when their series was created, gauges
    // have no start.
    const times = takeTimes(request);
    assert.equal(times.length, 6);
    const pushedAt = times[0]!.time;
    for (const { kind, start, time } of times) {
      assert.equal(time, pushedAt, `${run.runtime}: one time for every point`);
      if (kind === 'gauge') assert.equal(start, 0n, `${run.runtime}: a gauge has no start time`);
      else assert.ok(start > 0n && start <= time, `${run.runtime}: ${kind} start ${start} should be before ${time}`);
    }
    assert.deepEqual(metricsView(request), EXPECTED_METRICS, `${run.runtime}: the metrics`);
    rm.resource.attributes = rm.resource.attributes.filter((a: any) => a.key !== 'zerotel.runtime');
    return request;
  }

  const pushFrom = (runtime: programs.ProcessRuntime, run: MetricPushRun): Promise<MetricPushReport> =>
    programs.runReportingProcess<MetricPushReport>(setup.app, runtime, 'metric-push-main.js', [
      run.endpoint,
      run.protocol,
      run.runtime,
    ]);

  it('Node: http/protobuf, and http/json decoding to the same request', async () => {
    const run = runFor('node', 'http/protobuf');
    nodeRequest = assertPushed(run, await pushFrom('node', run));
    const json = runFor('node-json', 'http/json');
    assert.deepEqual(assertPushed(json, await pushFrom('node', json)), nodeRequest);
  });

  const OTHERS = [
    { runtime: 'bun', name: 'Bun', protocol: 'http/protobuf', note: '' },
    { runtime: 'deno', name: 'Deno', protocol: 'http/json', note: ', network to 127.0.0.1 only' },
  ] as const;
  for (const other of OTHERS) {
    const peer = findRuntime(other.runtime);
    it(`${other.name} (${peer.version ?? 'missing'}): ${other.protocol}${other.note}`, peerOptions(peer), async () => {
      assert.ok(nodeRequest, "Node's request is the reference");
      const run = runFor(other.runtime, other.protocol);
      assert.deepEqual(assertPushed(run, await pushFrom(other.runtime, run)), nodeRequest);
    });
  }

  it('workerd, no flags: http/protobuf from a fetch handler', peerOptions(workerd), async () => {
    assert.ok(workerd.path, workerd.missing);
    assert.ok(nodeRequest, "Node's request is the reference");
    const run = runFor('workerd', 'http/protobuf');
    const report = await programs.runReportingWorker<MetricPushReport>(
      workerd.path,
      setup.app,
      'metric-push-worker.js',
      '/push',
      run,
    );
    assert.deepEqual(assertPushed(run, report), nodeRequest);
  });
});
