/**
 * W1 scraped in every exposition format zerotel writes (text, OpenMetrics, protobuf), each with gzip off
 * and on: gather, encode to the bytes a scraper receives, and compress them when asked. The six variants
 * are sampled in alternating rounds against each other, on one registry changed before every scrape.
 */
import { gzipSync } from 'node:zlib';
import { Registry, renderFormat, type ExpositionFormat } from '../../lib/index.js';
import type { BenchGroup } from '../group.js';
import { interleave, statsOf, type Contender } from '../measure.js';
import { recordingSink } from '../recording-sink.js';
import { buildW1 } from '../workloads.js';
import { zerotelSink } from '../zerotel-sink.js';

export const FORMAT_LABELS: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text',
  openmetrics: 'OpenMetrics',
  protobuf: 'protobuf',
};

export interface FormatVariant {
  readonly format: ExpositionFormat;
  readonly gzip: boolean;
}

export const FORMAT_VARIANTS: readonly FormatVariant[] = (['text', 'openmetrics', 'protobuf'] as const).flatMap(
  (format) => [
    { format, gzip: false },
    { format, gzip: true },
  ],
);

/** `<prefix> <format>` or `<prefix> <format> + gzip`. */
export function formatMeasureName(prefix: string, v: FormatVariant): string {
  return `${prefix} ${FORMAT_LABELS[v.format]}${v.gzip ? ' + gzip' : ''}`;
}

/** The bytes of one scrape in a format. */
export function scrapeBytes(collect: () => Parameters<typeof renderFormat>[0], v: FormatVariant): Uint8Array {
  const bytes = renderFormat(collect(), v.format);
  return v.gzip ? gzipSync(bytes) : bytes;
}

const PREFIX = 'W1 format';

export const formatsGroup: BenchGroup = {
  id: 'formats-w1',
  title: 'W1 in every format, gzip off and on',
  mode: 'standard',
  measureNames: () => FORMAT_VARIANTS.map((v) => formatMeasureName(PREFIX, v)),
  async run(ctx) {
    const registry = new Registry();
    const recording = recordingSink(zerotelSink(registry));
    buildW1(recording.sink);
    const change = recording.changer({ gauge: 1000, histogram: 12 });
    const collect = () => registry.collect();
    const variants = FORMAT_VARIANTS.filter((v) => ctx.wants(formatMeasureName(PREFIX, v)));
    if (variants.length === 0) return;
    const contenders: Contender[] = variants.map((v) => ({
      name: formatMeasureName(PREFIX, v),
      before: change,
      run: () => scrapeBytes(collect, v),
    }));
    const sizes = new Map(variants.map((v) => [formatMeasureName(PREFIX, v), scrapeBytes(collect, v).length]));
    const samples = await interleave(contenders, {
      ...(ctx.options.quick ? { warmup: 2, samples: 9 } : { warmup: 6, samples: 30 }),
      collectGarbage: true,
      onRound: (round, total) => ctx.progress(`W1 formats: round ${round}/${total}`),
    });
    const all = statsOf(samples, 1e-6);
    for (const v of variants) {
      const name = formatMeasureName(PREFIX, v);
      ctx.emit({ name, unit: 'ms', contenders: { zerotel: all[name]! }, info: { bytes: sizes.get(name)! } });
    }
  },
};
