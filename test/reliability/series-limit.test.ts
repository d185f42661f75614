/**
 * The reference server bounds the series of the metrics it creates (the library's default stays
 * unbounded, as client_golang's). Request labels (method, code, handler) are what a client controls;
 * past the limit a new combination is refused and counted, and the server goes on answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReferenceServer, DEFAULT_SERVER_MAX_SERIES, type ReferenceServer } from '../../lib/opa/app.js';
import { request } from '../opa/helpers.js';

/** Methods the HTTP parser accepts; each is a new `method` label value for /v1/data. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'LOCK', 'MKCOL', 'SEARCH'];

describe('the series limit of the reference server', () => {
  it(`is ${DEFAULT_SERVER_MAX_SERIES} per metric by default, and /metrics reports refused series`, async () => {
    const server = createReferenceServer({ runtimeMetrics: false, log: () => {} });
    try {
      assert.equal(server.httpMetrics.duration.maxSeries, DEFAULT_SERVER_MAX_SERIES);
      assert.equal(server.httpMetrics.cancellations.maxSeries, DEFAULT_SERVER_MAX_SERIES);
      const { port } = await server.listen(0);
      const text = (await request(`http://127.0.0.1:${port}/metrics`)).text;
      assert.match(text, /^zerotel_metric_series_dropped_total\{metric="http_request_duration_seconds"\} 0$/m);
    } finally {
      await server.shutdown(2000);
    }
  });

  describe('past the limit', () => {
    let server: ReferenceServer;
    let base: string;
    before(async () => {
      server = createReferenceServer({ runtimeMetrics: false, log: () => {}, maxSeries: 3 });
      const { port } = await server.listen(0);
      base = `http://127.0.0.1:${port}`;
    });
    after(() => server.shutdown(2000));

    it(`${METHODS.length} methods: 3 series kept, the rest counted as refused, every request answered`, async () => {
      for (const method of METHODS) {
        const reply = await request(`${base}/v1/data/x`, { method, ...(method === 'PUT' ? { body: '1' } : {}) });
        assert.ok(reply.status < 500, `${method}: ${reply.status} ${reply.text}`);
      }
      const text = (await request(`${base}/metrics`)).text;
      const series = text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count{'));
      assert.equal(series.length, 3, series.join('\n'));
      assert.match(
        text,
        new RegExp(
          `^zerotel_metric_series_dropped_total\\{metric="http_request_duration_seconds"\\} ${METHODS.length - 3}$`,
          'm',
        ),
      );
      assert.equal((await request(`${base}/health`)).status, 200);
    });
  });
});
