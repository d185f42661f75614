/**
 * TLS and mutual TLS against a grpc-js server, with a CA, a server certificate for 127.0.0.1 and a
 * client certificate made by openssl when the tests start.
 */

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { OtlpGrpcTraceExporter } from '../../lib/otlp/exporter.js';
import { GrpcCode, GrpcTransport } from '../../lib/otlp/grpc-transport.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { makeSpans, spanNames, startGrpcPeer } from './grpc-helpers.js';

const made = makeCertificates();
const skip = 'skip' in made ? made.skip : false;
const certs = 'skip' in made ? undefined : made;
after(() => certs?.remove());

/** The certificates; only called from tests that are not skipped. */
const tls = (): TestCertificates => certs!;

describe('gRPC over TLS', { skip }, () => {
  it('calls a TLS server whose certificate chains to the given CA', async () => {
    const peer = await startGrpcPeer({ tls: { cert: tls().serverCert, key: tls().serverKey } });
    const transport = new GrpcTransport({ endpoint: peer.endpoint, ca: tls().ca });
    try {
      assert.match(peer.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
      const result = await transport.unary(Buffer.from('over tls'), 10_000);
      assert.equal(result.kind, 'success', JSON.stringify(result));
      assert.equal(peer.calls[0]?.body.toString(), 'over tls');
    } finally {
      await transport.close();
      await peer.stop();
    }
  });

  it('refuses a server certificate from an untrusted CA (UNAVAILABLE, nothing sent)', async () => {
    const peer = await startGrpcPeer({ tls: { cert: tls().serverCert, key: tls().serverKey } });
    const transport = new GrpcTransport({ endpoint: peer.endpoint, ca: tls().otherCa });
    try {
      const result = await transport.unary(Buffer.from('x'), 10_000);
      assert.equal(result.kind, 'failure');
      if (result.kind === 'failure') {
        assert.equal(result.code, GrpcCode.UNAVAILABLE);
        assert.match(result.message, /certificate/i);
      }
      assert.equal(peer.calls.length, 0);
    } finally {
      await transport.close();
      await peer.stop();
    }
  });

  it('mutual TLS: succeeds with the client certificate, fails without one', async () => {
    const peer = await startGrpcPeer({ tls: { cert: tls().serverCert, key: tls().serverKey, clientCa: tls().ca } });
    const withCert = new GrpcTransport({
      endpoint: peer.endpoint,
      ca: tls().ca,
      cert: tls().clientCert,
      key: tls().clientKey,
    });
    const without = new GrpcTransport({ endpoint: peer.endpoint, ca: tls().ca });
    try {
      const ok = await withCert.unary(Buffer.from('mtls'), 10_000);
      assert.equal(ok.kind, 'success', JSON.stringify(ok));
      const refused = await without.unary(Buffer.from('anonymous'), 10_000);
      assert.equal(refused.kind, 'failure');
      assert.deepEqual(
        peer.calls.map((c) => c.body.toString()),
        ['mtls'],
      );
    } finally {
      await withCert.close();
      await without.close();
      await peer.stop();
    }
  });

  it('the exporter configured OPA-style (encryption mtls, certificate files) delivers spans', async () => {
    const peer = await startGrpcPeer({ tls: { cert: tls().serverCert, key: tls().serverKey, clientCa: tls().ca } });
    const exporter = new OtlpGrpcTraceExporter({
      endpoint: `127.0.0.1:${peer.port}`,
      encryption: 'mtls',
      tlsCaCertFile: tls().files.ca,
      tlsCertFile: tls().files.clientCert,
      tlsPrivateKeyFile: tls().files.clientKey,
      env: {},
    });
    try {
      assert.equal(exporter.config.endpoint, `https://127.0.0.1:${peer.port}`);
      const result = await exporter.export(makeSpans(3, 'secure'));
      assert.deepEqual(result, { kind: 'success' });
      assert.deepEqual(spanNames(peer.calls[0]?.request), ['secure-0', 'secure-1', 'secure-2']);
    } finally {
      await exporter.shutdown();
      await peer.stop();
    }
  });

  it('the exporter configured from OTEL_EXPORTER_OTLP_* variables uses TLS for a scheme-less endpoint', async () => {
    const peer = await startGrpcPeer({ tls: { cert: tls().serverCert, key: tls().serverKey } });
    const exporter = new OtlpGrpcTraceExporter({
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `127.0.0.1:${peer.port}`,
        OTEL_EXPORTER_OTLP_CERTIFICATE: tls().files.ca,
      },
    });
    try {
      assert.equal(exporter.config.encryption, 'tls');
      assert.deepEqual(await exporter.export(makeSpans(1, 'env')), { kind: 'success' });
      assert.deepEqual(spanNames(peer.calls[0]?.request), ['env-0']);
    } finally {
      await exporter.shutdown();
      await peer.stop();
    }
  });
});
