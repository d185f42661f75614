/**
 * Native histograms: what turning them on costs.
 * - H3n: a bound histogram child's `observe(v)` with native buckets on (factor 1.1, default classic buckets kept),
 *   against prom-client's classic observe (prom-client has no native histograms): the hot path must stay fast.
 * - W1n: W1 gathered and encoded as protobuf with its 10 histogram families native (factor 1.1, classic buckets
 *   kept), against the same W1 with classic histograms only.
 * client_golang's figures for both come from scripts/golden/bench (see bench/reference.ts).
 */
import * as prom from 'prom-client';
import { DEFAULT_BUCKETS, Histogram, Registry, encodeProtobuf } from '../../lib/index.js';
import type { BenchGroup } from '../group.js';
import { interleave, statsOf } from '../measure.js';
import { recordingSink } from '../recording-sink.js';
import { buildW1, W1_LABEL_NAMES } from '../workloads.js';
import { VALUES } from './hot-paths.js';
import { zerotelSink } from '../zerotel-sink.js';

export const NATIVE_NAMES = {
  H3n: 'H3n bound histogram observe, native on',
  W1n: 'W1n gather + protobuf, native histograms',
} as const;

/** Native buckets at factor 1.1 (schema 3) with client_golang's default classic buckets kept, as the Go benchmark. */
const NATIVE = { nativeHistogramBucketFactor: 1.1, buckets: DEFAULT_BUCKETS } as const;
const labelNames = [...W1_LABEL_NAMES];

async function runH3n(ctx: Parameters<BenchGroup['run']>[0]): Promise<void> {
  const name = NATIVE_NAMES.H3n;
  if (!ctx.wants(name)) return;
  const n = ctx.options.quick ? 100_000 : 1_000_000;
  const z = new Histogram({
    name: 'hot_seconds',
    help: 'Hot path histogram.',
    labelNames,
    registers: [new Registry()],
    ...NATIVE,
  }).labels('GET', '200', 'v1/data');
  const p = new prom.Histogram({
    name: 'hot_seconds',
    help: 'Hot path histogram.',
    labelNames,
    registers: [new prom.Registry()],
  }).labels('GET', '200', 'v1/data');
  const samples = await interleave(
    [
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
    ],
    {
      ...(ctx.options.quick ? { warmup: 3, samples: 9 } : { warmup: 4, samples: 15 }),
      onRound: (round, total) => ctx.progress(`${name}: round ${round}/${total}`),
    },
  );
  ctx.emit({
    name,
    unit: 'ns/op',
    contenders: statsOf(samples, 1 / n),
    mainPeer: 'prom-client',
    info: { 'operations per sample': n, 'prom-client': 'classic buckets (it has no native histograms)' },
  });
}

async function runW1n(ctx: Parameters<BenchGroup['run']>[0]): Promise<void> {
  const name = NATIVE_NAMES.W1n;
  if (!ctx.wants(name)) return;
  ctx.progress('W1n: building W1 with native and with classic histograms');
  const nativeRegistry = new Registry();
  const native = recordingSink(zerotelSink(nativeRegistry, NATIVE));
  buildW1(native.sink);
  const classicRegistry = new Registry();
  const classic = recordingSink(zerotelSink(classicRegistry));
  buildW1(classic.sink);
  const change = { gauge: 1000, histogram: 12 };
  const samples = await interleave(
    [
      { name: 'zerotel', before: native.changer(change), run: () => encodeProtobuf(nativeRegistry.collect()) },
      {
        name: 'classic histograms',
        before: classic.changer(change),
        run: () => encodeProtobuf(classicRegistry.collect()),
      },
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
    mainPeer: 'classic histograms',
    info: {
      'native bytes': encodeProtobuf(nativeRegistry.collect()).length,
      'classic bytes': encodeProtobuf(classicRegistry.collect()).length,
    },
  });
}

export const nativeGroup: BenchGroup = {
  id: 'native',
  title: 'Native histograms: H3n observe, W1n protobuf',
  mode: 'standard',
  measureNames: () => Object.values(NATIVE_NAMES),
  async run(ctx) {
    await runH3n(ctx);
    await runW1n(ctx);
  },
};
