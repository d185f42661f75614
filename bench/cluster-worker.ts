/**
 * A cluster worker for the aggregation test and the compat bench: records the same operations into
 * prom-client's global registry and zerotel/prom-client's, answers both libraries' AggregatorRegistry requests, and
 * tells the primary when it is ready. What it records depends on WORKLOAD (test | w1) and the worker id.
 */
import cluster from 'node:cluster';
import * as prom from 'prom-client';
import * as compat from '../lib/compat/prom-client/index.js';
import { promApiSink } from './prom-api-sink.js';
import { buildW1 } from './workloads.js';

type Lib = any;

function testWorkload(lib: Lib, id: number): void {
  const c = new lib.Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['method', 'code'] });
  c.inc({ method: 'GET', code: '200' }, id);
  c.inc({ method: 'POST', code: String(200 + id) });
  const kinds = ['sum', 'first', 'min', 'max', 'average', 'omit'] as const;
  for (const aggregator of kinds) {
    const g = new lib.Gauge({
      name: `g_${aggregator}`,
      help: `Gauge aggregated by ${aggregator}.`,
      labelNames: ['shard'],
      aggregator,
    });
    // 'first' keeps whichever worker answers first: equal values keep the comparison deterministic.
    const scale = aggregator === 'first' ? 0 : id;
    g.set({ shard: 'a' }, 7 + scale * 1.5);
    if (id % 2 === 0) g.set({ shard: 'even' }, 7 + 10 * scale);
  }
  const h = new lib.Histogram({
    name: 'latency_seconds',
    help: 'Latency.',
    labelNames: ['route'],
    buckets: [0.1, 1, 10],
  });
  for (let i = 0; i < id * 3; i++) h.observe({ route: '/x' }, i / 2);
  const s = new lib.Summary({ name: 'size_bytes', help: 'Size.', percentiles: [0.5] });
  for (let i = 0; i < 10; i++) s.observe(id * 10 + i);
  lib.register.setDefaultLabels({ app: 'demo' });
  lib.collectDefaultMetrics({ prefix: 'dm_' });
}

function w1Workload(lib: Lib): void {
  buildW1(promApiSink(lib, lib.register));
}

if (cluster.isWorker) {
  new prom.AggregatorRegistry();
  new compat.AggregatorRegistry();
  const id = cluster.worker!.id;
  if (process.env.WORKLOAD === 'w1') {
    w1Workload(prom);
    w1Workload(compat);
  } else {
    testWorkload(prom, id);
    testWorkload(compat, id);
  }
  process.send!({ ready: id });
}
