/**
 * The go_* set: exact HELP/TYPE lines against the spec's table, GC figures that move with real collections,
 * counters that never go back, go_threads against /proc, and 0 for the metrics Node has no analog for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GO_INFO_VERSION, GO_METRICS, GO_SOURCES, GoCollector, Registry, writeText } from '../../lib/index.js';
import { family, forceGc, until, valueOf } from './helpers.js';

interface SpecRow {
  readonly name: string;
  readonly type: string;
  readonly help: string;
}

/** The go_* rows of the spec table copied into go-metrics-spec.md. */
function specRows(): SpecRow[] {
  const text = readFileSync(new URL('./go-metrics-spec.md', import.meta.url), 'utf8');
  const rows: SpecRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\| (go_\w+) \| (\w+) \| (.*) \|$/.exec(line);
    if (m) rows.push({ name: m[1]!, type: m[2]!, help: m[3]! });
  }
  return rows;
}

function withCollector<T>(fn: (registry: Registry, collector: GoCollector) => T): T {
  const registry = new Registry();
  const collector = new GoCollector();
  registry.register(collector);
  try {
    return fn(registry, collector);
  } finally {
    registry.unregister(collector);
    collector.stop();
  }
}

function readThreadsLine(): number {
  const m = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
  assert.ok(m, 'no Threads: line in /proc/self/status');
  return Number(m[1]);
}

describe('go_* set', () => {
  const rows = specRows();

  it('the fixture holds the 28 go_* rows of the spec', () => {
    assert.equal(rows.length, 28);
  });

  it('writes every metric of the spec with its exact HELP and TYPE lines, and nothing else', () => {
    withCollector((registry) => {
      const text = writeText(registry.collect());
      for (const row of rows) {
        assert.ok(
          text.includes(`# HELP ${row.name} ${row.help}\n# TYPE ${row.name} ${row.type}\n`),
          `HELP/TYPE of ${row.name}`,
        );
      }
      const written = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
      assert.deepEqual(written, rows.map((r) => r.name).sort());
    });
  });

  it('declares the same table it writes, and documents a source for every metric', () => {
    assert.deepEqual(
      GO_METRICS.map(([name, type, help]) => ({ name, type, help })),
      rows,
    );
    assert.deepEqual(Object.keys(GO_SOURCES).sort(), rows.map((r) => r.name).sort());
  });

  it('go_info carries the Node version; metrics without analog are 0', () => {
    withCollector((registry) => {
      const families = registry.collect();
      const info = family(families, 'go_info');
      assert.equal(info.series.length, 1);
      assert.equal(info.series[0]!.labels.text, `version="${GO_INFO_VERSION}"`);
      assert.equal(GO_INFO_VERSION, process.version);
      assert.equal(info.series[0]!.value, 1);
      for (const [name, [, fidelity]] of Object.entries(GO_SOURCES)) {
        if (fidelity === 'none') assert.equal(valueOf(families, name), 0, `${name} has no analog and must be 0`);
      }
    });
  });

  it('memory figures agree with each other as in Go (sys = heap_sys + other_sys, idle + inuse = heap_sys)', () => {
    withCollector((registry) => {
      const f = registry.collect();
      const heapSys = valueOf(f, 'go_memstats_heap_sys_bytes');
      assert.ok(heapSys > 0);
      assert.equal(valueOf(f, 'go_memstats_heap_idle_bytes') + valueOf(f, 'go_memstats_heap_inuse_bytes'), heapSys);
      assert.equal(valueOf(f, 'go_memstats_sys_bytes'), heapSys + valueOf(f, 'go_memstats_other_sys_bytes'));
      assert.equal(valueOf(f, 'go_memstats_alloc_bytes'), valueOf(f, 'go_memstats_heap_alloc_bytes'));
      assert.ok(valueOf(f, 'go_memstats_alloc_bytes_total') >= valueOf(f, 'go_memstats_alloc_bytes'));
    });
  });

  it('forced collections raise _count and _sum, move last_gc_time and keep quantiles ordered', async () => {
    const gc = forceGc();
    const registry = new Registry();
    const collector = new GoCollector();
    registry.register(collector);
    try {
      const summary = () => family(registry.collect(), 'go_gc_duration_seconds').series[0]!;
      const lastGc = () => valueOf(registry.collect(), 'go_memstats_last_gc_time_seconds');
      const before = summary();
      const lastBefore = lastGc();
      const wallBefore = Date.now() / 1000;
      for (let i = 0; i < 3; i++) gc();
      await until(() => summary().count >= before.count + 3, 'three GC entries');
      const after = summary();
      assert.ok(after.count >= before.count + 3, `count ${before.count} -> ${after.count}`);
      assert.ok(after.sum > before.sum, `sum ${before.sum} -> ${after.sum}`);
      const lastAfter = lastGc();
      assert.ok(lastAfter > lastBefore, `last_gc_time ${lastBefore} -> ${lastAfter}`);
      // A clock, not a stopwatch: the last GC happened after we asked for it, give or take clock rounding.
      assert.ok(lastAfter >= wallBefore - 1 && lastAfter <= Date.now() / 1000 + 1, `last_gc_time ${lastAfter}`);
      const q = Array.from(after.quantiles!);
      assert.equal(q.length, 5);
      for (let i = 1; i < q.length; i++) assert.ok(q[i - 1]! <= q[i]!, `quantiles out of order: ${q}`);
      assert.ok(q[0]! >= 0 && q[4]! > 0);
      assert.ok(q[4]! <= after.sum);
    } finally {
      registry.unregister(collector);
      collector.stop();
    }
  });

  it('computes quantiles over the last 256 pauses as Go does (element len*i/4, the maximum last)', () => {
    const collector = new GoCollector();
    try {
      const feed = (collector as unknown as { onGc(kind: number, start: number, ms: number): void }).onGc.bind(
        collector,
      );
      const collect = () => {
        const out: Parameters<GoCollector['collect']>[0] = [];
        collector.collect(out);
        return family(out, 'go_gc_duration_seconds').series[0]!;
      };
      const initial = collect();
      // Pauses 10 ms, 9 ms, ... 1 ms arrive in descending order.
      for (let ms = 10; ms >= 1; ms--) feed(0, 0, ms);
      const s = collect();
      // GC entries are delivered from the event loop, so none can arrive inside this synchronous test.
      assert.equal(initial.count, 0);
      assert.deepEqual(Array.from(initial.quantiles!), [0, 0, 0, 0, 0]);
      assert.equal(s.count, 10);
      assert.deepEqual(Array.from(s.quantiles!), [0.001, 0.003, 0.006, 0.008, 0.01]);
      assert.ok(Math.abs(s.sum - 0.055) < 1e-12);
      // Overfill the ring: only the newest 256 pauses count for the quantiles, every pause for _count.
      for (let i = 0; i < 300; i++) feed(0, 0, 1000);
      const full = collect();
      assert.equal(full.count, s.count + 300);
      assert.deepEqual(Array.from(full.quantiles!), [1, 1, 1, 1, 1]);
    } finally {
      collector.stop();
    }
  });

  it('go_memstats_alloc_bytes_total never decreases across many scrapes while allocating', () => {
    withCollector((registry) => {
      let previous = -1;
      let previousGcCount = -1;
      let keep: unknown[] = [];
      for (let scrape = 0; scrape < 300; scrape++) {
        for (let i = 0; i < 2000; i++) keep.push({ scrape, i, text: `item ${i}` });
        if (scrape % 7 === 0) keep = [];
        const families = registry.collect();
        const total = valueOf(families, 'go_memstats_alloc_bytes_total');
        assert.ok(total >= previous, `alloc_bytes_total went back at scrape ${scrape}: ${previous} -> ${total}`);
        const gcCount = family(families, 'go_gc_duration_seconds').series[0]!.count;
        assert.ok(gcCount >= previousGcCount);
        previous = total;
        previousGcCount = gcCount;
      }
      // 600,000 small objects were allocated: the total must have grown by much more than the live heap.
      assert.ok(previous > 10 * 1024 * 1024, `alloc_bytes_total ${previous} after allocating heavily`);
    });
  });

  it('go_threads equals the Threads: line of /proc/self/status', {
    skip: process.platform !== 'linux' && 'needs /proc',
  }, () => {
    withCollector((registry) => {
      for (let i = 0; i < 5; i++) {
        const threads = valueOf(registry.collect(), 'go_threads');
        const status = readThreadsLine();
        assert.equal(threads, status);
        assert.ok(threads >= 1);
      }
    });
  });

  it('go_goroutines counts the active resources keeping the loop alive', () => {
    withCollector((registry) => {
      const before = valueOf(registry.collect(), 'go_goroutines');
      const timer = setTimeout(() => {}, 60_000);
      try {
        assert.equal(valueOf(registry.collect(), 'go_goroutines'), before + 1);
        assert.equal(valueOf(registry.collect(), 'go_goroutines'), process.getActiveResourcesInfo().length);
      } finally {
        clearTimeout(timer);
      }
    });
  });

  it('prefix and const labels reach every family; reserved and clashing labels are refused', () => {
    const collector = new GoCollector({ prefix: 'app_', constLabels: { zone: 'a', env: 'x' } });
    try {
      const out: Parameters<GoCollector['collect']>[0] = [];
      collector.collect(out);
      assert.equal(out.length, 28);
      for (const f of out) {
        assert.ok(f.name.startsWith('app_go_'), f.name);
        assert.ok(f.series[0]!.labels.text.startsWith('env="x",'), f.series[0]!.labels.text);
      }
      assert.equal(family(out, 'app_go_info').series[0]!.labels.text, `env="x",version="${process.version}",zone="a"`);
    } finally {
      collector.stop();
    }
    assert.throws(() => new GoCollector({ constLabels: { quantile: '1' } }), /reserved/);
    assert.throws(() => new GoCollector({ constLabels: { version: '1' } }), /duplicate label names/);
    assert.throws(() => new GoCollector({ prefix: '0bad' }), /not a valid metric name/);
  });
});
