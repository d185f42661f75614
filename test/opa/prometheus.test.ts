/**
 * A real Prometheus server (Debian's `prometheus`) scrapes the reference server every second; its
 * HTTP API must then answer `up`, a go_* series and an http_request_duration_seconds_bucket series,
 * and, with exemplar storage on, the trace ids our duration observations carry.
 * With CI=true a missing prometheus binary fails the test; elsewhere it is skipped with the reason.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/opa/config.js';
import { createReferenceServer } from '../../lib/opa/app.js';
import { api, findPrometheus, type RunningPrometheus, startPrometheus, stop } from '../peers/prometheus.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { freePort, request, waitFor } from './helpers.js';

const peer = findPrometheus();

describe('a real Prometheus scrapes the reference server', peerOptions(peer), () => {
  it('answers up, a go_* series, the request histogram, and exemplars', { timeout: 120_000 }, async () => {
    assertPeer(peer);
    const collectorPort = await freePort(); // spans are sampled (exemplars) even though no collector listens
    const server = createReferenceServer({
      config: parseConfig(
        { distributed_tracing: { type: 'grpc', address: `127.0.0.1:${collectorPort}` } },
        { env: {} },
      ),
      env: { OTEL_EXPORTER_OTLP_TIMEOUT: '100' },
      log: () => {},
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const target = `127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-prometheus-'));
    let prometheus: RunningPrometheus | undefined;
    try {
      for (let i = 0; i < 5; i++) await request(`http://${target}/health`);
      await request(`http://${target}/v1/data/x`, { method: 'PUT', body: '{"y": 1}' });
      prometheus = await startPrometheus(peer, target, dir, ['exemplar-storage']);
      const { base } = prometheus;

      const up = await api(base, `/api/v1/query?query=${encodeURIComponent('up{job="opa"}')}`);
      assert.equal(up.result.length, 1);
      assert.equal(up.result[0].value[1], '1');
      assert.equal(up.result[0].metric.instance, target);

      const goroutines = await api(base, `/api/v1/query?query=go_goroutines`);
      assert.equal(goroutines.result.length, 1);
      assert.ok(Number(goroutines.result[0].value[1]) > 0);

      const bucket = await api(
        base,
        `/api/v1/query?query=${encodeURIComponent('http_request_duration_seconds_bucket{handler="health",code="200",method="get",le="+Inf"}')}`,
      );
      assert.equal(bucket.result.length, 1, JSON.stringify(bucket));
      assert.ok(Number(bucket.result[0].value[1]) >= 5);

      const now = Date.now() / 1000;
      let exemplars: any[] = [];
      await waitFor(
        async () => {
          exemplars = await api(
            base,
            `/api/v1/query_exemplars?query=${encodeURIComponent('http_request_duration_seconds_bucket{handler="v1/data"}')}&start=${now - 600}&end=${now + 600}`,
          );
          return exemplars.length > 0;
        },
        'exemplars in Prometheus',
        30_000,
      );
      const labels = exemplars[0].exemplars[0].labels;
      assert.match(labels.trace_id, /^[0-9a-f]{32}$/);
      assert.match(labels.span_id, /^[0-9a-f]{16}$/);
    } finally {
      if (prometheus !== undefined) await stop(prometheus.child);
      await server.shutdown(2000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
