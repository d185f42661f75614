/**
 * The reference server with `distributed_tracing: {type: "http", address}`, as OPA accepts it: its spans
 * reach an OTLP/HTTP receiver (decoding with the official protos) as protobuf POSTed to /v1/traces.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createReferenceServer } from '../../lib/opa/app.js';
import { parseConfig } from '../../lib/opa/config.js';
import { startOtlpReceiver } from '../otlp/otlp-receiver.js';
import { request, waitFor } from './helpers.js';

describe('the reference server traces over OTLP/HTTP', () => {
  it('sends its request spans as protobuf to http://ADDRESS/v1/traces', { timeout: 60_000 }, async () => {
    const receiver = await startOtlpReceiver();
    const address = receiver.httpBase.slice('http://'.length);
    const server = createReferenceServer({
      config: parseConfig(
        {
          distributed_tracing: {
            type: 'http',
            address,
            service_name: 'opa-http',
            batch_span_processor_options: { batch_timeout_ms: 20 },
          },
        },
        { env: {} },
      ),
      env: {},
      log: () => {},
    });
    try {
      const { port } = await server.listen(0, '127.0.0.1');
      const res = await request(`http://127.0.0.1:${port}/v1/data/x`, { method: 'PUT', body: '{"y": 1}' });
      assert.equal(res.status, 204);
      await waitFor(() => receiver.received.length > 0, 'spans at the OTLP/HTTP receiver', 30_000);
      const got = receiver.received[0]!;
      assert.equal(got.path, '/v1/traces');
      assert.equal(got.contentType, 'application/x-protobuf');
      const rs = got.decoded.resourceSpans[0];
      const service = rs.resource.attributes.find((a: any) => a.key === 'service.name').value.stringValue;
      assert.equal(service, 'opa-http');
      const spans = rs.scopeSpans.flatMap((ss: any) => ss.spans);
      assert.ok(
        spans.some((s: any) => s.kind === 2 && /^[0-9a-f]{32}$/.test(s.traceId)),
        JSON.stringify(spans),
      );
    } finally {
      await server.shutdown(2000);
      await receiver.stop();
    }
  });
});
