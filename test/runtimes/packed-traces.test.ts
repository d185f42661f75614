/**
 * The same packed tarball sends spans by OTLP/HTTP from Node, Bun, Deno and workerd, through the
 * zerotel/trace entry (tracer, SimpleSpanProcessor, OtlpHttpTraceExporter over fetch), to a real
 * receiver on 127.0.0.1. Protobuf bodies are decoded with @grpc/proto-loader from the official
 * opentelemetry-proto files, JSON bodies with protobufjs' JSON mapping of the same files. Where the
 * runtime has AsyncLocalStorage (Node, Bun, Deno; workerd with `nodejs_als`) the child's parent is
 * found across a timer; workerd without flags passes the context explicitly, and parents match too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OtlpReceiver, ReceivedExport } from '../otlp/otlp-receiver.js';
import { peerOptions } from '../peers/require-peer.js';
import { findRuntime } from './binaries.js';
import type { TraceReport, TraceRun } from './programs/trace-suite.js';
import {
  type ProcessRuntime,
  attributesOf,
  otlpRequestType,
  runReportingProcess,
  runReportingWorker,
  usePackedAppAndReceiver,
} from './reporting-programs.js';

const bun = findRuntime('bun');
const deno = findRuntime('deno');
const workerd = findRuntime('workerd');

const requestType = otlpRequestType(
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);

/** A span as the receiver got it, ids in hex, attribute values by their oneof. */
interface ReceivedSpan {
  readonly resource: Record<string, unknown>;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  readonly events: string[];
}

/** Decodes one export: protobuf with proto-loader (ids come as base64), JSON as the receiver did (hex). */
function spansOf(received: ReceivedExport): ReceivedSpan[] {
  const protobuf = received.contentType === 'application/x-protobuf';
  const request = protobuf ? requestType.deserialize(received.body) : received.decoded;
  const id = (v: string | undefined): string =>
    v === undefined || v === '' ? '' : protobuf ? Buffer.from(v, 'base64').toString('hex') : v;
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          resource: attributesOf(rs.resource?.attributes),
          scope: `${ss.scope?.name}@${ss.scope?.version}`,
          traceId: id(s.traceId),
          spanId: id(s.spanId),
          parentSpanId: id(s.parentSpanId),
          name: s.name,
          kind: s.kind,
          attributes: attributesOf(s.attributes),
          events: (s.events ?? []).map((e: any) => e.name),
        });
      }
    }
  }
  return out;
}

/** OTLP's SpanKind numbers. */
const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

function assertDelivered(receiver: OtlpReceiver, run: TraceRun, report: TraceReport, asyncContext: boolean): void {
  assert.equal(
    report.asyncContext,
    asyncContext,
    `${run.runtime}: AsyncLocalStorage ${asyncContext ? 'expected' : 'not expected'}`,
  );
  assert.deepEqual(report.failed, {});
  assert.equal(report.exported, 3);
  const contentType = run.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  const exports = receiver.received.filter(
    (r) => r.path === '/v1/traces' && spansOf(r).some((s) => s.resource['zerotel.runtime'] === run.runtime),
  );
  // SimpleSpanProcessor: one request per span.
  assert.equal(exports.length, 3, `${run.runtime}: requests received`);
  for (const r of exports) assert.equal(r.contentType, contentType);
  const spans = new Map(exports.flatMap(spansOf).map((s) => [s.name, s]));
  assert.deepEqual([...spans.keys()].sort(), ['query', 'render', 'request']);
  const { request, query, render } = {
    request: spans.get('request')!,
    query: spans.get('query')!,
    render: spans.get('render')!,
  };
  for (const s of [request, query, render]) {
    assert.equal(s.traceId, report.traceId);
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.deepEqual(s.resource, { 'service.name': 'zerotel-runtime-check', 'zerotel.runtime': run.runtime });
    assert.equal(s.scope, 'runtime-check@1.0.0');
  }
  assert.equal(request.spanId, report.spanIds.request);
  assert.equal(query.spanId, report.spanIds.query);
  assert.equal(render.spanId, report.spanIds.render);
  assert.equal(new Set([request.spanId, query.spanId, render.spanId]).size, 3);
  assert.equal(request.parentSpanId, '');
  assert.equal(query.parentSpanId, request.spanId, `${run.runtime}: query's parent`);
  assert.equal(render.parentSpanId, request.spanId, `${run.runtime}: render's parent`);
  assert.equal(request.kind, KIND.SERVER);
  assert.equal(query.kind, KIND.CLIENT);
  assert.equal(render.kind, KIND.INTERNAL);
  assert.deepEqual(request.attributes, {
    'http.request.method': 'GET',
    'zerotel.runtime': run.runtime,
    'http.response.status_code': '200',
  });
  assert.deepEqual(query.attributes, { 'db.rows': '3', 'cache.hit': false, ratio: 0.5 });
  assert.deepEqual(query.events, ['rows']);
  assert.deepEqual(render.attributes, {});
}

describe('spans from the packed package reach an OTLP/HTTP receiver on every runtime', () => {
  const setup = usePackedAppAndReceiver();
  const endpoint = (): string => `${setup.receiver.httpBase}/v1/traces`;

  const runProcess = (run: TraceRun & { runtime: ProcessRuntime }): Promise<TraceReport> =>
    runReportingProcess<TraceReport>(setup.app, run.runtime, 'trace-main.js', [
      run.endpoint,
      run.protocol,
      run.runtime,
    ]);

  it('Node: http/protobuf, context through AsyncLocalStorage', async () => {
    const run = { endpoint: endpoint(), runtime: 'node', protocol: 'http/protobuf' } as const;
    assertDelivered(setup.receiver, run, await runProcess(run), true);
  });

  it(
    `Bun (${bun.version ?? 'missing'}): http/protobuf, context through AsyncLocalStorage`,
    peerOptions(bun),
    async () => {
      assert.ok(bun.path, bun.missing);
      const run = { endpoint: endpoint(), runtime: 'bun', protocol: 'http/protobuf' } as const;
      assertDelivered(setup.receiver, run, await runProcess(run), true);
    },
  );

  it(`Deno (${deno.version ?? 'missing'}): http/json, network to 127.0.0.1 only`, peerOptions(deno), async () => {
    assert.ok(deno.path, deno.missing);
    const run = { endpoint: endpoint(), runtime: 'deno', protocol: 'http/json' } as const;
    assertDelivered(setup.receiver, run, await runProcess(run), true);
  });

  const WORKERS = [
    { main: 'trace-worker-als.js', runtime: 'workerd-als', flags: ['nodejs_als'] as const, asyncContext: true },
    { main: 'trace-worker.js', runtime: 'workerd', flags: [] as const, asyncContext: false },
  ];
  for (const w of WORKERS) {
    const title =
      w.flags.length > 0
        ? 'workerd with nodejs_als: context through AsyncLocalStorage'
        : 'workerd, no flags: explicit context';
    it(`${title} (http/protobuf)`, peerOptions(workerd), async () => {
      assert.ok(workerd.path, workerd.missing);
      const run: TraceRun = { endpoint: endpoint(), runtime: w.runtime, protocol: 'http/protobuf' };
      const report = await runReportingWorker<TraceReport>(workerd.path, setup.app, w.main, '/trace', run, {
        compatibilityFlags: w.flags,
      });
      assertDelivered(setup.receiver, run, report, w.asyncContext);
    });
  }
});
