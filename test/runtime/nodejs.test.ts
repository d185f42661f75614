/**
 * The nodejs_* set against prom-client itself: the same family names, types, help texts and label names
 * that prom-client's collectDefaultMetrics() writes, so its dashboards keep working.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';
import { NodejsCollector, Registry, type FamilySnapshot } from '../../lib/index.js';
import { family, forceGc, until, valueOf } from './helpers.js';

interface PromFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly { readonly labels: Record<string, string | number>; readonly value: number }[];
}

describe('nodejs_* set', () => {
  const server = createServer();
  const timer = setInterval(() => {}, 60_000);
  const registry = new Registry();
  const collector = new NodejsCollector();
  const promRegistry = new PromRegistry();

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry.register(collector);
    collectDefaultMetrics({ register: promRegistry });
    forceGc()();
    // Let the lag probes, delay samples and GC entries of both libraries arrive.
    registry.collect();
    await promRegistry.getMetricsAsJSON();
    await until(() => {
      const names = registry.collect().map((f) => f.name);
      return names.includes('nodejs_eventloop_lag_seconds') && names.includes('nodejs_eventloop_lag_p99_seconds');
    }, 'lag figures');
    await new Promise((resolve) => setTimeout(resolve, 30));
  });

  after(async () => {
    registry.unregister(collector);
    collector.stop();
    clearInterval(timer);
    await new Promise((resolve) => server.close(resolve));
  });

  async function both(): Promise<{ ours: FamilySnapshot[]; theirs: PromFamily[] }> {
    const ours = registry.collect();
    const theirs = ((await promRegistry.getMetricsAsJSON()) as unknown as PromFamily[]).filter((f) =>
      f.name.startsWith('nodejs_'),
    );
    return { ours, theirs };
  }

  it("writes every nodejs_* family of prom-client's default metrics with the same help, type and label names", async () => {
    const { ours, theirs } = await both();
    assert.ok(theirs.length >= 20, `prom-client wrote ${theirs.length} nodejs_* families`);
    const described = new Map(collector.describe().map((d) => [d.name, d]));
    for (const p of theirs) {
      const d = described.get(p.name);
      assert.ok(d, `${p.name} is not described`);
      assert.equal(d.help, p.help, `described help of ${p.name}`);
      // prom-client writes a family without samples (e.g. no active requests); a registry drops it.
      if (p.values.length === 0) continue;
      const z = family(ours, p.name);
      assert.equal(z.help, p.help, `help of ${p.name}`);
      assert.equal(z.type, p.type, `type of ${p.name}`);
      const theirNames = new Set<string>();
      for (const v of p.values) for (const k of Object.keys(v.labels)) if (k !== 'le') theirNames.add(k);
      const ourNames = new Set<string>(z.series.flatMap((s) => s.labels.names));
      assert.deepEqual([...ourNames].sort(), [...theirNames].sort(), `label names of ${p.name}`);
    }
    const extra = [...described.keys()].filter((n) => !theirs.some((p) => p.name === n));
    assert.deepEqual(extra, [], 'families prom-client does not write');
  });

  it('heap spaces, version info and GC buckets carry the same label values as prom-client', async () => {
    const { ours, theirs } = await both();
    for (const name of ['nodejs_heap_space_size_total_bytes', 'nodejs_version_info']) {
      const p = theirs.find((f) => f.name === name)!;
      const theirSets = p.values.map((v) =>
        JSON.stringify(
          Object.entries(v.labels)
            .map(([k, x]) => [k, String(x)])
            .sort(),
        ),
      );
      const ourSets = family(ours, name).series.map((s) =>
        JSON.stringify(s.labels.names.map((n, i) => [n, s.labels.values[i]])),
      );
      assert.deepEqual(ourSets.sort(), theirSets.sort(), name);
    }
    const gc = family(ours, 'nodejs_gc_duration_seconds');
    assert.deepEqual(gc.upperBounds, [0.001, 0.01, 0.1, 1, 2, 5]);
  });

  it('counts handles by class and resources by type', () => {
    const families = registry.collect();
    const handles = family(families, 'nodejs_active_handles');
    const server = handles.series.find((s) => s.labels.values[0] === 'Server');
    assert.ok(server && server.value >= 1, handles.series.map((s) => s.labels.text).join(' '));
    const resources = family(families, 'nodejs_active_resources');
    const total = resources.series.reduce((n, s) => n + s.value, 0);
    assert.equal(total, valueOf(families, 'nodejs_active_resources_total'));
    const values = resources.series.map((s) => s.labels.values[0]!);
    assert.deepEqual(values, [...values].sort());
  });

  it('forced collections land in the major bucket series; buckets are cumulative', async () => {
    const major = () =>
      family(registry.collect(), 'nodejs_gc_duration_seconds').series.find((s) => s.labels.values[0] === 'major');
    const countBefore = major()?.count ?? 0;
    const gc = forceGc();
    gc();
    gc();
    await until(() => (major()?.count ?? 0) >= countBefore + 2, 'major GC entries');
    const s = major()!;
    const buckets = Array.from(s.buckets!);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i - 1]! <= buckets[i]!);
    assert.ok(buckets[buckets.length - 1]! <= s.count);
    assert.ok(s.sum > 0);
  });

  it('event-loop lag figures are in seconds and ordered', () => {
    const families = registry.collect();
    const lag = valueOf(families, 'nodejs_eventloop_lag_seconds');
    assert.ok(lag >= 0 && lag < 60);
    const names = families.map((f) => f.name);
    if (names.includes('nodejs_eventloop_lag_min_seconds')) {
      const min = valueOf(families, 'nodejs_eventloop_lag_min_seconds');
      const p50 = valueOf(families, 'nodejs_eventloop_lag_p50_seconds');
      const p99 = valueOf(families, 'nodejs_eventloop_lag_p99_seconds');
      const max = valueOf(families, 'nodejs_eventloop_lag_max_seconds');
      assert.ok(min > 0 && min <= p50 && p50 <= p99 && p99 <= max && max < 60, `${min} ${p50} ${p99} ${max}`);
    }
  });

  it('refuses "le" as a const label and buckets that do not increase', () => {
    assert.throws(() => new NodejsCollector({ constLabels: { le: '1' } }), /reserved/);
    assert.throws(() => new NodejsCollector({ gcDurationBuckets: [1, 1] }), /increasing/);
    assert.throws(() => new NodejsCollector({ constLabels: { kind: 'x' } }), /duplicate label names/);
  });
});
