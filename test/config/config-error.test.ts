/** One configuration error type: the former names are the same class, and every problem is listed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lib/config/config-error.js';
import { envSetting, processEnv } from '../../lib/config/env.js';
import { parseEnum, parseEnvBoolean, parseEnvInteger, readPositiveMs } from '../../lib/config/values.js';
import { ConfigError as OpaConfigError, parseConfig } from '../../lib/opa/config.js';
import { OtlpConfigError, resolveOtlpConfig } from '../../lib/otlp/config.js';
import { PeriodicMetricReader } from '../../lib/otlp/periodic-reader.js';
import { Registry } from '../../lib/metrics/registry.js';
import { BatchConfigError, resolveBatchConfig } from '../../lib/trace/processors/batch-config.js';
import { ConfigError as TraceEntryConfigError } from '../../lib/trace/index.js';

function thrown(f: () => unknown): ConfigError {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('ConfigError', () => {
  it('is the class behind every former name', () => {
    assert.equal(OtlpConfigError, ConfigError);
    assert.equal(BatchConfigError, ConfigError);
    assert.equal(OpaConfigError, ConfigError);
    assert.equal(TraceEntryConfigError, ConfigError);
  });

  it('each checker throws it with every problem, each naming its option or variable', () => {
    const otlp = thrown(() =>
      resolveOtlpConfig({ timeoutMs: -1 }, { OTEL_EXPORTER_OTLP_COMPRESSION: 'zip', OTEL_EXPORTER_OTLP_INSECURE: 'y' }),
    );
    assert.deepEqual(otlp.problems, [
      'OTEL_EXPORTER_OTLP_INSECURE: must be true or false, got "y"',
      'options.timeoutMs: must be a positive number of milliseconds up to 2147483647, got -1',
      `OTEL_EXPORTER_OTLP_COMPRESSION: must be 'gzip' or 'none', got "zip"`,
    ]);
    assert.equal(
      otlp.message,
      'invalid OTLP exporter configuration:\n' + otlp.problems.map((p) => `  - ${p}`).join('\n'),
    );

    const batch = thrown(() => resolveBatchConfig({ maxQueueSize: 0 }, { OTEL_BSP_SCHEDULE_DELAY: ' x ' }));
    assert.deepEqual(batch.problems, [
      'maxQueueSize must be an integer 1..1048576, got 0',
      'OTEL_BSP_SCHEDULE_DELAY=" x " must be an integer 0..2147483647',
    ]);
    assert.match(batch.message, /^invalid batch span processor configuration:\n {2}- maxQueueSize/);

    const registry = new Registry();
    const exporter = {
      export: async () => ({ kind: 'success' as const, points: 0, rejectedPoints: 0 }),
      shutdown: async () => {},
    };
    const reader = thrown(
      () =>
        new PeriodicMetricReader({
          registry,
          exporter,
          timeoutMs: 0,
          env: { OTEL_METRIC_EXPORT_INTERVAL: '1e3' },
        }),
    );
    assert.deepEqual(reader.problems, [
      'OTEL_METRIC_EXPORT_INTERVAL: must be a positive integer number of milliseconds up to 2147483647, got "1e3"',
      'timeoutMs: must be a positive number of milliseconds up to 2147483647, got 0',
    ]);

    const opa = thrown(() => parseConfig({ labels: 1, server: { authentication: 'x' } }, { env: {} }));
    assert.deepEqual(opa.problems, [
      'labels: must be an object, got 1',
      'server.authentication: must be "off" or "token", got "x"',
    ]);
    assert.ok(opa.message.startsWith('invalid configuration:\n  - labels: '));
  });
});

describe('environment and value readers', () => {
  it('skips unset and blank variables, trims the first set one and names it', () => {
    assert.deepEqual(envSetting({ A: ' ', B: ' 7 ', C: '9' }, 'A', 'B', 'C'), { value: '7', source: 'B' });
    assert.equal(envSetting({ A: '' }, 'A', 'Z'), undefined);
  });

  it('parses as the environment specification writes values', () => {
    assert.equal(parseEnvInteger(' 42 '), 42);
    for (const bad of ['-1', '1.5', '1e3', '0x10', '']) assert.equal(parseEnvInteger(bad), undefined, bad);
    assert.equal(parseEnvBoolean('TRUE'), true);
    assert.equal(parseEnvBoolean('False'), false);
    assert.equal(parseEnvBoolean('1'), undefined);
    assert.equal(parseEnum('GZIP', ['gzip', 'none']), 'gzip');
    assert.equal(parseEnum('zip', ['gzip', 'none']), undefined);
  });

  it('takes an option over a variable, and a wrong option does not fall back to the variable', () => {
    const problems: string[] = [];
    const variable = { value: '500', source: 'V' };
    assert.equal(readPositiveMs(250, 'o', variable, problems), 250);
    assert.equal(readPositiveMs(undefined, 'o', variable, problems), 500);
    assert.equal(readPositiveMs(undefined, 'o', undefined, problems), undefined);
    assert.deepEqual(problems, []);
    assert.equal(readPositiveMs(Number.NaN, 'o', variable, problems), undefined);
    assert.deepEqual(problems, ['o: must be a positive number of milliseconds up to 2147483647, got NaN']);
  });

  it('reads no environment where the runtime has no process', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    try {
      assert.deepEqual(processEnv(), {});
    } finally {
      Object.defineProperty(globalThis, 'process', saved);
    }
    assert.equal(processEnv(), process.env);
  });
});
