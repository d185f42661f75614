import { strict as assert } from 'node:assert';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  HttpServerMetrics,
  instrumentHandler,
  OPA_HTTP_DURATION_BUCKETS,
  serverSpanName,
  type RequestHandler,
} from '../../lib/http/instrument.js';
import { writeOpenMetrics } from '../../lib/exposition/openmetrics.js';
import { writeText } from '../../lib/exposition/text.js';
import { Registry } from '../../lib/metrics/registry.js';
import { getActiveSpan } from '../../lib/trace/context.js';
import { AlwaysOnSampler, ParentBasedSampler } from '../../lib/trace/sampler.js';
import { SpanKind, StatusCode } from '../../lib/trace/span-data.js';
import { recordingTracer, request, waitFor } from '../opa/helpers.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

async function serve(handler: RequestHandler): Promise<{ server: Server; url: string }> {
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('instrumentHandler', () => {
  const registry = new Registry();
  const metrics = new HttpServerMetrics({ registry });
  const { provider, recorder } = recordingTracer(new ParentBasedSampler(new AlwaysOnSampler()));
  const tracer = provider.getTracer('test');
  let server: Server;
  let url: string;
  let seenSpanId: string | undefined;

  before(async () => {
    const handler = instrumentHandler(
      async (req, res) => {
        seenSpanId = getActiveSpan()?.spanContext().spanId;
        if (req.url?.startsWith('/fail')) throw new Error('boom');
        if (req.url?.startsWith('/slow')) {
          // Never answers: waits for the client to go away.
          await new Promise((resolve) => res.once('close', resolve));
          return;
        }
        const code = req.url?.startsWith('/teapot') ? 503 : 200;
        res.writeHead(code, { 'Content-Type': 'application/json' }).end('{}');
      },
      { handler: 'v1/data', route: '/v1/data/{path...}', metrics, tracer },
    );
    ({ server, url } = await serve(handler));
  });
  after(async () => {
    await close(server);
  });

  it('registers OPA families with OPA help texts and default buckets', () => {
    assert.deepEqual([...OPA_HTTP_DURATION_BUCKETS], [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 0.01, 0.1, 1]);
    const text = writeText(registry.collect());
    // Nothing observed yet: families without series are not written.
    assert.equal(text, '');
    assert.equal(metrics.duration.help, 'A histogram of duration for requests.');
    assert.equal(metrics.cancellations.help, 'A count of cancelled requests.');
    assert.deepEqual([...metrics.duration.upperBounds], [...OPA_HTTP_DURATION_BUCKETS]);
  });

  it('observes the duration by code, handler and lower-case method', async () => {
    const ok = await request(`${url}/v1/data/x`, { headers: { 'user-agent': 'zerotel-test' } });
    assert.equal(ok.status, 200);
    const err = await request(`${url}/teapot`, { method: 'POST' });
    assert.equal(err.status, 503);
    const text = writeText(registry.collect());
    assert.match(text, /# HELP http_request_duration_seconds A histogram of duration for requests\.\n/);
    assert.match(text, /http_request_duration_seconds_count\{code="200",handler="v1\/data",method="get"\} 1\n/);
    assert.match(text, /http_request_duration_seconds_count\{code="503",handler="v1\/data",method="post"\} 1\n/);
    assert.match(
      text,
      /http_request_duration_seconds_bucket\{code="200",handler="v1\/data",method="get",le="1e-06"\} \d+\n/,
    );
  });

  it('starts a SERVER span per request with otelhttp-style name and attributes', async () => {
    recorder.spans.length = 0;
    await request(`${url}/v1/data/a?x=1`, { headers: { 'user-agent': 'zerotel-test' } });
    await waitFor(() => recorder.spans.length === 1, 'the span');
    const span = recorder.spans[0]!;
    assert.equal(span.name, 'GET v1/data');
    assert.equal(span.kind, SpanKind.SERVER);
    assert.equal(span.parentSpanId, '');
    assert.equal(span.spanId, seenSpanId, 'the handler runs with the span active');
    const a = span.attributes;
    assert.equal(a['http.request.method'], 'GET');
    assert.equal(a['http.route'], '/v1/data/{path...}');
    assert.equal(a['url.path'], '/v1/data/a');
    assert.equal(a['url.scheme'], 'http');
    assert.equal(a['server.address'], '127.0.0.1');
    assert.equal(typeof a['server.port'], 'number');
    assert.equal(a['network.peer.address'], '127.0.0.1');
    assert.equal(typeof a['network.peer.port'], 'number');
    assert.equal(a['user_agent.original'], 'zerotel-test');
    assert.equal(a['http.response.status_code'], 200);
    assert.equal(a['network.protocol.version'], '1.1');
    assert.equal(span.status.code, StatusCode.UNSET);
    assert.equal(serverSpanName('POST', 'v1/data'), 'POST v1/data');
  });

  it('continues an incoming traceparent and marks 5xx as errors', async () => {
    recorder.spans.length = 0;
    await request(`${url}/teapot`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    await waitFor(() => recorder.spans.length === 1, 'the span');
    const span = recorder.spans[0]!;
    assert.equal(span.traceId, TRACE_ID);
    assert.equal(span.parentSpanId, PARENT_ID);
    assert.equal(span.status.code, StatusCode.ERROR);
    assert.equal(span.attributes['http.response.status_code'], 503);
  });

  it('puts trace_id and span_id exemplars on sampled observations (OpenMetrics)', async () => {
    recorder.spans.length = 0;
    await request(`${url}/v1/data/ex`, { method: 'PUT', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    await waitFor(() => recorder.spans.length === 1, 'the span');
    const span = recorder.spans[0]!;
    const om = writeOpenMetrics(registry.collect());
    const line = om.split('\n').find((l) => l.includes('method="put"') && l.includes('# {'));
    assert.ok(line, `an exemplar on the put series:\n${om}`);
    assert.match(line, new RegExp(`# \\{span_id="${span.spanId}",trace_id="${TRACE_ID}"\\} [0-9.e-]+ \\d+`));
  });

  it('leaves unsampled requests without exemplars', async () => {
    await request(`${url}/v1/data/ex`, {
      method: 'DELETE',
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` },
    });
    const om = writeOpenMetrics(registry.collect());
    const lines = om.split('\n').filter((l) => l.includes('method="delete"'));
    assert.ok(lines.length > 0);
    assert.ok(
      lines.every((l) => !l.includes('# {')),
      lines.join('\n'),
    );
  });

  it('answers 500 internal_error when the handler throws, and records it', async () => {
    recorder.spans.length = 0;
    const res = await request(`${url}/fail`);
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), { code: 'internal_error', message: 'boom' });
    await waitFor(() => recorder.spans.length === 1, 'the span');
    assert.equal(recorder.spans[0]!.events[0]!.name, 'exception');
    assert.equal(recorder.spans[0]!.status.code, StatusCode.ERROR);
  });

  it('counts a request the client abandons in http_request_cancellations', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request(`${url}/slow`, { agent: false });
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => req.destroy(), 50);
    });
    await waitFor(
      () =>
        /http_request_cancellations\{code="200",handler="v1\/data",method="GET"\} 1\n/.test(
          writeText(registry.collect()),
        ),
      'the cancellation to be counted',
    );
    const text = writeText(registry.collect());
    assert.match(
      text,
      /# HELP http_request_cancellations A count of cancelled requests\.\n# TYPE http_request_cancellations counter\n/,
    );
  });

  it('uses configured buckets and works without a tracer', async () => {
    const reg = new Registry();
    const m = new HttpServerMetrics({ registry: reg, buckets: [0.5, 1] });
    const { server: s, url: u } = await serve(
      instrumentHandler((_req, res) => void res.end('ok'), { handler: 'health', metrics: m }),
    );
    try {
      await request(`${u}/health`);
      const text = writeText(reg.collect());
      assert.match(
        text,
        /http_request_duration_seconds_bucket\{code="200",handler="health",method="get",le="0.5"\} 1\n/,
      );
      assert.doesNotMatch(text, /le="1e-06"/);
    } finally {
      await close(s);
    }
  });
});
