/**
 * Hot paths, in ns per operation: what instrumented code pays on every request.
 * H1 bound counter child `inc()`, H2 label lookup + `inc()`, H3 bound histogram child `observe(v)` (default
 * buckets), H4 label lookup + `observe(v)`, H2r/H4r as H2/H4 rotating over the 100 W1 label sets.
 * Each contender has its own loop (its own function), so no call site is shared between peers; the
 * instruments live in registries that outlive the loops, so the updates cannot be optimised away.
 */
import * as prom from 'prom-client';
import { Counter, Histogram, Registry } from '../../lib/index.js';
import type { BenchGroup, BenchContext } from '../group.js';
import { GO_PEER, startGoPeer } from '../go-peer.js';
import { interleave, statsOf, type Contender } from '../measure.js';
import { mulberry32, W1_LABEL_NAMES, W1_LABEL_SETS } from '../workloads.js';

export const HOT_PATH_NAMES = {
  H1: 'H1 bound counter inc',
  H2: 'H2 labels + inc',
  H3: 'H3 bound histogram observe',
  H4: 'H4 labels + observe',
  H2r: 'H2r labels + inc, 100 label sets',
  H4r: 'H4r labels + observe, 100 label sets',
} as const;

/** Observed values: r * 12 as in W1, so every default bucket and +Inf get hits. */
export const VALUES = (() => {
  const r = mulberry32(42);
  const values = new Float64Array(1024);
  for (let i = 0; i < values.length; i++) values[i] = r() * 12;
  return values;
})();

const SETS = W1_LABEL_SETS;
const labelNames = [...W1_LABEL_NAMES];

function zCounter(): Counter {
  return new Counter({ name: 'hot_total', help: 'Hot path counter.', labelNames, registers: [new Registry()] });
}
function zHistogram(): Histogram {
  return new Histogram({ name: 'hot_seconds', help: 'Hot path histogram.', labelNames, registers: [new Registry()] });
}
function pCounter(): prom.Counter {
  return new prom.Counter({
    name: 'hot_total',
    help: 'Hot path counter.',
    labelNames,
    registers: [new prom.Registry()],
  });
}
function pHistogram(): prom.Histogram {
  return new prom.Histogram({
    name: 'hot_seconds',
    help: 'Hot path histogram.',
    labelNames,
    registers: [new prom.Registry()],
  });
}

/** The two contenders of each hot path, each running `n` operations per sample. */
const CASES: Record<keyof typeof HOT_PATH_NAMES, (n: number) => [Contender, Contender]> = {
  H1: (n) => {
    const z = zCounter().labels('GET', '200', 'v1/data');
    const p = pCounter().labels('GET', '200', 'v1/data');
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0; i < n; i++) z.inc();
          return z.get();
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0; i < n; i++) p.inc();
          return p;
        },
      },
    ];
  },
  H2: (n) => {
    const z = zCounter();
    const p = pCounter();
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0; i < n; i++) z.labels('GET', '200', 'v1/data').inc();
          return z;
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0; i < n; i++) p.inc({ method: 'GET', code: '200', handler: 'v1/data' });
          return p;
        },
      },
    ];
  },
  H3: (n) => {
    const z = zHistogram().labels('GET', '200', 'v1/data');
    const p = pHistogram().labels('GET', '200', 'v1/data');
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0; i < n; i++) z.observe(VALUES[i & 1023]!);
          return z;
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0; i < n; i++) p.observe(VALUES[i & 1023]!);
          return p;
        },
      },
    ];
  },
  H4: (n) => {
    const z = zHistogram();
    const p = pHistogram();
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0; i < n; i++) z.labels('GET', '200', 'v1/data').observe(VALUES[i & 1023]!);
          return z;
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0; i < n; i++) p.observe({ method: 'GET', code: '200', handler: 'v1/data' }, VALUES[i & 1023]!);
          return p;
        },
      },
    ];
  },
  H2r: (n) => {
    const z = zCounter();
    const p = pCounter();
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            const s = SETS[j]!;
            z.labels(s[0]!, s[1]!, s[2]!).inc();
            if (++j === 100) j = 0;
          }
          return z;
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            const s = SETS[j]!;
            p.inc({ method: s[0]!, code: s[1]!, handler: s[2]! });
            if (++j === 100) j = 0;
          }
          return p;
        },
      },
    ];
  },
  H4r: (n) => {
    const z = zHistogram();
    const p = pHistogram();
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            const s = SETS[j]!;
            z.labels(s[0]!, s[1]!, s[2]!).observe(VALUES[i & 1023]!);
            if (++j === 100) j = 0;
          }
          return z;
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            const s = SETS[j]!;
            p.observe({ method: s[0]!, code: s[1]!, handler: s[2]! }, VALUES[i & 1023]!);
            if (++j === 100) j = 0;
          }
          return p;
        },
      },
    ];
  },
};

const GO_HOT_PATHS = { H1: true, H2: true, H3: true, H4: true };

async function runHotPath(
  ctx: BenchContext,
  key: keyof typeof HOT_PATH_NAMES,
  go: ReturnType<typeof startGoPeer> | undefined,
): Promise<void> {
  const name = HOT_PATH_NAMES[key];
  if (!ctx.wants(name)) return;
  const n = ctx.options.quick ? 100_000 : 1_000_000;
  const contenders: Contender[] = CASES[key](n);
  const info: Record<string, string | number> = { 'operations per sample': n };
  // client_golang's own H1-H4 when Go is installed, sampled in the same rounds.
  if (go !== undefined && 'hot' in go && key in GO_HOT_PATHS) {
    contenders.push({ name: GO_PEER, run: () => undefined, timedElsewhere: () => go.hot(key as 'H1', n) });
  } else if (go !== undefined && 'missing' in go && key in GO_HOT_PATHS) {
    info['client_golang'] = `not measured: ${go.missing}`;
  }
  const samples = await interleave(contenders, {
    ...(ctx.options.quick ? { warmup: 3, samples: 9 } : { warmup: 4, samples: 15 }),
    onRound: (round, total) => ctx.progress(`${name}: round ${round}/${total}`),
  });
  ctx.emit({ name, unit: 'ns/op', contenders: statsOf(samples, 1 / n), mainPeer: 'prom-client', info });
}

export const hotPathsGroup: BenchGroup = {
  id: 'hot-paths',
  title: 'Hot paths H1-H4, H2r, H4r',
  mode: 'standard',
  measureNames: () => Object.values(HOT_PATH_NAMES),
  async run(ctx) {
    const keys = Object.keys(CASES) as (keyof typeof HOT_PATH_NAMES)[];
    const go = keys.some((k) => k in GO_HOT_PATHS && ctx.wants(HOT_PATH_NAMES[k])) ? startGoPeer() : undefined;
    try {
      for (const key of keys) await runHotPath(ctx, key, go);
    } finally {
      if (go !== undefined && 'close' in go) go.close();
    }
  },
};
