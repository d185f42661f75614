/**
 * A real instrumentation library on zerotel: @opentelemetry/instrumentation-http, registered in a
 * CommonJS program (it patches `require('http')`), traces a node:http server and client into
 * zerotel, whose OTLP/gRPC exporter sends the spans to a grpc-js receiver here.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runJsonChild } from './helpers.js';
import { type GrpcPeer, startGrpcPeer, type Decoded } from '../otlp/grpc-helpers.js';

const CHILD = fileURLToPath(new URL('./instrumentation/http-child.cjs', import.meta.url));

let peer: GrpcPeer | undefined;
after(async () => {
  await peer?.stop();
});

const hex = (b: Buffer): string => b.toString('hex');

describe('@opentelemetry/instrumentation-http on zerotel', () => {
  it('a client and a server span in one trace, SERVER the child of CLIENT, traceparent on the wire, over OTLP/gRPC', {
    timeout: 180_000,
  }, async () => {
    peer = await startGrpcPeer();
    const received = await runJsonChild<Record<string, unknown>>(CHILD, [String(peer.port)]);
    assert.equal(received['status'], 200);
    const spans: Decoded[] = [];
    for (const call of peer.calls) {
      for (const rs of call.request!.resourceSpans) {
        const attrs = Object.fromEntries(rs.resource.attributes.map((kv: Decoded) => [kv.key, kv.value.stringValue]));
        assert.equal(attrs['service.name'], 'http-e2e');
        for (const ss of rs.scopeSpans) {
          assert.equal(ss.scope.name, '@opentelemetry/instrumentation-http');
          spans.push(...ss.spans);
        }
      }
    }
    // OTLP kinds: SERVER 2, CLIENT 3.
    const server = spans.filter((s) => s.kind === 2);
    const client = spans.filter((s) => s.kind === 3);
    assert.equal(server.length, 1, 'one SERVER span');
    assert.equal(client.length, 1, 'one CLIENT span');
    const [s, c] = [server[0]!, client[0]!];
    assert.equal(hex(s.traceId), hex(c.traceId), 'one trace');
    assert.equal(hex(s.parentSpanId), hex(c.spanId), "the SERVER's parent is the CLIENT");
    assert.equal(c.parentSpanId.length, 0, 'the CLIENT is the root');
    assert.equal(received['traceparent'], `00-${hex(c.traceId)}-${hex(c.spanId)}-01`, 'traceparent crossed the wire');
    assert.equal(received['activeSpan'], hex(s.spanId), 'the SERVER span is active in the handler');
    // Remote-parent bits: the SERVER's parent came over the wire, the CLIENT's (none) is local.
    assert.equal(s.flags, 0x301);
    assert.equal(c.flags, 0x101);
    const attributes = (span: Decoded) => Object.fromEntries(span.attributes.map((kv: Decoded) => [kv.key, kv.value]));
    assert.equal(attributes(s)['http.method']?.stringValue ?? attributes(s)['http.request.method']?.stringValue, 'GET');
    assert.equal(
      Number(attributes(c)['http.status_code']?.intValue ?? attributes(c)['http.response.status_code']?.intValue),
      200,
    );
    assert.ok(Number(s.endTimeUnixNano) >= Number(s.startTimeUnixNano));
    // Dated now, not 1970 (the instrumentation passes performance-clock times).
    assert.ok(Math.abs(Number(BigInt(s.startTimeUnixNano) / 1_000_000n) - Date.now()) < 600_000);
  });
});
