/**
 * A real Prometheus (2.42, --enable-feature=native-histograms) scrapes the reference server configured with
 * `server.metrics.native_histograms`; it negotiates protobuf and stores http_request_duration_seconds as a native
 * histogram, on which histogram_count and histogram_quantile over rate() answer, and whose count is exactly the
 * number of requests sent. With CI=true a missing prometheus binary fails the test; elsewhere it is skipped.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/opa/config.js';
import { createReferenceServer } from '../../lib/opa/app.js';
import { findPrometheus, query, type RunningPrometheus, startPrometheus, stop } from '../peers/prometheus.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { request, waitFor } from './helpers.js';

const peer = findPrometheus();
const SERIES = 'http_request_duration_seconds{handler="health",code="200",method="get"}';

describe("a real Prometheus ingests the reference server's native histogram", peerOptions(peer), () => {
  it('histogram_count and histogram_quantile over rate() answer; the count is the requests sent', {
    timeout: 180_000,
  }, async () => {
    assertPeer(peer);
    const server = createReferenceServer({
      config: parseConfig({ server: { metrics: { native_histograms: { bucket_factor: 1.1 } } } }, { env: {} }),
      log: () => {},
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const target = `127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-prometheus-native-'));
    let prometheus: RunningPrometheus | undefined;
    try {
      // Negotiation: what Prometheus asks for, the server answers in protobuf with the native fields.
      const scrape = await request(`http://${target}/metrics`, {
        headers: {
          accept:
            'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3',
        },
      });
      assert.match(String(scrape.headers['content-type']), /application\/vnd\.google\.protobuf/);

      let sent = 0;
      const send = async (n: number) => {
        for (let i = 0; i < n; i++, sent++) assert.equal((await request(`http://${target}/health`)).status, 200);
      };
      await send(20);
      prometheus = await startPrometheus(peer, target, dir, ['native-histograms']);
      const { base } = prometheus;
      // Two more batches, each after Prometheus has stored a sample, so rate() has several points.
      for (const batch of [30, 50]) {
        const before = sent;
        await waitFor(
          async () => Number((await query(base, `histogram_count(${SERIES})`))[0]?.value[1]) === before,
          `a scrape with ${before} requests`,
          30_000,
        );
        await send(batch);
      }
      await waitFor(
        async () => Number((await query(base, `histogram_count(${SERIES})`))[0]?.value[1]) === sent,
        `a scrape with ${sent} requests`,
        30_000,
      );

      // Stored as a native histogram: the instant vector carries a histogram, not a float value.
      const raw = await query(base, SERIES);
      assert.equal(raw.length, 1, JSON.stringify(raw));
      assert.ok(raw[0].histogram !== undefined, `expected a native histogram sample, got ${JSON.stringify(raw[0])}`);
      assert.equal(Number(raw[0].histogram[1].count), sent);
      assert.ok(raw[0].histogram[1].buckets.length > 0);
      // No classic series beside it: without keep_classic there are no classic buckets.
      assert.deepEqual(await query(base, 'http_request_duration_seconds_bucket{handler="health"}'), []);

      const count = await query(base, `histogram_count(rate(${SERIES}[1m]))`);
      assert.equal(count.length, 1, JSON.stringify(count));
      assert.ok(Number(count[0].value[1]) > 0, `rate of the count: ${JSON.stringify(count)}`);

      const p99 = await query(base, `histogram_quantile(0.99, rate(${SERIES}[1m]))`);
      assert.equal(p99.length, 1, JSON.stringify(p99));
      const seconds = Number(p99[0].value[1]);
      assert.ok(seconds > 0 && seconds < 10, `p99 of /health latency: ${seconds} s`);
    } finally {
      if (prometheus !== undefined) await stop(prometheus.child);
      await server.shutdown(2000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
