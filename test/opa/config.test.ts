import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ConfigError, defaultConfig, loadConfigFile, parseConfig } from '../../lib/opa/config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NO_ENV = {};

function problems(input: unknown, env: Record<string, string> = NO_ENV): string[] {
  try {
    parseConfig(input, { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.problems];
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('has OPA defaults: no tracing, status or decision logs; OPA buckets and body limits', () => {
    const c = defaultConfig({ env: NO_ENV });
    assert.equal(c.distributedTracing, undefined);
    assert.equal(c.status, undefined);
    assert.equal(c.decisionLogs, undefined);
    assert.deepEqual(
      [...c.server.httpRequestDurationBuckets],
      [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 0.01, 0.1, 1],
    );
    assert.equal(c.server.maxLength, 268435456);
    assert.equal(c.server.gzipMaxLength, 536870912);
    assert.deepEqual(c.upstreams, {});
  });

  it('reads every section with OPA key names', () => {
    const c = parseConfig(
      {
        labels: { region: 'eu' },
        services: {
          acme: { url: 'http://127.0.0.1:9/v1', headers: { 'x-a': 'b' }, credentials: { bearer: { token: 't' } } },
        },
        status: { service: 'acme', partition_name: 'p', prometheus: true, trigger: 'manual' },
        decision_logs: { console: true },
        distributed_tracing: {
          type: 'grpc',
          address: '127.0.0.1:4317',
          service_name: 'svc',
          sample_percentage: 50,
          resource: { service_version: '1.2', deployment_environment: 'prod' },
          batch_span_processor_options: { batch_timeout_ms: 100, max_queue_size: 10, max_export_batch_size: 5 },
        },
        server: {
          metrics: { prom: { http_request_duration_seconds: { buckets: [0.1, 1, 10] } } },
          decoding: { max_length: 1024, gzip: { max_length: 4096 } },
        },
        upstreams: { weather: { url: 'http://127.0.0.1:9000/now', timeout_ms: 250 } },
      },
      { env: NO_ENV },
    );
    assert.deepEqual(c.labels, { region: 'eu' });
    assert.equal(c.services['acme']!.url, 'http://127.0.0.1:9/v1');
    assert.deepEqual(c.services['acme']!.bearer, { token: 't', scheme: 'Bearer' });
    assert.equal(c.services['acme']!.responseHeaderTimeoutSeconds, 10);
    assert.deepEqual(c.status, {
      service: 'acme',
      partitionName: 'p',
      console: false,
      prometheus: true,
      trigger: 'manual',
      bundleLoadingDurationBuckets: c.status!.bundleLoadingDurationBuckets,
    });
    assert.equal(c.status!.bundleLoadingDurationBuckets.length, 20);
    assert.deepEqual(c.decisionLogs, { console: true });
    const t = c.distributedTracing!;
    assert.equal(t.serviceName, 'svc');
    assert.equal(t.samplePercentage, 50);
    assert.deepEqual(t.exporter, { endpoint: '127.0.0.1:4317', encryption: 'off' });
    assert.deepEqual(t.resource, { 'service.version': '1.2', 'deployment.environment': 'prod' });
    assert.deepEqual(t.batch, { scheduledDelayMillis: 100, maxQueueSize: 10, maxExportBatchSize: 5 });
    assert.deepEqual(c.server, {
      httpRequestDurationBuckets: [0.1, 1, 10],
      maxLength: 1024,
      gzipMaxLength: 4096,
      authentication: 'off',
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
    });
    assert.deepEqual(c.upstreams['weather'], {
      name: 'weather',
      url: 'http://127.0.0.1:9000/now',
      headers: {},
      timeoutMs: 250,
    });
  });

  it('lists every problem at once, each naming its key', () => {
    const found = problems({
      distributed_tracing: {
        type: 'grpc',
        sample_percentage: 150,
        encryption: 'maybe',
        bogus: 1,
        batch_span_processor_options: { max_queue_size: 0 },
      },
      status: { console: 'yes', trigger: 'sometimes' },
      server: {
        metrics: { prom: { http_request_duration_seconds: { buckets: [1, 0.5] } } },
        decoding: { max_length: -1 },
      },
      upstreams: { weather: { url: 'ftp://x' } },
      decision_logs: { console: 1 },
      services: { s: {} },
      whatever: true,
      bundles: {},
    });
    const expected = [
      'whatever: unknown key',
      'bundles: not supported by the zerotel reference server',
      'services.s.url: required',
      'distributed_tracing.bogus: unknown key',
      'distributed_tracing.sample_percentage: must be a number from 0 to 100, got 150',
      'distributed_tracing.encryption: must be "off", "tls" or "mtls", got "maybe"',
      'distributed_tracing.batch_span_processor_options.max_queue_size: must be an integer from 1 to 1048576, got 0',
      'status.console: must be true or false, got "yes"',
      'status.trigger: invalid trigger mode "sometimes" (want "periodic" or "manual")',
      'decision_logs.console: must be true or false, got 1',
      'server.metrics.prom.http_request_duration_seconds.buckets[1]: buckets must be in increasing order, got 0.5 after 1',
      'server.decoding.max_length: must be an integer from 1 to 1073741824, got -1',
      'upstreams.weather.url: must be an http or https URL, got "ftp://x"',
    ];
    for (const e of expected) assert.ok(found.includes(e), `missing ${JSON.stringify(e)} in:\n${found.join('\n')}`);
    assert.equal(found.length, expected.length, found.join('\n'));
  });

  it('checks cross-key rules: status service, tracing TLS files, bearer tokens', () => {
    assert.deepEqual(problems({ status: { service: 'nope' } }), [
      'status.service: invalid service name "nope" in status (not in services)',
    ]);
    const tls = problems({
      distributed_tracing: { type: 'grpc', encryption: 'mtls', tls_ca_cert_file: '/nonexistent/ca.pem' },
    });
    assert.ok(
      tls.includes('distributed_tracing.tls_cert_file: required but not supplied (encryption is "mtls")'),
      tls.join('\n'),
    );
    assert.ok(
      tls.some((p) => p.startsWith('distributed_tracing.tls_ca_cert_file: cannot read')),
      tls.join('\n'),
    );
    assert.deepEqual(
      problems({ services: { s: { url: 'http://h', credentials: { bearer: { token: 'a', token_path: '/t' } } } } }),
      ['services.s.credentials.bearer: specify either token or token_path, not both'],
    );
    assert.deepEqual(problems({ distributed_tracing: { type: 'udp' } }), [
      'distributed_tracing.type: must be "grpc", "http" or "" (unset), got "udp"',
    ]);
    assert.deepEqual(problems('{"labels": '), [problems('{"labels": ')[0]!]);
    assert.match(problems('{"labels": ')[0]!, /^configuration: not valid JSON/);
  });

  it('accepts distributed_tracing.type "http" as OPA does: protobuf to http(s)://ADDRESS/v1/traces', () => {
    const plain = parseConfig({ distributed_tracing: { type: 'http', address: '127.0.0.1:4318' } }, { env: NO_ENV })
      .distributedTracing!;
    assert.equal(plain.type, 'http');
    assert.deepEqual(plain.exporter, { endpoint: 'http://127.0.0.1:4318/v1/traces' });
    const tls = parseConfig(
      { distributed_tracing: { type: 'HTTP', address: 'collector:4318', encryption: 'tls' } },
      { env: NO_ENV },
    ).distributedTracing!;
    assert.deepEqual(tls.exporter, { endpoint: 'https://collector:4318/v1/traces', encryption: 'tls' });
    const dflt = parseConfig({ distributed_tracing: { type: 'http' } }, { env: NO_ENV }).distributedTracing!;
    assert.deepEqual(dflt.exporter, { endpoint: 'http://localhost:4317/v1/traces' });
  });

  it('status defaults to the first service, as OPA does, unless console or prometheus is on', () => {
    const services = { a: { url: 'http://127.0.0.1:1' }, b: { url: 'http://127.0.0.1:2' } };
    assert.equal(parseConfig({ services, status: {} }, { env: NO_ENV }).status?.service, 'a');
    assert.equal(parseConfig({ services, status: { console: true } }, { env: NO_ENV }).status?.service, undefined);
    assert.equal(parseConfig({ status: {} }, { env: NO_ENV }).status, undefined);
    // A list of services with names works too.
    const listed = parseConfig({ services: [{ name: 'x', url: 'http://127.0.0.1:3' }], status: {} }, { env: NO_ENV });
    assert.equal(listed.status?.service, 'x');
  });

  it('lets OTEL_* variables apply where OPA settings are absent', () => {
    const env = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4999',
      OTEL_SERVICE_NAME: 'from-env',
    };
    const t = parseConfig({}, { env }).distributedTracing!;
    assert.ok(t, 'OTEL_TRACES_EXPORTER=otlp turns tracing on');
    assert.equal(t.serviceName, 'from-env');
    assert.deepEqual(t.exporter, {}, 'the exporter reads the endpoint from the environment');
    // OPA's own settings win.
    const own = parseConfig(
      { distributed_tracing: { type: 'grpc', service_name: 'mine', address: '127.0.0.1:1' } },
      { env },
    ).distributedTracing!;
    assert.equal(own.serviceName, 'mine');
    assert.equal(own.exporter.endpoint, '127.0.0.1:1');
    // Neither: OPA's defaults.
    const dflt = parseConfig({ distributed_tracing: { type: 'grpc' } }, { env: NO_ENV }).distributedTracing!;
    assert.equal(dflt.serviceName, 'opa');
    assert.deepEqual(dflt.exporter, { endpoint: 'localhost:4317', encryption: 'off' });
    // Bad environment values are named too.
    assert.deepEqual(problems({ distributed_tracing: { type: 'grpc' } }, { OTEL_BSP_MAX_QUEUE_SIZE: 'lots' }), [
      'OTEL_BSP_MAX_QUEUE_SIZE="lots" must be an integer 1..1048576',
    ]);
    assert.deepEqual(problems({}, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), [
      'OTEL_EXPORTER_OTLP_PROTOCOL: must be "grpc" or "http/protobuf", got "http/json"',
    ]);
    const overHttp = parseConfig({}, { env: { ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' } })
      .distributedTracing!;
    assert.equal(overHttp.type, 'http');
    assert.deepEqual(overHttp.exporter, {}, 'the HTTP exporter reads the endpoint from the environment');
    assert.equal(
      parseConfig({}, { env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' } }).distributedTracing,
      undefined,
    );
  });

  describe('from the command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-config-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    function serve(args: string[]): { status: number | null; stderr: string } {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/serve.ts', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, OTEL_TRACES_EXPORTER: '' },
      });
      return { status: result.status, stderr: result.stderr };
    }

    it('exits 1 naming each bad key', () => {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify({ distributed_tracing: { type: 'grpc', sample_percentage: 'all' }, nope: 1 }));
      const { status, stderr } = serve(['--config-file', file, '--addr', '127.0.0.1:0']);
      assert.equal(status, 1, stderr);
      assert.match(stderr, /distributed_tracing\.sample_percentage: must be a number from 0 to 100, got "all"/);
      assert.match(stderr, /nope: unknown key/);
      assert.throws(() => loadConfigFile(join(dir, 'missing.json')), /--config-file: cannot read .*ENOENT/);
    });

    it('exits 2 with the usage on bad flags', () => {
      for (const args of [['--port', '1'], ['--addr'], ['--addr', 'nocolon'], ['--addr', '127.0.0.1:99999']]) {
        const { status, stderr } = serve(args);
        assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
        assert.match(stderr, /usage: npm start -- \[--addr host:port\] \[--config-file FILE\]/);
      }
    });
  });
});
