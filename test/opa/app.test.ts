import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/opa/config.js';
import { createReferenceServer, TRACING_PLUGIN } from '../../lib/opa/app.js';
import { freePort, Lines, request, startPeer, waitFor } from './helpers.js';

describe('reference server: monitoring surface', () => {
  it('serves the go_* set and OPA families; /metrics itself is not instrumented', async () => {
    const server = createReferenceServer({ env: {}, log: () => {} });
    const { port } = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    try {
      await request(`${base}/health`);
      await request(`${base}/metrics`);
      const res = await request(`${base}/metrics`, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.match(res.text, /^# HELP go_goroutines Number of goroutines that currently exist\.$/m);
      assert.match(res.text, /^# HELP go_memstats_alloc_bytes Number of bytes allocated and still in use\.$/m);
      assert.match(res.text, /^go_info\{version="v\d+/m);
      assert.match(res.text, /^# HELP http_request_duration_seconds A histogram of duration for requests\.$/m);
      assert.match(res.text, /^http_request_duration_seconds_count\{code="200",handler="health",method="get"\} 1$/m);
      assert.doesNotMatch(res.text, /handler="metrics"/);
      const gz = await request(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      const alloc = await request(`${base}/metrics/alloc_bytes`);
      assert.match(alloc.text, /^\d+\n$/);
      assert.match((await request(`${base}/metrics/alloc_bytes?pretty=true`)).text, /^\d+\.\d(K|M|G)?B\n$/);
      assert.doesNotMatch((await request(`${base}/metrics`)).text, /alloc_bytes"/);
      const index = await request(`${base}/`);
      assert.equal(index.status, 200);
      const status = await request(`${base}/v1/status`);
      assert.equal(status.status, 500);
      assert.deepEqual(status.json(), { code: 'internal_error', message: 'status plugin not enabled' });
    } finally {
      assert.equal(await server.shutdown(2000), true);
    }
  });

  it('health and status pushes follow plugin states (tracing exporter failing, then excluded)', async () => {
    const receiver = await startPeer((_r, res) => void res.writeHead(200).end());
    const collectorPort = await freePort(); // nothing listens there: exports fail
    const config = parseConfig(
      {
        services: { control: { url: receiver.url } },
        status: { service: 'control', prometheus: true },
        decision_logs: { console: true },
        distributed_tracing: {
          type: 'grpc',
          address: `127.0.0.1:${collectorPort}`,
          batch_span_processor_options: { batch_timeout_ms: 10 },
        },
      },
      { env: {} },
    );
    const server = createReferenceServer({
      config,
      env: { OTEL_EXPORTER_OTLP_TIMEOUT: '200' },
      stdout: new Lines().write,
      log: () => {},
      id: 'health-test',
    });
    assert.equal(server.plugins.get(TRACING_PLUGIN)?.state, 'NOT_READY');
    assert.equal(server.plugins.get('decision_logs')?.state, 'NOT_READY');
    const { port } = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    try {
      assert.deepEqual(server.plugins.all(), {
        decision_logs: { state: 'OK' },
        distributed_tracing: { state: 'OK' },
        status: { state: 'OK' },
      });
      assert.equal((await request(`${base}/health?plugins`)).status, 200);
      assert.equal((await request(`${base}/health/ready`)).status, 200);
      await waitFor(() => receiver.received.length >= 1, 'a first status push');

      await request(`${base}/v1/data/anything`); // a span to export
      await server.tracerProvider!.forceFlush(3000);
      await waitFor(() => server.plugins.get(TRACING_PLUGIN)?.state === 'ERROR', 'the exporter to fail');
      const unhealthy = await request(`${base}/health?plugins`);
      assert.equal(unhealthy.status, 500);
      assert.deepEqual(unhealthy.json(), { error: 'one or more plugins are not up' });
      assert.equal((await request(`${base}/health?plugins&exclude-plugin=distributed_tracing`)).status, 200);
      assert.equal((await request(`${base}/health/ready`)).status, 200, 'ready latched once all were OK');

      await waitFor(
        () => receiver.received.some((r) => JSON.parse(r.body).plugins?.distributed_tracing?.state === 'ERROR'),
        'a status push carrying the ERROR',
      );
      await server.statusReporter!.idle();
      const pushed = JSON.parse(receiver.received.at(-1)!.body);
      assert.equal(pushed.labels.id, 'health-test');
      assert.match(pushed.plugins.distributed_tracing.message, /UNAVAILABLE|failed/);
      assert.ok(pushed.metrics.prometheus.go_goroutines, 'the registry goes into metrics.prometheus');
      assert.equal(pushed.metrics.prometheus.plugin_status_gauge.type, 'GAUGE');

      const statusApi = await request(`${base}/v1/status`);
      assert.equal(statusApi.status, 200);
      assert.equal(statusApi.json().result.plugins.distributed_tracing.state, 'ERROR');
      const metrics = (await request(`${base}/metrics`)).text;
      assert.match(metrics, /plugin_status_gauge\{name="distributed_tracing",status="ERROR"\} 1/);
    } finally {
      await server.shutdown(3000);
      await receiver.close();
    }
    // The final status went out with the stopping states.
    const final = JSON.parse(receiver.received.at(-1)!.body);
    assert.equal(final.plugins.decision_logs.state, 'NOT_READY');
  });

  it('shuts down gracefully: stops accepting, finishes requests in flight', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = await startPeer(async (_r, res) => {
      await gate; // answers only once the test has started the shutdown
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"slow": true}');
    });
    const server = createReferenceServer({
      config: parseConfig({ upstreams: { slow: { url: slow.url } } }, { env: {} }),
      env: {},
      log: () => {},
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    try {
      const inFlight = request(`${base}/v1/data/upstreams/slow`);
      await waitFor(() => slow.received.length === 1, 'the upstream fetch to start');
      assert.equal(server.activeRequests, 1);
      const shutdown = server.shutdown(5000);
      await assert.rejects(request(`${base}/health`, { timeoutMs: 2000 }), /ECONNREFUSED|ECONNRESET|socket hang up/);
      assert.equal(server.activeRequests, 1, 'still serving the request in flight');
      release();
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.deepEqual(res.json().result, { slow: true });
      assert.equal(await shutdown, true);
      assert.equal(server.server.listening, false);
    } finally {
      release();
      await server.shutdown(1000);
      await slow.close();
    }
  });

  it('cuts requests still running at the shutdown deadline', async () => {
    const hang = await startPeer(() => {
      /* never answers */
    });
    const server = createReferenceServer({
      config: parseConfig({ upstreams: { hang: { url: hang.url, timeout_ms: 60_000 } } }, { env: {} }),
      env: {},
      log: () => {},
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const stuck = request(`http://127.0.0.1:${port}/v1/data/upstreams/hang`).catch((e: Error) => e);
      await waitFor(() => hang.received.length === 1, 'the fetch to start');
      assert.equal(await server.shutdown(200), false);
      assert.ok((await stuck) instanceof Error, 'the client saw its connection cut');
    } finally {
      await hang.close();
    }
  });
});
