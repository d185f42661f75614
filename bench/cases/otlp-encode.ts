/**
 * T1 encode: a batch of 512 finished spans to `ExportTraceServiceRequest` bytes, zerotel's encoder
 * against @opentelemetry/otlp-transformer's ProtobufTraceSerializer, sampled in alternating rounds.
 *
 * T1 (see the shared workloads document): one resource (`service.name=bench` and 5 more string
 * attributes), one scope; each span has a 16-byte trace id, an 8-byte span id and a parent span id,
 * the name `GET /v1/data/{path}`, kind SERVER, start/end timestamps in ns, 8 attributes (4 string,
 * 2 int, 1 double, 1 bool), 1 event with 2 attributes, status OK. Values come from mulberry32(42).
 * Both contenders get the same values, each in its own input type (SpanData / ReadableSpan, the
 * latter with a real Resource from @opentelemetry/resources).
 *
 * Runs as a bench group, or alone: `tsx bench/cases/otlp-encode.ts [--quick]` prints the medians.
 */
import { pathToFileURL } from 'node:url';
import type { HrTime as OtelHrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanEncoder } from '../../lib/otlp/span-encoding/index.js';
import type { Attributes, HrTime, InstrumentationScope, Resource, SpanData } from '../../lib/trace/span-data.js';
import type { BenchContext, BenchGroup, MeasureResult } from '../group.js';
import { interleave, statsOf } from '../measure.js';
import { mulberry32 } from '../workloads.js';

export const T1_SPANS = 512;
export const OTLP_ENCODE_MEASURE = 'T1 OTLP encode (512 spans)';
const PEER = 'otlp-transformer';
/** Encodes per timed sample; the stats are per encode. */
const REPEAT = 8;

const RESOURCE_ATTRIBUTES: Attributes = {
  'service.name': 'bench',
  'service.version': '1.0.0',
  'service.instance.id': 'bench-instance-0',
  'host.name': 'bench-host',
  'telemetry.sdk.name': 'zerotel',
  'telemetry.sdk.language': 'nodejs',
};
const SCOPE_NAME = 'bench';
const SCOPE_VERSION = '1.0.0';
const SPAN_NAME = 'GET /v1/data/{path}';
const PATHS = ['authz/allow', 'rbac/roles', 'httpapi/authz', 'example/deny'];

/** One T1 span's values, shared by both input shapes. */
interface T1Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  start: HrTime;
  end: HrTime;
  attributes: Attributes;
  eventTime: HrTime;
  eventAttributes: Attributes;
}

/** `bytes` random bytes as lowercase hex, made the way a tracer makes ids (Buffer to hex). */
function hexOf(r: () => number, bytes: number): string {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (r() * 256) >>> 0;
  return b.toString('hex');
}

/** The T1 values, drawn from mulberry32(42) in a fixed order. */
export function buildT1(): T1Span[] {
  const r = mulberry32(42);
  const spans: T1Span[] = [];
  let seconds = 1718000000;
  for (let i = 0; i < T1_SPANS; i++) {
    const startNanos = (r() * 1e9) >>> 0;
    const durationNanos = 50000 + ((r() * 5e6) >>> 0);
    const endTotal = startNanos + durationNanos;
    const path = PATHS[(r() * PATHS.length) >>> 0]!;
    spans.push({
      traceId: hexOf(r, 16),
      spanId: hexOf(r, 8),
      parentSpanId: hexOf(r, 8),
      start: [seconds, startNanos],
      end: [seconds + Math.floor(endTotal / 1e9), endTotal % 1e9],
      attributes: {
        'http.request.method': 'GET',
        'url.path': `/v1/data/${path}`,
        'http.route': '/v1/data/{path}',
        'user_agent.original': 'opa-client/1.0 (linux; amd64)',
        'http.response.status_code': 200,
        'http.response.body.size': (r() * 65536) >>> 0,
        'opa.eval.duration_ms': r() * 10,
        'opa.decision.allowed': r() < 0.5,
      },
      eventTime: [seconds, startNanos],
      eventAttributes: {
        'decision.id': hexOf(r, 8),
        'decision.result_count': (r() * 100) >>> 0,
      },
    });
    if (i % 64 === 63) seconds++;
  }
  return spans;
}

export function zerotelSpans(t1: readonly T1Span[]): SpanData[] {
  const resource: Resource = { attributes: RESOURCE_ATTRIBUTES, droppedAttributesCount: 0 };
  const scope: InstrumentationScope = { name: SCOPE_NAME, version: SCOPE_VERSION, attributes: {} };
  return t1.map((s) => ({
    resource,
    scope,
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    parentIsRemote: false,
    traceState: '',
    traceFlags: 1,
    name: SPAN_NAME,
    kind: 1, // SERVER, numbered as @opentelemetry/api numbers it
    startTime: s.start,
    endTime: s.end,
    attributes: s.attributes,
    droppedAttributesCount: 0,
    events: [{ name: 'decision', time: s.eventTime, attributes: s.eventAttributes, droppedAttributesCount: 0 }],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 1, message: '' }, // OK
  }));
}

// @opentelemetry/api's SpanKind.SERVER and SpanStatusCode.OK (its enums number from 0 and 1).
const OTEL_SPAN_KIND_SERVER = 1;
const OTEL_STATUS_OK = 1;

/**
 * The same values as OpenTelemetry JS ReadableSpans. The peer's packages are loaded here, on
 * demand, so merely listing this group costs other groups' processes nothing.
 */
export async function otelSpans(t1: readonly T1Span[]): Promise<ReadableSpan[]> {
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const resource = resourceFromAttributes({ ...RESOURCE_ATTRIBUTES } as Record<string, string>);
  const instrumentationScope = { name: SCOPE_NAME, version: SCOPE_VERSION };
  return t1.map((s) => {
    const context = { traceId: s.traceId, spanId: s.spanId, traceFlags: 1 };
    const start = s.start as unknown as OtelHrTime;
    const end = s.end as unknown as OtelHrTime;
    const durationNanos = (end[0] - start[0]) * 1e9 + (end[1] - start[1]);
    const duration: OtelHrTime = [Math.floor(durationNanos / 1e9), durationNanos % 1e9];
    return {
      name: SPAN_NAME,
      kind: OTEL_SPAN_KIND_SERVER,
      spanContext: () => context,
      parentSpanContext: { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1, isRemote: false },
      startTime: start,
      endTime: end,
      status: { code: OTEL_STATUS_OK },
      attributes: s.attributes as ReadableSpan['attributes'],
      links: [],
      events: [
        {
          name: 'decision',
          time: s.eventTime as unknown as OtelHrTime,
          attributes: s.eventAttributes as ReadableSpan['attributes'],
          droppedAttributesCount: 0,
        },
      ],
      duration,
      ended: true,
      resource,
      instrumentationScope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  });
}

export const otlpEncodeGroup: BenchGroup = {
  id: 'otlp-encode-t1',
  title: 'T1: 512 spans to ExportTraceServiceRequest bytes',
  mode: 'standard',
  measureNames: () => [OTLP_ENCODE_MEASURE],
  async run(ctx) {
    if (!ctx.wants(OTLP_ENCODE_MEASURE)) return;
    const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
    const t1 = buildT1();
    const ours = zerotelSpans(t1);
    const theirs = await otelSpans(t1);
    // Held across requests, as the exporters hold theirs: its caches learn the batch's keys and values.
    const encoder = new SpanEncoder();
    const ourBytes = encoder.encode(ours).length;
    const theirBytes = ProtobufTraceSerializer.serializeRequest(theirs)!.length;
    const samples = await interleave(
      [
        {
          name: 'zerotel',
          run: () => {
            let out: Uint8Array | undefined;
            for (let i = 0; i < REPEAT; i++) out = encoder.encode(ours);
            return out;
          },
        },
        {
          name: PEER,
          run: () => {
            let out: Uint8Array | undefined;
            for (let i = 0; i < REPEAT; i++) out = ProtobufTraceSerializer.serializeRequest(theirs);
            return out;
          },
        },
      ],
      {
        ...(ctx.options.quick ? { warmup: 20, samples: 40 } : { warmup: 60, samples: 200 }),
        collectGarbage: true,
        onRound: (round, total) => ctx.progress(`T1 encode: round ${round}/${total}`),
      },
    );
    const contenders = statsOf(samples, 1e-6 / REPEAT);
    const spansPerSecond = (name: string): number => Math.round(T1_SPANS / (contenders[name]!.median / 1000));
    ctx.emit({
      name: OTLP_ENCODE_MEASURE,
      unit: 'ms',
      contenders,
      mainPeer: PEER,
      info: {
        spans: T1_SPANS,
        'zerotel spans/s': spansPerSecond('zerotel'),
        [`${PEER} spans/s`]: spansPerSecond(PEER),
        'zerotel bytes': ourBytes,
        [`${PEER} bytes`]: theirBytes,
      },
    });
  },
};

/** Standalone run: measures and prints the medians and the ratio. */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const results: MeasureResult[] = [];
  const ctx: BenchContext = {
    options: { quick, only: undefined, fixture: undefined },
    wants: () => true,
    progress: () => {},
    emit: (result) => results.push(result),
  };
  await otlpEncodeGroup.run(ctx);
  for (const result of results) {
    const ours = result.contenders['zerotel']!;
    const peer = result.contenders[PEER]!;
    console.log(result.name);
    console.log(
      `  zerotel           median ${ours.median.toFixed(3)} ms  (min ${ours.min.toFixed(3)}, max ${ours.max.toFixed(3)}, ${ours.samples} samples)`,
    );
    console.log(
      `  ${PEER}  median ${peer.median.toFixed(3)} ms  (min ${peer.min.toFixed(3)}, max ${peer.max.toFixed(3)})`,
    );
    console.log(`  ratio             ${(peer.median / ours.median).toFixed(2)}x faster`);
    console.log(`  ${JSON.stringify(result.info)}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
