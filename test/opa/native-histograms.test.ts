/**
 * `server.metrics.native_histograms`: the configuration is read strictly, and the request histogram becomes a
 * native histogram, alone or beside OPA's classic buckets (`keep_classic`).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../lib/opa/config.js';
import { createReferenceServer } from '../../lib/opa/app.js';
import { request } from './helpers.js';

function problems(input: unknown): string[] {
  try {
    parseConfig(input, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.problems];
  }
  assert.fail('expected a ConfigError');
}

const at = (native: unknown) => ({ server: { metrics: { native_histograms: native } } });

describe('server.metrics.native_histograms', () => {
  it('is off by default and reads every field when given', () => {
    assert.equal(parseConfig({}, { env: {} }).server.nativeHistograms, undefined);
    const c = parseConfig(
      at({
        bucket_factor: 1.1,
        zero_threshold: -1,
        max_buckets: 160,
        min_reset_seconds: 3600,
        max_zero_threshold: 0.001,
        keep_classic: true,
      }),
      { env: {} },
    );
    assert.deepEqual(c.server.nativeHistograms, {
      bucketFactor: 1.1,
      zeroThreshold: -1,
      maxBuckets: 160,
      minResetSeconds: 3600,
      maxZeroThreshold: 0.001,
      keepClassic: true,
    });
  });

  it('lists every problem, each naming its key', () => {
    const p = 'server.metrics.native_histograms';
    assert.deepEqual(
      problems(
        at({
          zero_threshold: -0.5,
          max_buckets: 1.5,
          min_reset_seconds: -1,
          max_zero_threshold: 'x',
          keep_classic: 1,
          schema: 3,
        }),
      ),
      [
        `${p}.schema: unknown key`,
        `${p}.bucket_factor: required`,
        `${p}.zero_threshold: must be -1 (exact zeros only) or a number >= 0, got -0.5`,
        `${p}.max_buckets: must be an integer from 0 to 4294967295, got 1.5`,
        `${p}.min_reset_seconds: must be a number from 0 to 9000000000, got -1`,
        `${p}.max_zero_threshold: must be a number >= 0, got "x"`,
        `${p}.keep_classic: must be true or false, got 1`,
      ],
    );
    assert.deepEqual(problems(at({ bucket_factor: 1 })), [
      `${p}.bucket_factor: must be a number greater than 1, got 1`,
    ]);
    assert.deepEqual(problems(at({ bucket_factor: 0.5 })), [
      `${p}.bucket_factor: must be a number greater than 1, got 0.5`,
    ]);
    assert.deepEqual(problems(at(true)), [`${p}: must be an object, got true`]);
  });

  for (const keepClassic of [false, true]) {
    it(`turns http_request_duration_seconds native${keepClassic ? ', keeping the classic buckets' : ' only'}`, async () => {
      const server = createReferenceServer({
        config: parseConfig(at({ bucket_factor: 1.1, keep_classic: keepClassic }), { env: {} }),
        runtimeMetrics: false,
        log: () => {},
      });
      const { port } = await server.listen(0, '127.0.0.1');
      try {
        for (let i = 0; i < 3; i++) assert.equal((await request(`http://127.0.0.1:${port}/health`)).status, 200);
        const family = server.registry.collect().find((f) => f.name === 'http_request_duration_seconds')!;
        const health = family.series.find((s) => s.labels.values.includes('health'))!;
        assert.equal(health.count, 3);
        assert.equal(health.native!.schema, 3);
        // Deltas add up to each bucket's count; the buckets and the zero bucket hold every observation.
        let bucket = 0;
        let total = health.native!.zeroCount;
        for (const delta of health.native!.positive.deltas) total += bucket += delta;
        assert.equal(total, 3, 'every observation is in a native bucket');
        assert.deepEqual(
          family.upperBounds,
          keepClassic ? [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 0.01, 0.1, 1] : [],
        );
        // The text format shows the classic part only, as client_golang's does.
        const text = (await request(`http://127.0.0.1:${port}/metrics`)).text;
        const buckets = text
          .split('\n')
          .filter((l) => l.startsWith('http_request_duration_seconds_bucket{code="200",handler="health"'));
        assert.equal(buckets.length, keepClassic ? 11 : 1, buckets.join('\n'));
        assert.match(buckets.at(-1)!, /le="\+Inf"} 3$/);
      } finally {
        await server.shutdown(2000);
      }
    });
  }
});
