import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { clientSpanName, createHttpClient, httpRequest, HttpRequestError } from '../../lib/http/client.js';
import { context, setSpan, suppressTracing, ROOT_CONTEXT } from '../../lib/trace/context.js';
import { SpanKind, StatusCode } from '../../lib/trace/span-data.js';
import { parseTraceParent } from '../../lib/trace/propagation.js';
import { freePort, type Peer, recordingTracer, startPeer } from '../opa/helpers.js';

describe('httpRequest (traced outbound client)', () => {
  let peer: Peer;
  const { provider, recorder } = recordingTracer();
  const tracer = provider.getTracer('test');

  before(async () => {
    peer = await startPeer((r, res) => {
      if (r.url === '/hang') return; // never answers: the client's timeout must end it
      if (r.url === '/big') {
        res.writeHead(200).end(Buffer.alloc(4096, 120));
        return;
      }
      const status = r.url === '/missing' ? 404 : 200;
      res
        .writeHead(status, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ path: r.url, method: r.method }));
    });
  });
  after(async () => {
    await peer.close();
  });

  it('makes a CLIENT child span and sends its traceparent', async () => {
    recorder.spans.length = 0;
    const parent = tracer.startSpan('parent');
    const res = await context.with(setSpan(context.active(), parent), () =>
      httpRequest(`${peer.url}/now?q=1`, { tracer, headers: { 'X-Extra': 'yes' } }),
    );
    parent.end();
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), { path: '/now?q=1', method: 'GET' });
    const client = recorder.spans.find((s) => s.kind === SpanKind.CLIENT)!;
    assert.ok(client);
    assert.equal(client.name, 'GET /now');
    assert.equal(client.parentSpanId, parent.spanContext().spanId);
    assert.equal(client.traceId, parent.spanContext().traceId);
    assert.equal(client.attributes['http.request.method'], 'GET');
    assert.equal(client.attributes['url.full'], `${peer.url}/now?q=1`);
    assert.equal(client.attributes['server.address'], '127.0.0.1');
    assert.equal(client.attributes['server.port'], peer.port);
    assert.equal(client.attributes['http.response.status_code'], 200);
    assert.equal(client.status.code, StatusCode.UNSET);
    const received = peer.received.at(-1)!;
    assert.equal(received.headers['x-extra'], 'yes');
    const tp = parseTraceParent(String(received.headers['traceparent']));
    assert.ok(tp);
    assert.equal(tp.traceId, client.traceId);
    assert.equal(tp.spanId, client.spanId, 'the callee continues from the CLIENT span');
  });

  it('marks 4xx answers as errors but still resolves', async () => {
    recorder.spans.length = 0;
    const res = await httpRequest(`${peer.url}/missing`, { tracer, method: 'post', body: '{}' });
    assert.equal(res.status, 404);
    const span = recorder.spans[0]!;
    assert.equal(span.name, 'POST /missing');
    assert.equal(span.status.code, StatusCode.ERROR);
    assert.equal(span.attributes['error.type'], '404');
    assert.equal(peer.received.at(-1)!.body, '{}');
  });

  it('fails with a timeout, a closed port, or a body too large, and records them', async () => {
    recorder.spans.length = 0;
    await assert.rejects(httpRequest(`${peer.url}/hang`, { tracer, timeoutMs: 100 }), (e: unknown) => {
      assert.ok(e instanceof HttpRequestError);
      assert.equal(e.kind, 'timeout');
      return true;
    });
    await assert.rejects(httpRequest(`${peer.url}/big`, { maxResponseBytes: 100 }), /larger than 100 bytes/);
    await assert.rejects(httpRequest('ftp://127.0.0.1/x'), /unsupported URL scheme/);
    const closed = await freePort();
    await assert.rejects(
      httpRequest(`http://127.0.0.1:${closed}/`),
      (e: unknown) => e instanceof HttpRequestError && e.kind === 'ECONNREFUSED',
    );
    const span = recorder.spans[0]!;
    assert.equal(span.status.code, StatusCode.ERROR);
    assert.equal(span.attributes['error.type'], 'timeout');
    assert.equal(span.events[0]!.name, 'exception');
  });

  it('propagates the active context without a tracer, and makes no span when tracing is suppressed', async () => {
    recorder.spans.length = 0;
    const parent = tracer.startSpan('parent');
    await context.with(setSpan(context.active(), parent), () => httpRequest(`${peer.url}/plain`));
    const tp = parseTraceParent(String(peer.received.at(-1)!.headers['traceparent']));
    assert.equal(tp?.spanId, parent.spanContext().spanId);
    parent.end();
    recorder.spans.length = 0;
    await context.with(suppressTracing(ROOT_CONTEXT), () => httpRequest(`${peer.url}/quiet`, { tracer }));
    assert.equal(recorder.spans.length, 0);
    assert.equal(peer.received.at(-1)!.headers['traceparent'], undefined);
  });

  it('createHttpClient merges default and per-request headers', async () => {
    const client = createHttpClient({ headers: { 'x-a': '1', 'x-b': '1' }, tracer });
    await client.request(`${peer.url}/merged`, { headers: { 'x-b': '2' } });
    const h = peer.received.at(-1)!.headers;
    assert.equal(h['x-a'], '1');
    assert.equal(h['x-b'], '2');
    assert.equal(clientSpanName('GET', new URL('http://h/')), 'GET /');
  });
});
