/**
 * AggregatorRegistry with a real node:cluster of 4 workers: the aggregated metrics of zerotel/prom-client
 * equal prom-client's for the same operations in the same workers (parsed samples; every aggregator).
 */
import assert from 'node:assert/strict';
import type { Worker } from 'node:cluster';
import { after, before, describe, it } from 'node:test';
import * as prom from 'prom-client';
import * as compat from '../../lib/compat/prom-client/index.js';
import { forkWorkers, stopWorkers } from '../../bench/cluster-workers.js';
import { parseHeaders, parseSamples, sortedEntries } from './samples.js';

describe('AggregatorRegistry over node:cluster', () => {
  let workers: Worker[] = [];
  const promAggregator = new prom.AggregatorRegistry();
  const zAggregator = new compat.AggregatorRegistry();

  before(async () => {
    workers = await forkWorkers(4, 'test');
  });
  after(() => stopWorkers(workers));

  it('aggregates 4 workers as prom-client does, for sum, first, min, max, average and omit', async () => {
    const [pText, zText] = await Promise.all([promAggregator.clusterMetrics(), zAggregator.clusterMetrics()]);
    const p = parseSamples(pText);
    const z = parseSamples(zText);
    // Quantiles come from different estimators (t-digest there, client_golang's stream here): compare the rest.
    // Default metrics (dm_*) are each process's own readings: compared below by name and aggregator only.
    const comparable = (s: Map<string, number>) =>
      sortedEntries(s).filter(([k]) => !k.includes('quantile=') && !k.startsWith('dm_'));
    assert.deepEqual(comparable(z), comparable(p));
    const families = (text: string) => [...parseHeaders(text)].filter(([n]) => !n.startsWith('dm_')).sort();
    assert.deepEqual(families(zText), families(pText));
    // Every default family zerotel writes, prom-client writes; 'omit' leaves out the start time, 'first' keeps one version.
    const defaults = (s: Map<string, number>) =>
      new Set([...s.keys()].filter((k) => k.startsWith('dm_')).map((k) => k.slice(0, k.indexOf('{'))));
    const [zd, pd] = [defaults(z), defaults(p)];
    assert.ok(zd.size >= 20, `${zd.size} default families`);
    for (const name of zd) assert.ok(pd.has(name), name);
    assert.equal(zd.has('dm_process_start_time_seconds'), false);
    assert.equal(pd.has('dm_process_start_time_seconds'), false);
    assert.equal([...z].find(([k]) => k.startsWith('dm_nodejs_version_info{'))?.[1], 1);
    assert.equal(z.get('requests_total{app="demo",code="200",method="GET"}'), 1 + 2 + 3 + 4);
    assert.equal(z.get('g_average{app="demo",shard="a"}'), 7 + ((1 + 2 + 3 + 4) * 1.5) / 4);
    assert.equal(z.get('g_min{app="demo",shard="even"}'), 7 + 20);
    assert.equal(z.get('g_max{app="demo",shard="even"}'), 7 + 40);
    assert.equal(z.get('g_first{app="demo",shard="even"}'), 7);
    assert.equal(
      [...z.keys()].some((k) => k.startsWith('g_omit')),
      false,
    );
    assert.equal(z.get('latency_seconds_count{app="demo",route="/x"}'), 3 * (1 + 2 + 3 + 4));
  });

  it('aggregate() combines getMetricsAsJSON() arrays as prom-client does', async () => {
    const r1 = new compat.Registry();
    const r2 = new compat.Registry();
    for (const [r, v] of [
      [r1, 1],
      [r2, 5],
    ] as const) {
      new compat.Gauge({ name: 'temp', help: 'Temp.', aggregator: 'max', registers: [r] }).set(v);
      new compat.Histogram({ name: 'h_seconds', help: 'H.', buckets: [1, 2], registers: [r] }).observe(v);
    }
    const aggregated = compat.AggregatorRegistry.aggregate([await r1.getMetricsAsJSON(), await r2.getMetricsAsJSON()]);
    const s = parseSamples(await aggregated.metrics());
    assert.equal(s.get('temp{}'), 5);
    assert.equal(s.get('h_seconds_bucket{le="1"}'), 1);
    assert.equal(s.get('h_seconds_bucket{le="+Inf"}'), 2);
    assert.equal(s.get('h_seconds_sum{}'), 6);
    const bad = [[{ name: 'x', help: 'x', type: 'gauge', values: [], aggregator: 'median' }]];
    assert.throws(() => compat.AggregatorRegistry.aggregate(bad), /^Error: 'median' is not a defined aggregator\.$/);
    assert.throws(() => compat.AggregatorRegistry.setRegistries([{}] as never), /Expected Registry, got object/);
  });
});
