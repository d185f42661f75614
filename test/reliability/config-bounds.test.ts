/**
 * Every numeric setting has a documented range (docs/reliability.md); a value outside it is a
 * configuration error naming the key, and `npm start` exits 1 without a stack trace. Before,
 * `max_queue_size: 1e12` ended in an uncaught `RangeError: Invalid array length`, and `2e8` was
 * accepted: a 1.3 GB queue allocated up front, /health silent for 15 s.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ConfigError,
  MAX_BODY_LENGTH,
  MAX_LABELS,
  MAX_TIMEOUT_MS,
  MAX_TIMEOUT_SECONDS,
  parseConfig,
} from '../../lib/opa/config.js';
import { MAX_BUCKETS } from '../../lib/opa/config-reader.js';
import { BatchConfigError, BatchSpanProcessor, MAX_QUEUE_SIZE } from '../../lib/trace/batch.js';
import type { SpanExporter } from '../../lib/trace/span-data.js';
import { runToExit } from '../opa/spawn-server.js';

/** Each numeric key: where it sits in a configuration, and its largest accepted value. */
interface Bound {
  readonly key: string;
  readonly max: number;
  /** The configuration holding `value` at the key. */
  readonly config: (value: unknown) => unknown;
}

const bsp = (name: string) => (value: unknown) => ({
  distributed_tracing: { type: 'grpc', batch_span_processor_options: { [name]: value } },
});
const BOUNDS: readonly Bound[] = [
  {
    key: 'services.s.response_header_timeout_seconds',
    max: MAX_TIMEOUT_SECONDS,
    config: (v) => ({ services: { s: { url: 'http://127.0.0.1:9', response_header_timeout_seconds: v } } }),
  },
  {
    key: 'distributed_tracing.sample_percentage',
    max: 100,
    config: (v) => ({ distributed_tracing: { sample_percentage: v } }),
  },
  {
    key: 'distributed_tracing.batch_span_processor_options.batch_timeout_ms',
    max: MAX_TIMEOUT_MS,
    config: bsp('batch_timeout_ms'),
  },
  {
    key: 'distributed_tracing.batch_span_processor_options.export_timeout_ms',
    max: MAX_TIMEOUT_MS,
    config: bsp('export_timeout_ms'),
  },
  {
    key: 'distributed_tracing.batch_span_processor_options.max_export_batch_size',
    max: MAX_QUEUE_SIZE,
    config: bsp('max_export_batch_size'),
  },
  {
    key: 'distributed_tracing.batch_span_processor_options.max_queue_size',
    max: MAX_QUEUE_SIZE,
    config: bsp('max_queue_size'),
  },
  {
    key: 'server.decoding.max_length',
    max: MAX_BODY_LENGTH,
    config: (v) => ({ server: { decoding: { max_length: v } } }),
  },
  {
    key: 'server.decoding.gzip.max_length',
    max: MAX_BODY_LENGTH,
    config: (v) => ({ server: { decoding: { gzip: { max_length: v } } } }),
  },
  {
    key: 'server.timeouts.read_header_ms',
    max: MAX_TIMEOUT_MS,
    config: (v) => ({ server: { timeouts: { read_header_ms: v } } }),
  },
  {
    key: 'server.timeouts.request_ms',
    max: MAX_TIMEOUT_MS,
    config: (v) => ({ server: { timeouts: { request_ms: v } } }),
  },
  {
    key: 'upstreams.u.timeout_ms',
    max: MAX_TIMEOUT_MS,
    config: (v) => ({ upstreams: { u: { url: 'http://127.0.0.1:9', timeout_ms: v } } }),
  },
];

const buckets = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const labels = (n: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));
/** Counts: the largest list accepted, and the configuration holding a list of `n`. */
const COUNTS: readonly { key: string; max: number; config: (n: number) => unknown }[] = [
  {
    key: 'server.metrics.prom.http_request_duration_seconds.buckets',
    max: MAX_BUCKETS,
    config: (n) => ({ server: { metrics: { prom: { http_request_duration_seconds: { buckets: buckets(n) } } } } }),
  },
  {
    key: 'status.prometheus_config.collectors.bundle_loading_duration_ns.buckets',
    max: MAX_BUCKETS,
    config: (n) => ({
      status: {
        prometheus: true,
        prometheus_config: { collectors: { bundle_loading_duration_ns: { buckets: buckets(n) } } },
      },
    }),
  },
  { key: 'labels', max: MAX_LABELS, config: (n) => ({ labels: labels(n) }) },
];

function problemsOf(config: unknown): readonly string[] {
  try {
    parseConfig(config, { env: {} });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    return error.problems;
  }
}

describe('numeric settings have a range', () => {
  for (const b of BOUNDS) {
    it(`${b.key}: ${b.max} is accepted, ${b.max + 1} and 1e12 are refused naming the key`, () => {
      assert.deepEqual(problemsOf(b.config(b.max)), []);
      for (const over of [b.max + 1, 1e12]) {
        const problems = problemsOf(b.config(over));
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0]!, new RegExp(`^${b.key.replace(/\./g, '\\.')}: must be .*${b.max}.*, got ${over}$`));
      }
    });
  }
  for (const c of COUNTS) {
    it(`${c.key}: ${c.max} entries are accepted, ${c.max + 1} refused naming the key`, () => {
      assert.deepEqual(problemsOf(c.config(c.max)), []);
      assert.deepEqual(problemsOf(c.config(c.max + 1)), [
        `${c.key}: must hold at most ${c.max} ${c.key === 'labels' ? 'labels' : 'buckets'}, got ${c.max + 1}`,
      ]);
    });
  }
});

describe('the batch processor allocates no queue past its range', () => {
  const exporter: SpanExporter = { export: async () => ({ kind: 'success' }), shutdown: async () => {} };
  it(`maxQueueSize 1e12 (option) and OTEL_BSP_MAX_QUEUE_SIZE=200000000 are refused, ${MAX_QUEUE_SIZE} is accepted`, async () => {
    assert.throws(
      () => new BatchSpanProcessor(exporter, { env: {}, maxQueueSize: 1e12 }),
      (e: Error) =>
        e instanceof BatchConfigError &&
        e.problems[0] === `maxQueueSize must be an integer 1..${MAX_QUEUE_SIZE}, got 1000000000000`,
    );
    assert.throws(
      () => new BatchSpanProcessor(exporter, { env: { OTEL_BSP_MAX_QUEUE_SIZE: '200000000' } }),
      (e: Error) =>
        e instanceof BatchConfigError &&
        e.problems[0] === `OTEL_BSP_MAX_QUEUE_SIZE="200000000" must be an integer 1..${MAX_QUEUE_SIZE}`,
    );
    const largest = new BatchSpanProcessor(exporter, { env: {}, maxQueueSize: MAX_QUEUE_SIZE, flushOnExit: false });
    assert.equal(largest.config.maxQueueSize, MAX_QUEUE_SIZE);
    await largest.shutdown(1000);
  });
});

describe('npm start with a setting out of range exits 1, naming the key, without a stack trace', {
  timeout: 180_000,
}, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zerotel-bounds-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const queue of [1e12, 2e8]) {
    it(`batch_span_processor_options.max_queue_size: ${queue}`, async () => {
      const file = join(dir, `queue-${queue}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          distributed_tracing: { type: 'grpc', batch_span_processor_options: { max_queue_size: queue } },
        }),
      );
      const { code, signal, stderr } = await runToExit(['--addr', '127.0.0.1:0', '--config-file', file]);
      assert.equal(signal, null, stderr);
      assert.equal(code, 1, stderr);
      assert.equal(
        stderr,
        'serve: invalid configuration:\n' +
          `  - distributed_tracing.batch_span_processor_options.max_queue_size: must be an integer from 1 to ${MAX_QUEUE_SIZE}, got ${queue}\n`,
      );
    });
  }

  it('every key out of range at once: each one named', async () => {
    const file = join(dir, 'all.json');
    const merged: Record<string, any> = {};
    const merge = (into: Record<string, any>, from: Record<string, any>): void => {
      for (const [k, v] of Object.entries(from)) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof into[k] === 'object') merge(into[k], v);
        else into[k] = v;
      }
    };
    for (const b of BOUNDS) merge(merged, b.config(b.max + 1) as Record<string, any>);
    writeFileSync(file, JSON.stringify(merged));
    const { code, stderr } = await runToExit(['--addr', '127.0.0.1:0', '--config-file', file]);
    assert.equal(code, 1, stderr);
    for (const b of BOUNDS) assert.ok(stderr.includes(`  - ${b.key}: must be `), `${b.key} not named in:\n${stderr}`);
    assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  });
});
