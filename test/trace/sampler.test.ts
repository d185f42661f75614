import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  samplerFromEnv,
} from '../../lib/trace/sampler.js';
import { SpanKind } from '../../lib/trace/span-data.js';
import type { SpanContext } from '../../lib/trace/span.js';
import { TraceState } from '../../lib/trace/trace-state.js';

/**
 * Go's bound, `uint64(fraction * (1 << 63))`, computed exactly from the double's bits with BigInt:
 * a finite double is sig * 2^exp, so the product is sig * 2^(exp + 63), truncated toward zero.
 */
function goBound(fraction: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, fraction);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const mantissa = bits & ((1n << 52n) - 1n);
  const sig = exponentBits === 0 ? mantissa : mantissa | (1n << 52n);
  const exp = (exponentBits === 0 ? -1074 : exponentBits - 1075) + 63;
  return exp >= 0 ? sig << BigInt(exp) : sig >> BigInt(-exp);
}

/** Go's TraceIDRatioBased decision for one trace id, in BigInt arithmetic. */
function goSamples(traceId: string, fraction: number): boolean {
  if (fraction >= 1) return true;
  const bound = fraction <= 0 ? 0n : goBound(fraction);
  const x = BigInt('0x' + traceId.slice(16, 32)) >> 1n; // BigEndian.Uint64(traceID[8:16]) >> 1
  return x < bound;
}

const hex64 = (value: bigint): string => value.toString(16).padStart(16, '0');
const U64_MAX = (1n << 64n) - 1n;

describe('TraceIdRatioBased matches OpenTelemetry Go', () => {
  const fractions = [
    0,
    -0.5,
    Number.MIN_VALUE,
    1e-12,
    1e-9,
    0.0001,
    0.1,
    0.25,
    1 / 3,
    0.5,
    0.5 + 2 ** -53,
    0.75,
    0.9,
    0.999999,
    1 - 2 ** -53,
    1,
    1.5,
  ];

  it('agrees with the BigInt formula on ids at the bound, at the extremes and at random', () => {
    let checked = 0;
    for (const fraction of fractions) {
      const sampler = new TraceIdRatioBasedSampler(fraction);
      const bound = fraction <= 0 ? 0n : fraction >= 1 ? 1n << 63n : goBound(fraction);
      const lows = new Set<bigint>([0n, 1n, U64_MAX, U64_MAX - 1n, 1n << 63n, (1n << 63n) - 1n]);
      for (const d of [-3n, -2n, -1n, 0n, 1n, 2n]) {
        const v = 2n * bound + d; // the id whose >> 1 lands right around the bound
        if (v >= 0n && v <= U64_MAX) lows.add(v);
      }
      const ids = [...lows].map((low) => randomBytes(8).toString('hex') + hex64(low));
      for (let i = 0; i < 300; i++) ids.push(randomBytes(16).toString('hex'));
      for (const id of ids) {
        const expected = goSamples(id, fraction);
        const actual = sampler.shouldSample(undefined, id).decision === SamplingDecision.RECORD_AND_SAMPLED;
        assert.equal(actual, expected, `fraction ${fraction}, trace id ${id}`);
        checked++;
      }
    }
    assert.ok(checked > fractions.length * 300);
  });

  it('decides from the last 8 bytes only', () => {
    const sampler = new TraceIdRatioBasedSampler(0.5);
    // x = 0x7fff...ff >> 1 = 2^62 - 1 < 2^62 (sampled); 0x8000...00 >> 1 = 2^62 (not).
    for (const high of ['0'.repeat(16), 'f'.repeat(16), randomBytes(8).toString('hex')]) {
      assert.equal(
        sampler.shouldSample(undefined, high + '7fffffffffffffff').decision,
        SamplingDecision.RECORD_AND_SAMPLED,
      );
      assert.equal(sampler.shouldSample(undefined, high + '8000000000000000').decision, SamplingDecision.NOT_RECORD);
    }
  });

  it('samples about the given fraction of random ids', () => {
    const sampler = new TraceIdRatioBasedSampler(0.25);
    let sampled = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      if (
        sampler.shouldSample(undefined, randomBytes(16).toString('hex')).decision ===
        SamplingDecision.RECORD_AND_SAMPLED
      ) {
        sampled++;
      }
    }
    // 0.25 ± 6 standard deviations (sd ≈ 0.0031).
    assert.ok(Math.abs(sampled / n - 0.25) < 0.02, `sampled ${sampled} of ${n}`);
  });

  it('clamps fractions like Go, refuses NaN, and describes itself', () => {
    assert.equal(new TraceIdRatioBasedSampler(2).ratio, 1);
    assert.equal(new TraceIdRatioBasedSampler(-1).ratio, 0);
    assert.throws(() => new TraceIdRatioBasedSampler(NaN), TypeError);
    assert.equal(String(new TraceIdRatioBasedSampler(0.25)), 'TraceIdRatioBased{0.25}');
    assert.equal(new TraceIdRatioBasedSampler(0).shouldSample(undefined, 'f'.repeat(16) + '0'.repeat(16)).decision, 0);
  });
});

describe('ParentBased', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parent = (sampled: boolean, isRemote: boolean): SpanContext => ({
    traceId: TRACE,
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? 1 : 0,
    traceState: TraceState.EMPTY,
    isRemote,
  });
  /** A sampler that says which one it is through the attributes of its result. */
  const named = (name: string): Sampler => ({
    shouldSample: () => ({ decision: SamplingDecision.RECORD, attributes: { by: name } }),
    toString: () => name,
  });
  const by = (sampler: Sampler, p: SpanContext | undefined) =>
    sampler.shouldSample(p, TRACE, 'n', SpanKind.INTERNAL, undefined, undefined).attributes?.['by'];

  it('asks root for spans without a valid parent and the matching delegate otherwise', () => {
    const sampler = new ParentBasedSampler({
      root: named('root'),
      remoteParentSampled: named('remoteSampled'),
      remoteParentNotSampled: named('remoteNotSampled'),
      localParentSampled: named('localSampled'),
      localParentNotSampled: named('localNotSampled'),
    });
    assert.equal(by(sampler, undefined), 'root');
    assert.equal(by(sampler, { ...parent(true, true), spanId: '0'.repeat(16) }), 'root');
    assert.equal(by(sampler, parent(true, true)), 'remoteSampled');
    assert.equal(by(sampler, parent(false, true)), 'remoteNotSampled');
    assert.equal(by(sampler, parent(true, false)), 'localSampled');
    assert.equal(by(sampler, parent(false, false)), 'localNotSampled');
  });

  it('defaults: follow the parent’s sampled flag, ask root for roots', () => {
    const decide = (sampler: Sampler, p: SpanContext | undefined) =>
      sampler.shouldSample(p, TRACE, 'n', SpanKind.INTERNAL, undefined, undefined).decision;
    const on = new ParentBasedSampler(new AlwaysOffSampler());
    assert.equal(decide(on, undefined), SamplingDecision.NOT_RECORD);
    for (const isRemote of [true, false]) {
      assert.equal(decide(on, parent(true, isRemote)), SamplingDecision.RECORD_AND_SAMPLED);
      assert.equal(decide(on, parent(false, isRemote)), SamplingDecision.NOT_RECORD);
    }
    assert.equal(decide(new ParentBasedSampler(new AlwaysOnSampler()), undefined), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(
      String(new ParentBasedSampler(new AlwaysOnSampler())),
      'ParentBased{root:AlwaysOnSampler,remoteParentSampled:AlwaysOnSampler,remoteParentNotSampled:AlwaysOffSampler,' +
        'localParentSampled:AlwaysOnSampler,localParentNotSampled:AlwaysOffSampler}',
    );
  });
});

describe('samplerFromEnv', () => {
  const from = (env: Record<string, string>) => {
    const warnings: string[] = [];
    const sampler = samplerFromEnv(env, (m) => warnings.push(m));
    return { description: String(sampler), warnings, sampler };
  };
  const PB = (root: string) =>
    `ParentBased{root:${root},remoteParentSampled:AlwaysOnSampler,remoteParentNotSampled:AlwaysOffSampler,` +
    'localParentSampled:AlwaysOnSampler,localParentNotSampled:AlwaysOffSampler}';

  const table: [Record<string, string>, string, number][] = [
    // environment, sampler, warnings
    [{}, PB('AlwaysOnSampler'), 0],
    [{ OTEL_TRACES_SAMPLER: '' }, PB('AlwaysOnSampler'), 0],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, 'AlwaysOnSampler', 0],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 'AlwaysOffSampler', 0],
    [{ OTEL_TRACES_SAMPLER: ' Always_Off ' }, 'AlwaysOffSampler', 0],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, 'TraceIdRatioBased{0.25}', 0],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio' }, 'TraceIdRatioBased{1}', 0],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '' }, 'TraceIdRatioBased{1}', 0],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1e-3' }, 'TraceIdRatioBased{0.001}', 0],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'TraceIdRatioBased{1}', 1],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '-0.1' }, 'TraceIdRatioBased{1}', 1],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, 'TraceIdRatioBased{1}', 1],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0x1' }, 'TraceIdRatioBased{1}', 1],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, PB('AlwaysOnSampler'), 0],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, PB('AlwaysOffSampler'), 0],
    [
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' },
      PB('TraceIdRatioBased{0.5}'),
      0,
    ],
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, PB('AlwaysOnSampler'), 1],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, PB('AlwaysOnSampler'), 1],
  ];
  for (const [env, expected, warnings] of table) {
    it(`${JSON.stringify(env)} -> ${expected.slice(0, 40)}`, () => {
      const result = from(env);
      assert.equal(result.description, expected);
      assert.equal(result.warnings.length, warnings, result.warnings.join('\n'));
    });
  }

  it('names the bad value and the fallback in its warnings', () => {
    assert.match(from({ OTEL_TRACES_SAMPLER: 'sometimes' }).warnings[0]!, /"sometimes".*parentbased_always_on/);
    assert.match(
      from({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }).warnings[0]!,
      /OTEL_TRACES_SAMPLER_ARG="half".*1\.0/,
    );
  });
});
