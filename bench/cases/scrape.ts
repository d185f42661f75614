/**
 * Gather + text encode of the standard workloads (W1 service, W2 small, W3 high cardinality): zerotel,
 * prom-client and the floor, one group (so one fresh process) per workload. Every series changes before
 * every timed scrape, identically for all three, so no output could be reused from the previous scrape.
 */
import { createHash } from 'node:crypto';
import { Registry as PromRegistry } from 'prom-client';
import { Registry, encodeText, formatText, type FamilySnapshot } from '../../lib/index.js';
import { createFloor } from '../floor.js';
import type { BenchGroup } from '../group.js';
import { GO_PEER, startGoPeer } from '../go-peer.js';
import { interleave, statsOf, type Contender, type SamplingPlan } from '../measure.js';
import { promClientSink } from '../prom-client-sink.js';
import { recordingSink, type ChangeScale } from '../recording-sink.js';
import { buildW1, buildW2, buildW3, type WorkloadSink } from '../workloads.js';
import { zerotelSink } from '../zerotel-sink.js';

interface Workload {
  readonly id: 'W1' | 'W2' | 'W3';
  readonly build: (sink: WorkloadSink) => void;
  readonly change: ChangeScale;
  /** sha256 of client_golang's text output of the freshly built workload, when published. */
  readonly goSha256?: string;
  readonly full: { warmup: number; samples: number };
  readonly quick: { warmup: number; samples: number };
  /** Also time the text writer alone on a gathered snapshot. */
  readonly encodeAlone: boolean;
}

const WORKLOADS: readonly Workload[] = [
  {
    id: 'W1',
    build: (sink) => buildW1(sink),
    change: { gauge: 1000, histogram: 12 },
    goSha256: '2e3b50514ce3fa4e9d526cd6a91e9444286931c10636213e331fdba8889a1914',
    full: { warmup: 8, samples: 40 },
    quick: { warmup: 3, samples: 15 },
    encodeAlone: true,
  },
  {
    id: 'W2',
    build: (sink) => buildW2(sink),
    change: { gauge: 100, histogram: 3 },
    full: { warmup: 50, samples: 300 },
    quick: { warmup: 20, samples: 60 },
    encodeAlone: false,
  },
  {
    id: 'W3',
    build: buildW3,
    change: { gauge: 1, histogram: 1 },
    goSha256: '54fc6205fed038bc830f6e8ba76a39517668509782847eb9aaaa045df6723154',
    full: { warmup: 2, samples: 20 },
    quick: { warmup: 1, samples: 4 },
    encodeAlone: false,
  },
];

export const scrapeName = (id: string): string => `${id} gather + text`;
export const encodeAloneName = (id: string): string => `${id} text encode alone`;

function scrapeGroup(w: Workload): BenchGroup {
  const names = [scrapeName(w.id), ...(w.encodeAlone ? [encodeAloneName(w.id)] : [])];
  return {
    id: `scrape-${w.id.toLowerCase()}`,
    title: `${w.id} gather + text encode`,
    mode: 'standard',
    measureNames: () => names,
    async run(ctx) {
      ctx.progress(`${w.id}: building the workload in every peer`);
      const registry = new Registry();
      const zerotel = recordingSink(zerotelSink(registry));
      w.build(zerotel.sink);
      const promRegistry = new PromRegistry();
      const prom = recordingSink(promClientSink(promRegistry));
      w.build(prom.sink);
      const floor = createFloor();
      const floorRecording = recordingSink(floor.sink);
      w.build(floorRecording.sink);
      floor.finish();

      const first = formatText(registry.collect());
      const difference = floor.differenceFrom(first);
      if (difference !== undefined)
        throw new Error(`${w.id}: zerotel and the floor write different lines: ${difference}`);
      const info: Record<string, string | number> = {
        series: zerotel.size(),
        bytes: Buffer.byteLength(first),
        lines: first.split('\n').length - 1,
      };
      if (w.goSha256 !== undefined) {
        info['identical to client_golang'] =
          createHash('sha256').update(first).digest('hex') === w.goSha256 ? 'yes' : 'NO';
      }

      // client_golang in this run when Go is installed: the same workload, the same changes, its own timing.
      const go = ctx.wants(scrapeName(w.id)) ? startGoPeer() : { missing: 'not measured' };
      const goContenders: Contender[] = [];
      if ('build' in go) {
        ctx.progress(`${w.id}: building the workload in client_golang`);
        const built = await go.build(w.id);
        info['identical to client_golang'] =
          createHash('sha256').update(first).digest('hex') === built.sha256 ? 'yes' : 'NO';
        if (w.goSha256 !== undefined)
          info['client_golang output as published'] = built.sha256 === w.goSha256 ? 'yes' : 'NO';
        goContenders.push({ name: GO_PEER, run: () => undefined, timedElsewhere: () => go.scrape() });
      } else if (ctx.wants(scrapeName(w.id))) {
        info['client_golang'] = `not measured: ${go.missing}`;
      }

      const changeZerotel = zerotel.changer(w.change);
      const changeProm = prom.changer(w.change);
      const changeFloor = floorRecording.changer(w.change);
      const plan = (label: string): SamplingPlan => ({
        ...(ctx.options.quick ? w.quick : w.full),
        collectGarbage: true,
        onRound: (round, total) => ctx.progress(`${label}: round ${round}/${total}`),
      });

      if (ctx.wants(scrapeName(w.id))) {
        const samples = await interleave(
          [
            // Every contender produces the bytes an HTTP response carries.
            { name: 'zerotel', before: changeZerotel, run: () => encodeText(registry.collect()) },
            { name: 'prom-client', before: changeProm, run: async () => Buffer.from(await promRegistry.metrics()) },
            { name: 'floor', before: changeFloor, run: () => Buffer.from(floor.scrape()) },
            ...goContenders,
          ],
          plan(scrapeName(w.id)),
        );
        if ('close' in go) go.close();
        ctx.emit({
          name: scrapeName(w.id),
          unit: 'ms',
          contenders: statsOf(samples, 1e-6),
          mainPeer: 'prom-client',
          info,
        });
      }

      if (w.encodeAlone && ctx.wants(encodeAloneName(w.id))) {
        let snapshot: FamilySnapshot[] = [];
        const samples = await interleave(
          [
            {
              name: 'zerotel',
              before: () => {
                changeZerotel();
                snapshot = registry.collect();
              },
              run: () => encodeText(snapshot),
            },
            { name: 'floor', before: changeFloor, run: () => Buffer.from(floor.scrape()) },
          ],
          plan(encodeAloneName(w.id)),
        );
        ctx.emit({
          name: encodeAloneName(w.id),
          unit: 'ms',
          contenders: statsOf(samples, 1e-6),
          mainPeer: 'floor',
          info,
        });
      }
    },
  };
}

export const scrapeGroups: readonly BenchGroup[] = WORKLOADS.map(scrapeGroup);
