/**
 * zerotel/prom-client against prom-client, each used exactly as prom-client's users write it:
 * C1 `labels(...).inc()`, C2 `inc({labels})`, C3 `observe({labels}, v)` (ns/op, rotating over the 100 W1
 * label sets), C4 `register.metrics()` on W1 (every series changed before each scrape), C5 the cluster
 * aggregation of W1 from 4 node:cluster workers (`clusterMetrics()`, both libraries in the same workers).
 */
import type { Worker } from 'node:cluster';
import * as prom from 'prom-client';
import * as compat from '../../lib/compat/prom-client/index.js';
import { forkWorkers, stopWorkers } from '../cluster-workers.js';
import type { BenchContext, BenchGroup } from '../group.js';
import { interleave, statsOf, type Contender } from '../measure.js';
import { promApiSink } from '../prom-api-sink.js';
import { recordingSink } from '../recording-sink.js';
import { buildW1, mulberry32, W1_LABEL_NAMES, W1_LABEL_SETS } from '../workloads.js';

export const COMPAT_NAMES = {
  C1: 'C1 compat labels().inc()',
  C2: 'C2 compat inc({labels})',
  C3: 'C3 compat observe({labels}, v)',
  C4: 'C4 compat W1 register.metrics()',
  C5: 'C5 compat W1 cluster aggregation, 4 workers',
} as const;

const VALUES = (() => {
  const r = mulberry32(7);
  const values = new Float64Array(1024);
  for (let i = 0; i < values.length; i++) values[i] = r() * 12;
  return values;
})();

const SETS = W1_LABEL_SETS;
const OBJECTS = SETS.map(([method, code, handler]) => ({ method: method!, code: code!, handler: handler! }));
const labelNames = [...W1_LABEL_NAMES];

/** Each contender runs its own copy of the loop, so no call site is shared between the two libraries. */
const HOT: Record<'C1' | 'C2' | 'C3', (n: number) => Contender[]> = {
  C1: (n) => {
    const z = new compat.Counter({ name: 'c1_total', help: 'C1.', labelNames, registers: [new compat.Registry()] });
    const p = new prom.Counter({ name: 'c1_total', help: 'C1.', labelNames, registers: [new prom.Registry()] });
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
            p.labels(s[0]!, s[1]!, s[2]!).inc();
            if (++j === 100) j = 0;
          }
          return p;
        },
      },
    ];
  },
  C2: (n) => {
    const z = new compat.Counter({ name: 'c2_total', help: 'C2.', labelNames, registers: [new compat.Registry()] });
    const p = new prom.Counter({ name: 'c2_total', help: 'C2.', labelNames, registers: [new prom.Registry()] });
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            z.inc(OBJECTS[j]!);
            if (++j === 100) j = 0;
          }
          return z;
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            p.inc(OBJECTS[j]!);
            if (++j === 100) j = 0;
          }
          return p;
        },
      },
    ];
  },
  C3: (n) => {
    const z = new compat.Histogram({ name: 'c3_seconds', help: 'C3.', labelNames, registers: [new compat.Registry()] });
    const p = new prom.Histogram({ name: 'c3_seconds', help: 'C3.', labelNames, registers: [new prom.Registry()] });
    return [
      {
        name: 'zerotel',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            z.observe(OBJECTS[j]!, VALUES[i & 1023]!);
            if (++j === 100) j = 0;
          }
          return z;
        },
      },
      {
        name: 'prom-client',
        run: () => {
          for (let i = 0, j = 0; i < n; i++) {
            p.observe(OBJECTS[j]!, VALUES[i & 1023]!);
            if (++j === 100) j = 0;
          }
          return p;
        },
      },
    ];
  },
};

async function runHot(ctx: BenchContext, key: keyof typeof HOT): Promise<void> {
  const name = COMPAT_NAMES[key];
  if (!ctx.wants(name)) return;
  const n = ctx.options.quick ? 100_000 : 1_000_000;
  const samples = await interleave(HOT[key](n), {
    ...(ctx.options.quick ? { warmup: 3, samples: 9 } : { warmup: 4, samples: 15 }),
    onRound: (round, total) => ctx.progress(`${name}: round ${round}/${total}`),
  });
  ctx.emit({
    name,
    unit: 'ns/op',
    contenders: statsOf(samples, 1 / n),
    mainPeer: 'prom-client',
    info: { 'operations per sample': n },
  });
}

async function runScrape(ctx: BenchContext): Promise<void> {
  const name = COMPAT_NAMES.C4;
  if (!ctx.wants(name)) return;
  const zRegistry = new compat.Registry();
  const pRegistry = new prom.Registry();
  const z = recordingSink(promApiSink(compat, zRegistry));
  const p = recordingSink(promApiSink(prom, pRegistry));
  buildW1(z.sink);
  buildW1(p.sink);
  const change = { gauge: 1000, histogram: 12 };
  const samples = await interleave(
    [
      { name: 'zerotel', before: z.changer(change), run: () => zRegistry.metrics() },
      { name: 'prom-client', before: p.changer(change), run: () => pRegistry.metrics() },
    ],
    {
      ...(ctx.options.quick ? { warmup: 3, samples: 15 } : { warmup: 8, samples: 40 }),
      collectGarbage: true,
      onRound: (round, total) => ctx.progress(`${name}: round ${round}/${total}`),
    },
  );
  ctx.emit({
    name,
    unit: 'ms',
    contenders: statsOf(samples, 1e-6),
    mainPeer: 'prom-client',
    info: { series: z.size() },
  });
}

async function runCluster(ctx: BenchContext): Promise<void> {
  const name = COMPAT_NAMES.C5;
  if (!ctx.wants(name)) return;
  ctx.progress(`${name}: starting 4 workers`);
  let workers: Worker[] = [];
  try {
    workers = await forkWorkers(4, 'w1', 120_000);
    const zAggregator = new compat.AggregatorRegistry();
    const pAggregator = new prom.AggregatorRegistry();
    const samples = await interleave(
      [
        { name: 'zerotel', run: () => zAggregator.clusterMetrics() },
        { name: 'prom-client', run: () => pAggregator.clusterMetrics() },
      ],
      {
        ...(ctx.options.quick ? { warmup: 2, samples: 9 } : { warmup: 4, samples: 21 }),
        onRound: (round, total) => ctx.progress(`${name}: round ${round}/${total}`),
      },
    );
    ctx.emit({
      name,
      unit: 'ms',
      contenders: statsOf(samples, 1e-6),
      mainPeer: 'prom-client',
      info: { workers: 4, 'series per worker': 3000 },
    });
  } finally {
    stopWorkers(workers);
  }
}

export const compatGroup: BenchGroup = {
  id: 'compat',
  title: 'zerotel/prom-client against prom-client',
  mode: 'standard',
  measureNames: () => Object.values(COMPAT_NAMES),
  async run(ctx) {
    for (const key of ['C1', 'C2', 'C3'] as const) await runHot(ctx, key);
    await runScrape(ctx);
    await runCluster(ctx);
  },
};
