/**
 * Starting and stopping the runtime collectors leaves nothing behind: no GC observer, no GC profiler, no
 * event-loop delay monitor, no lag probe, no process listener, no active resource, no registration.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectRuntimeMetrics, GoCollector, Registry, runtimeResourceCounts, writeText } from '../../lib/index.js';
import { gcObserverStats } from '../../lib/runtime/gc-observer.js';
import { forceGc, turn } from './helpers.js';

const IDLE = {
  gcListeners: 0,
  gcObserving: false,
  gcProfiling: false,
  heapAccountingUsers: 0,
  delayMonitors: 0,
  pendingProbes: 0,
};

function listenerCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.eventNames()) counts[String(name)] = process.listenerCount(name);
  return counts;
}

describe('runtime collectors lifecycle', () => {
  it('1,000 start/stop cycles of all three sets leave no observer, listener, resource or registration', async () => {
    const gc = forceGc();
    await turn();
    const registry = new Registry();
    const resourcesBefore = process.getActiveResourcesInfo().sort();
    const listenersBefore = listenerCounts();
    const statsBefore = gcObserverStats();
    assert.deepEqual(runtimeResourceCounts(), IDLE);

    for (let i = 0; i < 1000; i++) {
      const handle = collectRuntimeMetrics({ registry });
      assert.equal(registry.collectors().length, 3);
      if (i % 50 === 0) {
        // Scrape (which schedules a lag probe) and collect garbage while the collectors are live.
        assert.ok(writeText(registry.collect()).includes('go_gc_duration_seconds_count'));
        if (i % 200 === 0) gc();
      }
      if (i % 100 === 0) await turn();
      handle.stop();
      handle.stop();
    }
    await turn();

    assert.deepEqual(runtimeResourceCounts(), IDLE);
    assert.equal(registry.collectors().length, 0);
    const statsAfter = gcObserverStats();
    assert.equal(statsAfter.observersCreated - statsBefore.observersCreated, 1000);
    assert.equal(statsAfter.observersCreated, statsAfter.observersDisconnected);
    assert.deepEqual(listenerCounts(), listenersBefore);
    assert.deepEqual(process.getActiveResourcesInfo().sort(), resourcesBefore);
  });

  it('overlapping users share one GC observer, which ends with the last of them', () => {
    const created = gcObserverStats().observersCreated;
    const a = collectRuntimeMetrics({ registry: new Registry() });
    const b = collectRuntimeMetrics({ registry: new Registry(), sets: ['go'] });
    const extra = new GoCollector();
    let stats = gcObserverStats();
    assert.equal(stats.observersCreated, created + 1);
    assert.equal(stats.observing, true);
    assert.equal(runtimeResourceCounts().heapAccountingUsers, 3);
    a.stop();
    extra.stop();
    assert.equal(gcObserverStats().observing, true);
    b.stop();
    stats = gcObserverStats();
    assert.equal(stats.observing, false);
    assert.equal(stats.observersCreated, created + 1);
    assert.deepEqual(runtimeResourceCounts(), IDLE);
  });

  it('a failed registration releases what it started and registers nothing', () => {
    const registry = new Registry();
    const first = collectRuntimeMetrics({ registry, sets: ['nodejs'] });
    assert.throws(() => collectRuntimeMetrics({ registry, sets: ['go', 'process', 'nodejs'] }), /already|registered/);
    assert.equal(registry.collectors().length, 1);
    first.stop();
    assert.equal(registry.collectors().length, 0);
    assert.deepEqual(runtimeResourceCounts(), IDLE);
    assert.throws(
      () => collectRuntimeMetrics({ registry, constLabels: { 'bad-name': 'x' } }),
      /not a valid label name/,
    );
    assert.throws(() => collectRuntimeMetrics({ registry, sets: ['python' as 'go'] }), /unknown runtime metric set/);
    assert.equal(registry.collectors().length, 0);
    assert.deepEqual(runtimeResourceCounts(), IDLE);
  });

  it('prefix and const labels apply to all three sets', () => {
    const registry = new Registry();
    const handle = collectRuntimeMetrics({ registry, prefix: 'svc_', constLabels: { instance: 'a' } });
    try {
      const families = registry.collect();
      assert.ok(families.length > 40);
      for (const f of families) {
        assert.match(f.name, /^svc_(go|process|nodejs)_/);
        for (const s of f.series) assert.ok(s.labels.text.includes('instance="a"'), `${f.name} {${s.labels.text}}`);
      }
    } finally {
      handle.stop();
    }
  });
});
