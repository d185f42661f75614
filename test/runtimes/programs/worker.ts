/**
 * The suite as a workerd worker (no nodejs_compat): `GET /metrics` serves W1 through metricsFetchHandler,
 * `POST /suite` takes the fixtures as JSON and answers the suite's bytes (see suite.ts).
 */
import { metricsFetchHandler } from '../../../lib/metrics/index.js';
import { runSuite, w1Registry, type SuiteInput } from './suite.js';

// Built on the first request: workerd allows no heavy work, timers or randomness while loading.
let serveMetrics: ((request: Request) => Promise<Response>) | undefined;

export default {
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === '/metrics') {
      serveMetrics ??= metricsFetchHandler({ registry: w1Registry() });
      return serveMetrics(request);
    }
    if (path === '/suite' && request.method === 'POST') {
      const input = (await request.json()) as SuiteInput;
      return new Response(runSuite(input), { headers: { 'Content-Type': 'application/octet-stream' } });
    }
    return new Response(`no route for ${request.method} ${path}\n`, { status: 404 });
  },
};
