/**
 * The exporter's `logger` is a function or an object with `warn`. A function used to be accepted and
 * then called as `logger.warn(...)`, which threw inside the exporter's guard: every warning was lost
 * without a word. Anything else is now refused when the exporter is built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OtlpGrpcTraceExporter } from '../../lib/otlp/exporter.js';
import type { SpanData } from '../../lib/trace/span-data.js';
import { freePort, recordingTracer } from '../opa/helpers.js';

/** One real span to export. */
function oneSpan(): SpanData {
  const { provider, recorder } = recordingTracer();
  provider.getTracer('logger-test').startSpan('one').end();
  return recorder.spans[0]!;
}

/** Makes one export fail (a closed port) with `logger` as the exporter's logger. */
async function failOneExport(logger: unknown): Promise<void> {
  const exporter = new OtlpGrpcTraceExporter({
    endpoint: `127.0.0.1:${await freePort()}`,
    encryption: 'off',
    timeoutMs: 200,
    env: {},
    logger: logger as never,
  });
  try {
    const result = await exporter.export([oneSpan()]);
    assert.equal(result.kind, 'failure');
  } finally {
    await exporter.shutdown();
  }
}

describe('the OTLP exporter logger option', { timeout: 30_000 }, () => {
  it('a function receives the warnings', async () => {
    const seen: string[] = [];
    await failOneExport((message: string) => seen.push(message));
    assert.equal(seen.length, 1, seen.join('\n'));
    assert.match(seen[0]!, /^zerotel: OTLP export of 1 spans to .* failed after \d+ attempts?: UNAVAILABLE: /);
  });

  it('an object with warn receives them (called as a method)', async () => {
    const seen: string[] = [];
    const logger = {
      prefix: 'obj',
      warn(this: { prefix: string }, message: string) {
        seen.push(`${this.prefix}: ${message}`);
      },
    };
    await failOneExport(logger);
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /^obj: zerotel: OTLP export of 1 spans/);
  });

  for (const [what, logger] of [
    ['null', null],
    ['a string', 'console'],
    ['a number', 42],
    ['an object without warn', { log: () => {} }],
    ['an object whose warn is not a function', { warn: 'x' }],
  ] as const) {
    it(`${what} is refused at construction`, () => {
      assert.throws(
        () =>
          new OtlpGrpcTraceExporter({
            endpoint: '127.0.0.1:4317',
            encryption: 'off',
            env: {},
            logger: logger as never,
          }),
        (error: Error) =>
          error instanceof TypeError &&
          /^OtlpGrpcTraceExporter: logger must be a function or an object with a warn method, got /.test(error.message),
      );
    });
  }
});
