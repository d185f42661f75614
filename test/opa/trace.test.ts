/**
 * End to end through a real gRPC collector (grpc-js, our protos): a REST request to one reference
 * server reads an upstream document served by a second one. The collector must receive one trace of
 * three spans: the REST SERVER span, its CLIENT child (the upstream fetch), and the upstream's own
 * SERVER span, a child of the CLIENT span; the REST span carries `opa.decision_id`.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../lib/opa/config.js';
import { createReferenceServer, type ReferenceServer } from '../../lib/opa/app.js';
import { type GrpcPeer, startGrpcPeer } from '../otlp/grpc-helpers.js';
import { Lines, request, waitFor } from './helpers.js';

interface FlatSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
}

const hex = (b: Buffer | Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function attributeValue(v: any): unknown {
  if (v === undefined || v === null) return undefined;
  if (v.value !== undefined && typeof v.value === 'string' && v[v.value] !== undefined) return v[v.value];
  return v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
}

function spansOf(collector: GrpcPeer): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const call of collector.calls) {
    for (const rs of call.request?.['resourceSpans'] ?? []) {
      const service = String(
        attributeValue(rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value) ?? '',
      );
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const attributes: Record<string, unknown> = {};
          for (const a of s.attributes ?? []) attributes[a.key] = attributeValue(a.value);
          out.push({
            service,
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: s.name,
            kind: s.kind,
            attributes,
          });
        }
      }
    }
  }
  return out;
}

describe('tracing across two reference servers into a gRPC collector', () => {
  let collector: GrpcPeer;
  let upstream: ReferenceServer;
  let frontend: ReferenceServer;
  let upstreamUrl: string;
  let frontendUrl: string;
  const stdout = new Lines();

  before(async () => {
    collector = await startGrpcPeer();
    const tracing = (name: string) => ({
      type: 'grpc',
      address: `127.0.0.1:${collector.port}`,
      service_name: name,
      batch_span_processor_options: { batch_timeout_ms: 20 },
    });
    upstream = createReferenceServer({
      config: parseConfig({ distributed_tracing: tracing('upstream') }, { env: {} }),
      env: {},
      log: () => {},
    });
    upstreamUrl = `http://127.0.0.1:${(await upstream.listen(0, '127.0.0.1')).port}`;
    const put = await request(`${upstreamUrl}/v1/data/weather`, { method: 'PUT', body: '{"temp": 21}' });
    assert.equal(put.status, 204);
    frontend = createReferenceServer({
      config: parseConfig(
        {
          distributed_tracing: tracing('frontend'),
          decision_logs: { console: true },
          upstreams: { weather: { url: `${upstreamUrl}/v1/data/weather` } },
        },
        { env: {} },
      ),
      env: {},
      stdout: stdout.write,
      log: () => {},
    });
    frontendUrl = `http://127.0.0.1:${(await frontend.listen(0, '127.0.0.1')).port}`;
  });

  after(async () => {
    await frontend?.shutdown(3000);
    await upstream?.shutdown(3000);
    await collector?.stop();
  });

  it('yields the REST span, its CLIENT child and the upstream SERVER span in one trace', async () => {
    const res = await request(`${frontendUrl}/v1/data/upstreams/weather`, {
      method: 'POST',
      body: JSON.stringify({ input: { city: 'Oslo' } }),
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    assert.deepEqual(body.result, { result: { temp: 21 } }, 'the upstream answered with its own Data API shape');
    const decisionId: string = body.decision_id;
    assert.ok(decisionId);

    await frontend.tracerProvider!.forceFlush(5000);
    await upstream.tracerProvider!.forceFlush(5000);
    let rest: FlatSpan | undefined;
    await waitFor(() => {
      const spans = spansOf(collector);
      rest = spans.find((s) => s.attributes['opa.decision_id'] === decisionId);
      return rest !== undefined && spans.filter((s) => s.traceId === rest!.traceId).length >= 3;
    }, 'three spans of the trace at the collector');
    const trace = spansOf(collector).filter((s) => s.traceId === rest!.traceId);
    assert.equal(trace.length, 3, JSON.stringify(trace, null, 2));

    assert.equal(rest!.name, 'POST v1/data');
    assert.equal(rest!.kind, 2, 'SERVER');
    assert.equal(rest!.parentSpanId, '');
    assert.equal(rest!.service, 'frontend');
    assert.equal(rest!.attributes['http.route'], '/v1/data/{path...}');
    assert.equal(Number(rest!.attributes['http.response.status_code']), 200, 'an int64 attribute');

    const client = trace.find((s) => s.kind === 3)!;
    assert.ok(client, 'a CLIENT span');
    assert.equal(client.name, 'GET /v1/data/weather');
    assert.equal(client.parentSpanId, rest!.spanId);
    assert.equal(client.service, 'frontend');
    assert.equal(client.attributes['url.full'], `${upstreamUrl}/v1/data/weather`);

    const remote = trace.find((s) => s.service === 'upstream')!;
    assert.ok(remote, 'the upstream server span');
    assert.equal(remote.name, 'GET v1/data');
    assert.equal(remote.kind, 2);
    assert.equal(remote.parentSpanId, client.spanId);
    assert.equal(remote.attributes['opa.decision_id'], undefined, 'no decision logging on the upstream');

    // The decision log names the same trace and span.
    const log = stdout.json().find((l) => l.decision_id === decisionId);
    assert.equal(log.trace_id, rest!.traceId);
    assert.equal(log.span_id, rest!.spanId);
    assert.deepEqual(log.input, { city: 'Oslo' });
    assert.deepEqual(log.result, { result: { temp: 21 } });

    // Metrics meet traces: the observation carries the exemplar when the scraper asks for OpenMetrics.
    const om = await request(`${frontendUrl}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    const exemplarLine = om.text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_request_duration_seconds_bucket{code="200",handler="v1/data",method="post"') &&
          l.includes(rest!.traceId),
      );
    assert.ok(exemplarLine, om.text);
    assert.match(exemplarLine, new RegExp(`# \\{span_id="${rest!.spanId}",trace_id="${rest!.traceId}"\\}`));
    const plain = await request(`${frontendUrl}/metrics`);
    assert.doesNotMatch(plain.text, /trace_id=/, 'the text format carries no exemplars');
  });

  it('continues an incoming traceparent', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await request(`${frontendUrl}/v1/data/upstreams/weather`, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    assert.equal(res.status, 200);
    await frontend.tracerProvider!.forceFlush(5000);
    await upstream.tracerProvider!.forceFlush(5000);
    await waitFor(() => spansOf(collector).filter((s) => s.traceId === traceId).length >= 3, 'the continued trace');
    const rest = spansOf(collector).find(
      (s) => s.traceId === traceId && s.name === 'GET v1/data' && s.service === 'frontend',
    )!;
    assert.equal(rest.parentSpanId, 'b7ad6b7169203331');
  });
});
