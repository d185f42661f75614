/**
 * How long a W1 scrape keeps the event loop from serving anything else: a setImmediate is scheduled
 * right before the scrape starts and the time until it runs is the delay other requests would see.
 * zerotel and prom-client alternate; every series changes before every scrape.
 */
import { Registry as PromRegistry } from 'prom-client';
import { Registry, encodeText } from '../../lib/index.js';
import type { BenchGroup } from '../group.js';
import { consume, scavenge, statsOf } from '../measure.js';
import { promClientSink } from '../prom-client-sink.js';
import { recordingSink } from '../recording-sink.js';
import { buildW1 } from '../workloads.js';
import { zerotelSink } from '../zerotel-sink.js';

export const EVENT_LOOP_NAME = 'W1 scrape event-loop delay';

/** Nanoseconds from just before `scrape` starts until an immediate scheduled then gets to run. */
async function delayOf(scrape: () => unknown): Promise<number> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const start = process.hrtime.bigint();
  const ran = new Promise<bigint>((resolve) => setImmediate(() => resolve(process.hrtime.bigint())));
  let result = scrape();
  if (result instanceof Promise) result = await result;
  consume(result);
  return Number((await ran) - start);
}

export const eventLoopGroup: BenchGroup = {
  id: 'event-loop',
  title: 'Event-loop delay of a W1 scrape',
  mode: 'standard',
  measureNames: () => [EVENT_LOOP_NAME],
  async run(ctx) {
    if (!ctx.wants(EVENT_LOOP_NAME)) return;
    const registry = new Registry();
    const z = recordingSink(zerotelSink(registry));
    buildW1(z.sink);
    const promRegistry = new PromRegistry();
    const p = recordingSink(promClientSink(promRegistry));
    buildW1(p.sink);
    const peers = [
      {
        name: 'zerotel',
        change: z.changer({ gauge: 1000, histogram: 12 }),
        scrape: () => encodeText(registry.collect()),
      },
      {
        name: 'prom-client',
        change: p.changer({ gauge: 1000, histogram: 12 }),
        scrape: async () => Buffer.from(await promRegistry.metrics()),
      },
    ];
    const { warmup, samples } = ctx.options.quick ? { warmup: 3, samples: 15 } : { warmup: 8, samples: 40 };
    const delays = new Map<string, number[]>(peers.map((peer) => [peer.name, []]));
    for (let round = 0; round < warmup + samples; round++) {
      for (let k = 0; k < peers.length; k++) {
        const peer = peers[(round + k) % peers.length]!;
        peer.change();
        scavenge();
        const delay = await delayOf(peer.scrape);
        if (round >= warmup) delays.get(peer.name)!.push(delay);
      }
      ctx.progress(`${EVENT_LOOP_NAME}: round ${round + 1}/${warmup + samples}`);
    }
    ctx.emit({
      name: EVENT_LOOP_NAME,
      unit: 'ms',
      contenders: statsOf(delays, 1e-6),
      mainPeer: 'prom-client',
      info: { probe: 'setImmediate scheduled as the scrape starts' },
    });
  },
};
