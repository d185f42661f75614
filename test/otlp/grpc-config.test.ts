import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_OTLP_GRPC_ENDPOINT,
  OtlpConfigError,
  type OtlpExporterOptions,
  resolveOtlpConfig,
} from '../../lib/otlp/config.js';
import { DEFAULT_RETRY_POLICY } from '../../lib/otlp/retry.js';

const dir = mkdtempSync(join(tmpdir(), 'zerotel-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pem = (name: string): string => {
  const path = join(dir, name);
  writeFileSync(path, `-----BEGIN ${name}-----\n`);
  return path;
};
const caFile = pem('ca.pem');
const certFile = pem('cert.pem');
const keyFile = pem('key.pem');

function problemsOf(options: OtlpExporterOptions, env: Record<string, string> = {}): readonly string[] {
  try {
    resolveOtlpConfig(options, env);
  } catch (err) {
    assert.ok(err instanceof OtlpConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected an OtlpConfigError');
}

describe('resolveOtlpConfig: defaults and precedence', () => {
  it('defaults to plaintext localhost:4317, 10 s, no compression, no headers', () => {
    const config = resolveOtlpConfig({}, {});
    assert.equal(DEFAULT_OTLP_GRPC_ENDPOINT, 'http://localhost:4317');
    assert.deepEqual(
      { ...config },
      {
        endpoint: 'http://localhost:4317',
        encryption: 'off',
        headers: {},
        timeoutMs: 10_000,
        compression: 'none',
        retry: DEFAULT_RETRY_POLICY,
      },
    );
  });

  it('prefers the TRACES_ variable over the generic one, and options over both', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4317',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4317',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    };
    const fromEnv = resolveOtlpConfig({}, env);
    assert.equal(fromEnv.endpoint, 'http://traces:4317');
    assert.equal(fromEnv.timeoutMs, 2000);
    assert.equal(fromEnv.compression, 'gzip');
    const fromOptions = resolveOtlpConfig(
      { endpoint: 'http://option:1234', timeoutMs: 3000, compression: 'none' },
      env,
    );
    assert.equal(fromOptions.endpoint, 'http://option:1234');
    assert.equal(fromOptions.timeoutMs, 3000);
    assert.equal(fromOptions.compression, 'none');
  });

  it('treats an empty variable as unset', () => {
    const config = resolveOtlpConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ' ',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:9',
        OTEL_EXPORTER_OTLP_TIMEOUT: '',
      },
    );
    assert.equal(config.endpoint, 'http://generic:9');
    assert.equal(config.timeoutMs, 10_000);
  });
});

describe('resolveOtlpConfig: endpoint and encryption', () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ['http://collector:4317', {}, 'http://collector:4317', 'off'],
    ['https://collector:4317', {}, 'https://collector:4317', 'tls'],
    ['https://collector', {}, 'https://collector:443', 'tls'],
    ['http://collector', {}, 'http://collector:80', 'off'],
    ['collector:4317', {}, 'https://collector:4317', 'tls'],
    ['collector:4317', { OTEL_EXPORTER_OTLP_INSECURE: 'TRUE' }, 'http://collector:4317', 'off'],
    ['collector:80', {}, 'https://collector:80', 'tls'],
    ['https://collector:4317', { OTEL_EXPORTER_OTLP_INSECURE: 'true' }, 'https://collector:4317', 'tls'],
    ['http://[::1]:4317', {}, 'http://[::1]:4317', 'off'],
    ['[::1]:4317', { OTEL_EXPORTER_OTLP_TRACES_INSECURE: 'true' }, 'http://[::1]:4317', 'off'],
  ];
  for (const [endpoint, env, expected, encryption] of cases) {
    it(`${endpoint} ${JSON.stringify(env)} -> ${expected} (${encryption})`, () => {
      const config = resolveOtlpConfig({}, { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
      assert.equal(config.endpoint, expected);
      assert.equal(config.encryption, encryption);
    });
  }

  it('https with a client certificate and key from the environment means mTLS', () => {
    const config = resolveOtlpConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4317',
        OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: caFile,
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certFile,
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: keyFile,
      },
    );
    assert.equal(config.encryption, 'mtls');
    assert.equal(config.ca?.toString(), '-----BEGIN ca.pem-----\n');
    assert.equal(config.cert?.toString(), '-----BEGIN cert.pem-----\n');
    assert.equal(config.key?.toString(), '-----BEGIN key.pem-----\n');
  });

  it("OPA-style options: encryption wins over the environment's scheme", () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };
    const mtls = resolveOtlpConfig(
      { encryption: 'mtls', tlsCaCertFile: caFile, tlsCertFile: certFile, tlsPrivateKeyFile: keyFile },
      env,
    );
    assert.equal(mtls.endpoint, 'https://collector:4317');
    assert.equal(mtls.encryption, 'mtls');
    assert.ok(mtls.ca && mtls.cert && mtls.key);
    // Explicit 'tls' sends no client certificate even when files are configured, as OPA does.
    const tls = resolveOtlpConfig({ encryption: 'tls', tlsCertFile: certFile }, env);
    assert.equal(tls.encryption, 'tls');
    assert.equal(tls.cert, undefined);
    const off = resolveOtlpConfig(
      { encryption: 'off', tlsCaCertFile: join(dir, 'missing.pem') },
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4317',
      },
    );
    assert.equal(off.endpoint, 'http://collector:4317');
    assert.equal(off.ca, undefined, 'certificate files are not read without encryption');
  });

  it('parses headers as W3C baggage-style key=value pairs, percent-decoded, options merged over them', () => {
    const config = resolveOtlpConfig(
      { headers: { 'X-Tenant': 'from-options', 'x-extra': '1' } },
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'ignored=1',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: ' Authorization = Bearer%20abc%3D%3D , x-tenant=acme,, api-key=a%2Cb ',
      },
    );
    assert.deepEqual(config.headers, {
      authorization: 'Bearer abc==',
      'x-tenant': 'from-options',
      'api-key': 'a,b',
      'x-extra': '1',
    });
  });
});

describe('resolveOtlpConfig: validation', () => {
  it('lists every problem at once, each naming its option or variable', () => {
    const problems = problemsOf(
      {
        encryption: 'mtls',
        tlsCaCertFile: join(dir, 'no-such-ca.pem'),
        compression: 'brotli' as never,
        retry: { initialIntervalMs: -5, multiplier: 0 },
      },
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://collector:21',
        OTEL_EXPORTER_OTLP_INSECURE: 'maybe',
        OTEL_EXPORTER_OTLP_TIMEOUT: '10s',
        OTEL_EXPORTER_OTLP_HEADERS: 'novalue,grpc-trace=x,Bad Key=1,k=%zz,te=trailers',
      },
    );
    const expected = [
      /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: scheme must be http or https/,
      /^OTEL_EXPORTER_OTLP_INSECURE: must be true or false/,
      /^OTEL_EXPORTER_OTLP_TIMEOUT: must be a positive integer/,
      /^options\.tlsCaCertFile: cannot read .*no-such-ca\.pem.*ENOENT/,
      /^options\.tlsCertFile .*mtls needs a client certificate/,
      /^options\.tlsPrivateKeyFile .*mtls needs a client key/,
      /^OTEL_EXPORTER_OTLP_HEADERS: member 1 "novalue" is not key=value/,
      /^OTEL_EXPORTER_OTLP_HEADERS: member 4 "k=%zz" has a malformed percent-encoding/,
      /^OTEL_EXPORTER_OTLP_HEADERS: header "grpc-trace": reserved/,
      /^OTEL_EXPORTER_OTLP_HEADERS: header "bad key": keys must be lower-case/,
      /^OTEL_EXPORTER_OTLP_HEADERS: header "te": reserved/,
      /^options\.compression: must be 'gzip' or 'none'/,
      /^options\.retry\.initialIntervalMs:/,
      /^options\.retry\.multiplier:/,
    ];
    for (const pattern of expected)
      assert.ok(
        problems.some((p) => pattern.test(p)),
        `${pattern}\nin:\n${problems.join('\n')}`,
      );
    assert.equal(problems.length, expected.length, problems.join('\n'));
    // One error carries them all, readable as a list.
    try {
      resolveOtlpConfig({ timeoutMs: -1, compression: 'zip' as never }, {});
    } catch (err) {
      assert.match(
        (err as Error).message,
        /invalid OTLP exporter configuration:\n {2}- options\.timeoutMs: .*\n {2}- options\.compression: /,
      );
    }
  });

  it('rejects paths, queries and credentials in a gRPC endpoint, and contradictory options', () => {
    assert.match(
      problemsOf({ endpoint: 'http://collector:4317/v1/traces' })[0]!,
      /options\.endpoint: a gRPC endpoint has no path/,
    );
    assert.match(problemsOf({ endpoint: 'http://user:pw@collector:4317' })[0]!, /no query, fragment or credentials/);
    assert.match(problemsOf({ endpoint: '' })[0]!, /options\.endpoint: must be a non-empty string/);
    assert.match(
      problemsOf({ endpoint: 'http://collector:4317', encryption: 'tls' })[0]!,
      /options\.encryption: 'tls' contradicts the http: scheme of options\.endpoint/,
    );
    assert.match(
      problemsOf({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c:1', OTEL_EXPORTER_OTLP_CLIENT_KEY: keyFile })[0]!,
      /^OTEL_EXPORTER_OTLP_CLIENT_KEY: a client certificate and its key must be given together/,
    );
    assert.match(
      problemsOf({ headers: { 'content-type': 'text/plain' } })[0]!,
      /options\.headers: header "content-type": reserved/,
    );
    assert.match(problemsOf({ headers: { 'x-a': 'line\nbreak' } })[0]!, /printable ASCII/);
    assert.match(problemsOf({ encryption: 'ssl' as never })[0]!, /options\.encryption: must be 'off', 'tls' or 'mtls'/);
  });
});
