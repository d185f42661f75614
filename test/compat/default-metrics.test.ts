/**
 * collectDefaultMetrics through zerotel/prom-client registers prom-client's families, every one, with its
 * names, types, help texts, aggregators and label names; compared in one process with prom-client's own.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as prom from 'prom-client';
import * as compat from '../../lib/compat/prom-client/index.js';
import { runtimeResourceCounts } from '../../lib/runtime/index.js';

const config = {
  prefix: 'app_',
  labels: { service: 'api', zone: 'z1' },
  gcDurationBuckets: [0.01, 0.1, 1],
  eventLoopMonitoringPrecision: 5,
};

interface FamilyShape {
  type: string;
  help: string;
  aggregator: string;
  labelNames: string[];
}

/** Each family's type, help, aggregator and the label names its values carry (without le). */
async function shapes(registry: { getMetricsAsJSON(): Promise<any[]> }): Promise<Map<string, FamilyShape>> {
  const out = new Map<string, FamilyShape>();
  for (const m of await registry.getMetricsAsJSON()) {
    const names = new Set<string>();
    for (const v of m.values) for (const k of Object.keys(v.labels)) if (k !== 'le') names.add(k);
    out.set(m.name, { type: m.type, help: m.help, aggregator: m.aggregator, labelNames: [...names].sort() });
  }
  return out;
}

describe('collectDefaultMetrics', () => {
  const p = new prom.Registry();
  const z = new compat.Registry();
  prom.collectDefaultMetrics({ ...config, register: p });
  compat.collectDefaultMetrics({ ...config, register: z });

  after(() => z.clear());

  it('registers the same families as prom-client, with the same types, help texts and aggregators', async () => {
    const pm = p.getMetricsAsArray() as any[];
    const zm = z.getMetricsAsArray() as any[];
    assert.equal(zm.length, pm.length);
    const describe = (list: any[]) => list.map((m) => [m.name, m.type, m.help, m.aggregator]).sort();
    assert.deepEqual(describe(zm), describe(pm));
  });

  it('gives each family the label names prom-client gives it, once values are sampled', async () => {
    // A short pause: the event-loop lag is measured from one scrape to the next.
    await shapes(z);
    await new Promise((r) => setTimeout(r, 30));
    global.gc?.();
    const [ps, zs] = [await shapes(p), await shapes(z)];
    for (const [name, shape] of zs) {
      const expected = ps.get(name)!;
      assert.ok(expected, name);
      assert.equal(shape.type, expected.type, name);
      assert.equal(shape.help, expected.help, name);
      assert.equal(shape.aggregator, expected.aggregator, name);
      // Families without values (no GC yet, no handle of a type) have no labels to compare.
      if (shape.labelNames.length > 0 && expected.labelNames.length > 0)
        assert.deepEqual(shape.labelNames, expected.labelNames, name);
    }
    assert.deepEqual(zs.get('app_process_cpu_user_seconds_total')!.labelNames, ['service', 'zone']);
    assert.deepEqual(zs.get('app_nodejs_heap_space_size_used_bytes')!.labelNames, ['service', 'space', 'zone']);
  });

  it('writes the families with the const labels, in client_golang order', async () => {
    const text = await z.metrics();
    for (const name of [
      'app_process_cpu_user_seconds_total',
      'app_process_cpu_system_seconds_total',
      'app_process_heap_bytes',
    ]) {
      assert.match(
        text,
        new RegExp(`^# TYPE ${name} (counter|gauge)\\n${name}\\{service="api",zone="z1"\\} \\S+\\n`, 'm'),
      );
    }
    assert.match(
      text,
      /^app_nodejs_version_info\{major="\d+",minor="\d+",patch="\d+",service="api",version="v[\d.]+",zone="z1"\} 1$/m,
    );
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    assert.deepEqual(names, [...names].sort());
  });

  it('releases its monitors when the last of its families is removed', () => {
    const before = runtimeResourceCounts().delayMonitors;
    const r = new compat.Registry();
    compat.collectDefaultMetrics({ register: r });
    assert.equal(runtimeResourceCounts().delayMonitors, before + 1);
    r.removeSingleMetric('process_cpu_seconds_total');
    assert.equal(runtimeResourceCounts().delayMonitors, before + 1);
    r.clear();
    assert.equal(runtimeResourceCounts().delayMonitors, before);
  });

  it('refuses a second registration in the same registry as prom-client does', () => {
    assert.throws(
      () => compat.collectDefaultMetrics({ ...config, register: z }),
      /A metric with the name app_process_cpu_user_seconds_total has already been registered\./,
    );
    assert.throws(() => compat.collectDefaultMetrics(5 as never), /config must be null, undefined, or an object/);
    assert.deepEqual(compat.collectDefaultMetrics.metricsList, prom.collectDefaultMetrics.metricsList);
  });
});
