/**
 * OTLP/HTTP traces: OTLP/JSON decode-equal to the protobuf encoder and to OpenTelemetry JS's JSON
 * serializer; the exporter delivering to a receiver decoding with the official protos (protobuf, JSON,
 * gzip), its retry rules, and a custom CA with a client certificate through node:https.
 */
import { strict as assert } from 'node:assert';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { buildT1, otelSpans, zerotelSpans } from '../../bench/cases/otlp-encode.js';
import { writeText } from '../../lib/exposition/text.js';
import { Registry } from '../../lib/metrics/registry.js';
import { encodeExportTraceRequest } from '../../lib/otlp/span-encoding/index.js';
import '../../lib/otlp/exporter-metrics.js';
import { OtlpHttpTraceExporter } from '../../lib/otlp/http-trace-exporter.js';
import { encodeExportTraceJson } from '../../lib/otlp/trace-json.js';
import type { SpanData } from '../../lib/trace/span-data.js';
import { makeCertificates } from '../helpers/certificates.js';
import { makeSpans } from './grpc-helpers.js';
import { TraceRequest, decodeJson, decodeProtobuf, startOtlpReceiver } from './otlp-receiver.js';

const FAST_RETRY = { initialIntervalMs: 5, maxIntervalMs: 20, maxElapsedMs: 5_000, randomizationFactor: 0 };

/** Spans with every kind of value the encoders handle. */
function richSpans(): SpanData[] {
  const [a, b] = makeSpans(2, 'rich');
  return [
    {
      ...a!,
      parentSpanId: '00f067aa0ba902b7',
      traceState: 'congo=t61rcWkgMzE',
      attributes: {
        text: 'ünïcødé',
        int: -42,
        big: 2n ** 70n + 5n,
        double: 0.5,
        huge: 2 ** 60,
        nan: NaN,
        inf: -Infinity,
        yes: true,
        bytes: new Uint8Array([0, 1, 254, 255, 7]),
        list: ['a', 1, [true]],
        map: { k: 'v', n: { deep: 1 } },
      },
      droppedAttributesCount: 3,
      events: [{ name: 'e1', time: [1_700_000_001, 5], attributes: { x: 1 }, droppedAttributesCount: 1 }],
      droppedEventsCount: 2,
      links: [
        {
          traceId: 'ab'.repeat(16),
          spanId: 'cd'.repeat(8),
          traceState: 'a=b',
          traceFlags: 1,
          attributes: { l: 'x' },
          droppedAttributesCount: 0,
        },
      ],
      droppedLinksCount: 1,
      status: { code: 2, message: 'boom' },
    },
    {
      ...b!,
      kind: 0,
      traceFlags: 0,
      status: { code: 0, message: '' },
      resource: { attributes: { other: 'resource' }, droppedAttributesCount: 2 },
    },
  ];
}

describe('OTLP/JSON traces', () => {
  it('decode-equal to the protobuf encoder, every value kind included', () => {
    const spans = richSpans();
    assert.deepEqual(
      decodeJson(TraceRequest, encodeExportTraceJson(spans)),
      decodeProtobuf(TraceRequest, encodeExportTraceRequest(spans)),
    );
    const json = JSON.parse(encodeExportTraceJson(spans));
    const span = json.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, spans[0]!.traceId, 'hex ids');
    assert.equal(typeof span.startTimeUnixNano, 'string');
    assert.equal(span.kind, 2, 'integer enum');
    assert.deepEqual(span.attributes.find((a: any) => a.key === 'big').value, {
      intValue: String(BigInt.asIntN(64, 2n ** 70n + 5n)),
    });
    assert.deepEqual(span.attributes.find((a: any) => a.key === 'bytes').value, { bytesValue: 'AAH+/wc=' });
  });

  it("the T1 batch: decode-equal to OpenTelemetry JS's JSON serializer ", async () => {
    const t1 = buildT1();
    const ours = decodeJson(TraceRequest, encodeExportTraceJson(zerotelSpans(t1)));
    const theirs = decodeJson(
      TraceRequest,
      new TextDecoder().decode(JsonTraceSerializer.serializeRequest(await otelSpans(t1))!),
    );
    // The shipped protos predate Span.flags, so the remote bits OpenTelemetry JS adds there are not compared.
    assert.equal(ours.resourceSpans[0].scopeSpans[0].spans.length, 512);
    assert.deepEqual(ours, theirs);
  });
});

describe('OTLP/HTTP trace exporter', () => {
  for (const mode of ['http/protobuf', 'http/json', 'http/protobuf+gzip'] as const) {
    it(`delivers spans (${mode})`, async () => {
      const receiver = await startOtlpReceiver();
      try {
        const spans = richSpans();
        const exporter = new OtlpHttpTraceExporter({
          endpoint: `${receiver.httpBase}/v1/traces`,
          protocol: mode === 'http/json' ? 'http/json' : 'http/protobuf',
          compression: mode.endsWith('gzip') ? 'gzip' : 'none',
          headers: { 'x-team': 'blue' },
          env: {},
        });
        assert.deepEqual(await exporter.export(spans), { kind: 'success' });
        await exporter.shutdown();
        assert.equal(receiver.received.length, 1);
        const got = receiver.received[0]!;
        assert.equal(got.path, '/v1/traces');
        assert.equal((got.headers as Record<string, string>)['x-team'], 'blue');
        assert.deepEqual(got.decoded, decodeProtobuf(TraceRequest, encodeExportTraceRequest(spans)));
        assert.equal(exporter.stats.exportedSpans, 2);
      } finally {
        await receiver.stop();
      }
    });
  }

  it('reads OTEL_EXPORTER_OTLP_ENDPOINT as a base URL and the TRACES_ one as the whole URL', () => {
    assert.equal(
      new OtlpHttpTraceExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' } }).config.endpoint,
      'http://c:4318/v1/traces',
    );
    assert.equal(
      new OtlpHttpTraceExporter({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:9/x' } }).config.endpoint,
      'http://c:9/x',
    );
    assert.equal(new OtlpHttpTraceExporter({ env: {} }).config.endpoint, 'http://localhost:4318/v1/traces');
  });

  it('retries 503 and 429 with Retry-After, drops other failures without retrying', async () => {
    const receiver = await startOtlpReceiver((i) =>
      i === 0
        ? { status: 503 }
        : i === 1
          ? { status: 429, headers: { 'retry-after': '0' } }
          : i === 3
            ? { status: 413, body: 'too large' }
            : undefined,
    );
    try {
      const exporter = new OtlpHttpTraceExporter({
        endpoint: `${receiver.httpBase}/v1/traces`,
        retry: FAST_RETRY,
        env: {},
      });
      assert.deepEqual(await exporter.export(makeSpans(3)), { kind: 'success' });
      assert.equal(exporter.stats.retries, 2);
      const failed = await exporter.export(makeSpans(4));
      assert.equal(failed.kind, 'failure');
      assert.match(failed.kind === 'failure' ? failed.error.message : '', /HTTP 413: too large \(not retryable\)/);
      assert.deepEqual(exporter.stats.failedSpans, { http_413: 4 });
      await exporter.shutdown();
      const after = await exporter.export(makeSpans(1));
      assert.equal(after.kind, 'failure');
      assert.deepEqual({ ...exporter.stats.failedSpans }, { http_413: 4, shutdown: 1 });
    } finally {
      await receiver.stop();
    }
  });

  it('counts in the zerotel_otlp_* metrics of the gRPC exporter when given a registry', async () => {
    const receiver = await startOtlpReceiver((i) =>
      i === 0 ? { status: 503 } : i === 2 ? { status: 413, body: 'too large' } : undefined,
    );
    try {
      const registry = new Registry();
      const exporter = new OtlpHttpTraceExporter({
        endpoint: `${receiver.httpBase}/v1/traces`,
        retry: FAST_RETRY,
        env: {},
        registry,
      });
      assert.deepEqual(await exporter.export(makeSpans(3)), { kind: 'success' });
      assert.equal((await exporter.export(makeSpans(4))).kind, 'failure');
      await exporter.shutdown();
      assert.equal((await exporter.export(makeSpans(1))).kind, 'failure');
      const text = writeText(registry.collect());
      const lines = text.split('\n').filter((line) => line.startsWith('zerotel_otlp_') && !line.includes('_bucket{'));
      assert.deepEqual(
        lines.filter((line) => !line.includes('_duration_seconds_sum')),
        [
          'zerotel_otlp_export_duration_seconds_count{result="failure"} 1',
          'zerotel_otlp_export_duration_seconds_count{result="success"} 1',
          'zerotel_otlp_exported_spans_total 3',
          'zerotel_otlp_failed_spans_total{reason="http_413"} 4',
          'zerotel_otlp_failed_spans_total{reason="shutdown"} 1',
          'zerotel_otlp_rejected_spans_total 0',
          'zerotel_otlp_retries_total{code="http_503"} 1',
        ],
      );
      assert.match(text, /^# HELP zerotel_otlp_exported_spans_total Spans the OTLP collector accepted\.$/m);
    } finally {
      await receiver.stop();
    }
  });

  const certs = makeCertificates();
  it(
    'sends through node:https with a custom CA and a client certificate',
    'skip' in certs ? { skip: certs.skip } : {},
    async () => {
      if ('skip' in certs) return;
      const bodies: Buffer[] = [];
      const server = https.createServer(
        { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
        (req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            bodies.push(Buffer.concat(chunks));
            res.writeHead(200).end();
          });
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
        const spans = makeSpans(2);
        const exporter = new OtlpHttpTraceExporter({
          endpoint: url,
          tlsCaCertFile: certs.files.ca,
          tlsCertFile: certs.files.clientCert,
          tlsPrivateKeyFile: certs.files.clientKey,
          env: {},
        });
        assert.equal(exporter.config.encryption, 'mtls');
        assert.deepEqual(await exporter.export(spans), { kind: 'success' });
        assert.deepEqual(
          decodeProtobuf(TraceRequest, bodies[0]!),
          decodeProtobuf(TraceRequest, encodeExportTraceRequest(spans)),
        );
        // Without the client certificate the server refuses the handshake.
        const anonymous = new OtlpHttpTraceExporter({
          endpoint: url,
          tlsCaCertFile: certs.files.ca,
          encryption: 'tls',
          retry: { enabled: false },
          env: {},
        });
        const refused = await anonymous.export(spans);
        assert.equal(refused.kind, 'failure');
        assert.equal(anonymous.stats.failedSpans.unavailable, 2);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        certs.remove();
      }
    },
  );
});
