/**
 * The same packed tarball sends spans by OTLP/HTTP from Node, Bun, Deno and workerd, through the
 * zerotel/trace entry (tracer, SimpleSpanProcessor, OtlpHttpTraceExporter over fetch), to a real
 * receiver on 127.0.0.1. Protobuf bodies are decoded with @grpc/proto-loader from the official
 * opentelemetry-proto files, JSON bodies with protobufjs' JSON mapping of the same files. Where the
 * runtime has AsyncLocalStorage (Node, Bun, Deno; workerd with `nodejs_als`) the child's parent is
 * found across a timer; workerd without flags passes the context explicitly, and parents match too.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as protoLoader from '@grpc/proto-loader';
import { OFFICIAL_PROTOS, startOtlpReceiver, type OtlpReceiver, type ReceivedExport } from '../otlp/otlp-receiver.js';
import { peerOptions } from '../peers/require-peer.js';
import { findRuntime } from './binaries.js';
import { exchange } from './http-exchange.js';
import { preparePackedApp, type PackedApp } from './packed.js';
import { runWithInput, runtimeEnv } from './processes.js';
import type { TraceReport, TraceRun } from './programs/trace-suite.js';
import { startWorker, type RunningWorker } from './workerd.js';

const bun = findRuntime('bun');
const deno = findRuntime('deno');
const workerd = findRuntime('workerd');

const REQUEST_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';
const requestType = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
  includeDirs: [OFFICIAL_PROTOS],
  longs: String,
  enums: Number,
  bytes: String,
  oneofs: true,
})[REQUEST_TYPE] as protoLoader.MessageTypeDefinition<object, any>;

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

function attributes(list: any[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a: any) => [a.key, a.value[a.value.value]]));
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
          resource: attributes(rs.resource?.attributes),
          scope: `${ss.scope?.name}@${ss.scope?.version}`,
          traceId: id(s.traceId),
          spanId: id(s.spanId),
          parentSpanId: id(s.parentSpanId),
          name: s.name,
          kind: s.kind,
          attributes: attributes(s.attributes),
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
  let app: PackedApp;
  let receiver: OtlpReceiver;
  const endpoint = (): string => `${receiver.httpBase}/v1/traces`;

  before(async () => {
    app = preparePackedApp();
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver?.stop();
    app?.dispose();
  });

  async function runProcess(command: string, args: string[], run: TraceRun): Promise<TraceReport> {
    const env = runtimeEnv({ DENO_DIR: join(app.dir, '..', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' });
    const out = await runWithInput(command, [...args, run.endpoint, run.protocol], { cwd: app.dir, env, input: '' });
    return JSON.parse(Buffer.from(out).toString('utf8')) as TraceReport;
  }

  it('Node: http/protobuf, context through AsyncLocalStorage', async () => {
    const run: TraceRun = { endpoint: endpoint(), runtime: 'node', protocol: 'http/protobuf' };
    assertDelivered(receiver, run, await runProcess(process.execPath, ['trace-node-main.js'], run), true);
  });

  it(
    `Bun (${bun.version ?? 'missing'}): http/protobuf, context through AsyncLocalStorage`,
    peerOptions(bun),
    async () => {
      assert.ok(bun.path, bun.missing);
      const run: TraceRun = { endpoint: endpoint(), runtime: 'bun', protocol: 'http/protobuf' };
      assertDelivered(receiver, run, await runProcess(bun.path, ['--no-install', 'trace-bun-main.js'], run), true);
    },
  );

  it(`Deno (${deno.version ?? 'missing'}): http/json, network to 127.0.0.1 only`, peerOptions(deno), async () => {
    assert.ok(deno.path, deno.missing);
    const run: TraceRun = { endpoint: endpoint(), runtime: 'deno', protocol: 'http/json' };
    const args = ['run', '--no-prompt', '--allow-net=127.0.0.1', 'trace-deno-main.js'];
    assertDelivered(receiver, run, await runProcess(deno.path, args, run), true);
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
      let worker: RunningWorker | undefined;
      try {
        worker = await startWorker(workerd.path, app.dir, w.main, { compatibilityFlags: w.flags });
        const run: TraceRun = { endpoint: endpoint(), runtime: w.runtime, protocol: 'http/protobuf' };
        const res = await exchange(`http://127.0.0.1:${worker.port}/trace`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(run),
          timeoutMs: 60_000,
        });
        assert.equal(res.status, 200, `${res.body.toString('utf8')}\n${worker.log()}`);
        assertDelivered(receiver, run, JSON.parse(res.body.toString('utf8')) as TraceReport, w.asyncContext);
      } finally {
        worker?.stop();
      }
    });
  }
});
