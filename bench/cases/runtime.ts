/**
 * Runtime metrics, in µs per operation:
 *  R1 one collect of the go_* set (the spec's OPA surface; target below 50 µs), zerotel alone since no peer
 *     has a go_* set for Node;
 *  R2 a text scrape of every runtime set: zerotel's go_* + process_* + nodejs_* against prom-client's
 *     collectDefaultMetrics() registry, each in its own registry.
 * Every sample runs the operation a fixed number of times; the first collects (descriptor and label text
 * caches, first /proc reads) fall in the warm-up.
 */
import * as prom from 'prom-client';
import { collectRuntimeMetrics, GoCollector, Registry, formatText, type FamilySnapshot } from '../../lib/index.js';
import type { BenchGroup } from '../group.js';
import { interleave, statsOf, type Contender } from '../measure.js';

export const RUNTIME_NAMES = {
  R1: 'R1 go_* collect',
  R2: 'R2 runtime sets text scrape',
} as const;

export const runtimeGroup: BenchGroup = {
  id: 'runtime',
  title: 'Runtime metrics collect cost',
  mode: 'standard',
  measureNames: () => Object.values(RUNTIME_NAMES),
  async run(ctx) {
    const quick = ctx.options.quick;
    const plan = quick ? { warmup: 10, samples: 40 } : { warmup: 30, samples: 200 };

    if (ctx.wants(RUNTIME_NAMES.R1)) {
      const collector = new GoCollector();
      const out: FamilySnapshot[] = [];
      const n = 50;
      const contenders: Contender[] = [
        {
          name: 'zerotel',
          run: () => {
            for (let i = 0; i < n; i++) {
              out.length = 0;
              collector.collect(out);
            }
            return out.length;
          },
        },
      ];
      const samples = await interleave(contenders, {
        ...plan,
        onRound: (round, total) => ctx.progress(`${RUNTIME_NAMES.R1}: round ${round}/${total}`),
      });
      collector.stop();
      ctx.emit({
        name: RUNTIME_NAMES.R1,
        unit: 'µs',
        contenders: statsOf(samples, 1e-3 / n),
        info: { families: out.length, target: 'below 50 µs' },
      });
    }

    if (ctx.wants(RUNTIME_NAMES.R2)) {
      const registry = new Registry();
      const handle = collectRuntimeMetrics({ registry });
      const promRegistry = new prom.Registry();
      prom.collectDefaultMetrics({ register: promRegistry });
      const n = 5;
      const contenders: Contender[] = [
        {
          name: 'zerotel',
          run: () => {
            let text = '';
            for (let i = 0; i < n; i++) text = formatText(registry.collect());
            return text;
          },
        },
        {
          name: 'prom-client',
          run: async () => {
            let text = '';
            for (let i = 0; i < n; i++) text = await promRegistry.metrics();
            return text;
          },
        },
      ];
      const samples = await interleave(contenders, {
        ...plan,
        onRound: (round, total) => ctx.progress(`${RUNTIME_NAMES.R2}: round ${round}/${total}`),
      });
      handle.stop();
      ctx.emit({
        name: RUNTIME_NAMES.R2,
        unit: 'µs',
        contenders: statsOf(samples, 1e-3 / n),
        mainPeer: 'prom-client',
        info: { zerotel: 'go_* + process_* + nodejs_*', 'prom-client': 'collectDefaultMetrics()' },
      });
    }
  },
};
