/**
 * W1 as push requests, zerotel against the usual way to build each in Node, interleaved in one process:
 *  - OTLP metrics protobuf: our encoder from the registry snapshot into a reused buffer, as the exporters
 *    run it (and, shown beside, into a fresh buffer each time), against OpenTelemetry JS's
 *    ProtobufMetricsSerializer given the same points already in its own ResourceMetrics shape;
 *  - remote write (protobuf + snappy): ours from the snapshot, against protobufjs encoding an already
 *    built WriteRequest message, compressed by the `snappy` package (native; `snappyjs` without a build);
 *  - snappy's output size on that WriteRequest, ours against the reference compressor's.
 * Peers are given their input prebuilt, so only encoding (and compressing) is timed on their side.
 */
import { fileURLToPath } from 'node:url';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { Registry } from '../../lib/metrics/registry.js';
import { encodeEnvelope, encodeExportMetricsRequest } from '../../lib/otlp/metrics-encode.js';
import type { MetricsEnvelope } from '../../lib/otlp/metrics-model.js';
import { encodeWriteRequest } from '../../lib/push/remote-write-encode.js';
import { snappyCompress } from '../../lib/push/snappy.js';
import type { BenchGroup } from '../group.js';
import { interleave, statsOf, stats } from '../measure.js';
import { toOtelResourceMetrics } from '../otel-metrics-data.js';
import { buildW1 } from '../workloads.js';
import { zerotelSink } from '../zerotel-sink.js';

export const PUSH_MEASURES = {
  otlp: 'W1 OTLP metrics protobuf encode',
  remoteWrite: 'W1 remote write encode (protobuf + snappy)',
  snappySize: 'W1 remote write snappy size',
} as const;

const OTEL_PEER = '@opentelemetry/otlp-transformer';
const FRESH = 'zerotel, fresh buffer';
const REPEAT = 4;

/** The reference compressor: the native `snappy` package, or `snappyjs` when it has no build here. */
async function referenceSnappy(): Promise<{ name: string; compress: (b: Uint8Array) => Uint8Array }> {
  try {
    const snappy = (await import('snappy')).default;
    return { name: 'snappy', compress: (b) => snappy.compressSync(Buffer.from(b.buffer, b.byteOffset, b.byteLength)) };
  } catch {
    // snappyjs ships no types; a specifier in a variable keeps the compiler from asking for them.
    const name = 'snappyjs';
    const snappyjs = ((await import(name)) as { default: { compress(b: Uint8Array): Uint8Array } }).default;
    return { name: 'snappyjs', compress: (b) => snappyjs.compress(b) };
  }
}

export const pushEncodeGroup: BenchGroup = {
  id: 'push-encode-w1',
  title: 'W1 as push requests: OTLP metrics and remote write',
  mode: 'standard',
  measureNames: () => Object.values(PUSH_MEASURES),
  async run(ctx) {
    const registry = new Registry();
    buildW1(zerotelSink(registry));
    const families = registry.collect();
    const now = Date.now();
    const envelope: MetricsEnvelope = { resource: { 'service.name': 'w1' }, scope: { name: 'zerotel', version: '0' } };
    const plan = ctx.options.quick ? { warmup: 10, samples: 30 } : { warmup: 30, samples: 120 };

    if (ctx.wants(PUSH_MEASURES.otlp)) {
      const head = encodeEnvelope(envelope);
      const theirs = toOtelResourceMetrics(families, envelope, now);
      const into = Buffer.allocUnsafeSlow(encodeExportMetricsRequest(families, head, now).length * 2);
      const samples = await interleave(
        [
          {
            name: 'zerotel',
            run: () => {
              let out: Uint8Array | undefined;
              for (let i = 0; i < REPEAT; i++) out = encodeExportMetricsRequest(families, head, now, into);
              return out;
            },
          },
          {
            name: FRESH,
            run: () => {
              let out: Uint8Array | undefined;
              for (let i = 0; i < REPEAT; i++) out = encodeExportMetricsRequest(families, head, now);
              return out;
            },
          },
          {
            name: OTEL_PEER,
            run: () => {
              let out: Uint8Array | undefined;
              for (let i = 0; i < REPEAT; i++) out = ProtobufMetricsSerializer.serializeRequest(theirs);
              return out;
            },
          },
        ],
        { ...plan, collectGarbage: true, onRound: (r, t) => ctx.progress(`W1 OTLP metrics encode: round ${r}/${t}`) },
      );
      ctx.emit({
        name: PUSH_MEASURES.otlp,
        unit: 'ms',
        contenders: statsOf(samples, 1e-6 / REPEAT),
        mainPeer: OTEL_PEER,
        info: {
          points: families.reduce((n, f) => n + f.series.length, 0),
          'zerotel bytes': encodeExportMetricsRequest(families, head, now).length,
          [`${OTEL_PEER} bytes`]: ProtobufMetricsSerializer.serializeRequest(theirs)!.length,
        },
      });
    }

    if (ctx.wants(PUSH_MEASURES.remoteWrite) || ctx.wants(PUSH_MEASURES.snappySize)) {
      const reference = await referenceSnappy();
      const peer = `protobufjs + ${reference.name}`;
      const proto = fileURLToPath(new URL('../../proto/prometheus/remote.proto', import.meta.url));
      const WriteRequest = protobuf.loadSync(proto).lookupType('prometheus.WriteRequest');
      const request = encodeWriteRequest(families, now);
      const message = WriteRequest.decode(request);
      if (ctx.wants(PUSH_MEASURES.remoteWrite)) {
        const samples = await interleave(
          [
            { name: 'zerotel', run: () => snappyCompress(encodeWriteRequest(families, now)) },
            { name: peer, run: () => reference.compress(WriteRequest.encode(message).finish()) },
          ],
          { ...plan, collectGarbage: true, onRound: (r, t) => ctx.progress(`W1 remote write encode: round ${r}/${t}`) },
        );
        ctx.emit({
          name: PUSH_MEASURES.remoteWrite,
          unit: 'ms',
          contenders: statsOf(samples, 1e-6),
          mainPeer: peer,
          info: { samples: message.toJSON().timeseries.length, 'protobuf bytes': request.length },
        });
      }
      if (ctx.wants(PUSH_MEASURES.snappySize)) {
        const ours = snappyCompress(request).length;
        const theirs = reference.compress(request).length;
        ctx.emit({
          name: PUSH_MEASURES.snappySize,
          unit: 'bytes',
          contenders: { zerotel: stats([ours]), [`${reference.name} (reference)`]: stats([theirs]) },
          mainPeer: `${reference.name} (reference)`,
          info: {
            'protobuf bytes': request.length,
            'zerotel ratio': Math.round((request.length / ours) * 1000) / 1000,
            [`${reference.name} ratio`]: Math.round((request.length / theirs) * 1000) / 1000,
          },
        });
      }
    }
  },
};
