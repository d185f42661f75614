/**
 * `--fixture FILE`: a conformance fixture's metric set scraped in every format zerotel writes (text,
 * OpenMetrics, protobuf; gzip off and on), zerotel alone. Between timed scrapes every op of the fixture is
 * applied once more, so the values move as they would between two real scrapes.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseFixture, type Fixture } from '../../lib/fixture/fixture.js';
import { runFixture } from '../../lib/fixture/run.js';
import type { Registry } from '../../lib/index.js';
import type { BenchGroup, BenchOptions } from '../group.js';
import { interleave, statsOf, type Contender } from '../measure.js';
import { FORMAT_VARIANTS, formatMeasureName, scrapeBytes } from './formats.js';

function prefix(options: BenchOptions): string {
  return `fixture ${basename(options.fixture ?? 'none', '.json')}`;
}

/** Applies every op of the fixture again; returns false (and stops trying) when one is refused. */
function replayer(fixture: Fixture, registry: Registry): () => void {
  const metrics = registry.collectors() as unknown as Record<string, unknown>[];
  let working = metrics.length === fixture.families.length;
  return () => {
    if (!working) return;
    try {
      for (let i = 0; i < fixture.families.length; i++) {
        const family = fixture.families[i]!;
        const metric = metrics[i]!;
        for (const op of family.ops) {
          const target = (
            family.labels.length === 0
              ? metric
              : (metric.labels as (...v: string[]) => unknown).apply(metric, [...op.labels])
          ) as Record<string, (v?: number) => void>;
          if (op.value === undefined) target[op.op]!();
          else target[op.op]!(op.value);
        }
      }
    } catch {
      working = false;
    }
  };
}

export const fixtureGroup: BenchGroup = {
  id: 'fixture',
  title: 'A conformance fixture in every format',
  mode: 'fixture',
  measureNames: (options) => FORMAT_VARIANTS.map((v) => formatMeasureName(prefix(options), v)),
  async run(ctx) {
    const file = ctx.options.fixture;
    if (file === undefined) throw new Error('no fixture given');
    const fixture = parseFixture(readFileSync(file, 'utf8'));
    const outcome = runFixture(fixture);
    if (!outcome.ok) {
      throw new Error(`the fixture is refused at stage ${outcome.failure.stage}: ${outcome.failure.message}`);
    }
    const registry = outcome.registry;
    const replay = replayer(fixture, registry);
    const collect = () => registry.collect();
    const variants = FORMAT_VARIANTS.filter((v) => ctx.wants(formatMeasureName(prefix(ctx.options), v)));
    if (variants.length === 0) return;
    const sizes = new Map(
      variants.map((v) => [formatMeasureName(prefix(ctx.options), v), scrapeBytes(collect, v).length]),
    );
    const contenders: Contender[] = variants.map((v) => ({
      name: formatMeasureName(prefix(ctx.options), v),
      before: replay,
      run: () => scrapeBytes(collect, v),
    }));
    const series = outcome.families.reduce((n, f) => n + f.series.length, 0);
    const samples = await interleave(contenders, {
      ...(ctx.options.quick ? { warmup: 20, samples: 60 } : { warmup: 100, samples: 400 }),
      onRound: (round, total) => ctx.progress(`${prefix(ctx.options)}: round ${round}/${total}`),
    });
    const all = statsOf(samples, 1e-3);
    for (const v of variants) {
      const name = formatMeasureName(prefix(ctx.options), v);
      ctx.emit({
        name,
        unit: 'µs',
        contenders: { zerotel: all[name]! },
        info: { bytes: sizes.get(name)!, families: outcome.families.length, series },
      });
    }
  },
};
