/**
 * The 8 bytes of every NaN the protobuf output holds, per operation that makes one, as client_golang 1.14
 * writes them on amd64: math.NaN() is 0x7FF8000000000001, negation flips only the sign, Inf + -Inf gives the
 * x86 default NaN 0xFFF8000000000000, and a sum keeps the NaN it already holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, encodeProtobuf, Gauge, Histogram, Registry, Summary } from '../../lib/index.js';

// Little-endian, as on the wire.
const GO = '010000000000f87f';
const NEGATED_GO = '010000000000f8ff';
const DEFAULT = '000000000000f8ff';

/** Reads a varint at `at`; returns [value, next offset]. */
function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = b[at++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [v, at];
  }
}

/** The raw bytes of the first field found along `path` (field numbers, outermost first) in one message. */
function field(message: Uint8Array, path: readonly number[]): Uint8Array {
  let at = 0;
  while (at < message.length) {
    const [key, start] = varint(message, at);
    const [number, wire] = [Math.floor(key / 8), key % 8];
    let end: number;
    let body: Uint8Array;
    if (wire === 0) [, end] = varint(message, start);
    else if (wire === 1) end = start + 8;
    else if (wire === 2) {
      const [length, from] = varint(message, start);
      end = from + length;
      body = message.subarray(from, end);
    } else throw new Error(`unexpected wire type ${wire}`);
    if (number === path[0]) {
      if (path.length > 1) return field(body!, path.slice(1));
      return message.subarray(wire === 2 ? end - body!.length : start, end);
    }
    at = end;
  }
  throw new Error(`no field ${path.join('.')}`);
}

/** Hex of the field at `path` in the MetricFamily of the one metric `make` registers. */
function bitsOf(make: (registers: Registry[]) => void, path: readonly number[]): string {
  const registry = new Registry();
  make([registry]);
  const out = encodeProtobuf(registry.collect());
  const [length, from] = varint(out, 0);
  return Buffer.from(field(out.subarray(from, from + length), path)).toString('hex');
}

// Paths in MetricFamily: metric = 4; Metric.gauge = 2, .counter = 3, .summary = 4, .histogram = 7.
const GAUGE_VALUE = [4, 2, 1];
const COUNTER_VALUE = [4, 3, 1];
const COUNTER_EXEMPLAR_VALUE = [4, 3, 2, 2];
const SUMMARY_SUM = [4, 4, 2];
const QUANTILE_VALUE = [4, 4, 3, 2];
const HISTOGRAM_SUM = [4, 7, 2];
const BUCKET_BOUND = [4, 7, 3, 2];

function gauge(ops: (g: Gauge) => void): string {
  return bitsOf((registers) => {
    const g = new Gauge({ name: 'g', help: 'h', registers });
    ops(g);
  }, GAUGE_VALUE);
}

describe('NaN bits in protobuf, as client_golang on amd64', () => {
  // [what is done, in order; the bits Go writes]
  const GAUGE_CASES: readonly (readonly [string, (g: Gauge) => void, string])[] = [
    ['set(NaN)', (g) => g.set(NaN), GO],
    ['add(NaN)', (g) => g.add(NaN), GO],
    ['inc(NaN)', (g) => g.inc(NaN), GO],
    // Sub(v) is Add(v * -1), which Go compiles to a negation: the sign flips, the payload stays.
    ['sub(NaN)', (g) => g.sub(NaN), NEGATED_GO],
    ['dec(NaN)', (g) => g.dec(NaN), NEGATED_GO],
    ['set(+Inf) add(-Inf)', (g) => (g.set(Infinity), g.add(-Infinity)), DEFAULT],
    ['set(+Inf) sub(+Inf)', (g) => (g.set(Infinity), g.sub(Infinity)), DEFAULT],
    // A sum keeps the NaN it holds; a set replaces it.
    [
      'set(+Inf) add(-Inf) add(NaN) sub(NaN)',
      (g) => (g.set(Infinity), g.add(-Infinity), g.add(NaN), g.sub(NaN)),
      DEFAULT,
    ],
    ['sub(NaN) add(NaN) inc()', (g) => (g.sub(NaN), g.add(NaN), g.inc()), NEGATED_GO],
    ['add(NaN) sub(NaN)', (g) => (g.add(NaN), g.sub(NaN)), GO],
    ['sub(NaN) set(NaN)', (g) => (g.sub(NaN), g.set(NaN)), GO],
    ['sub(NaN) set(+Inf) add(-Inf)', (g) => (g.sub(NaN), g.set(Infinity), g.add(-Infinity)), DEFAULT],
    // A NaN passed in is math.NaN() whatever its bits (Inf - Inf is 0xFFF8000000000000 in JS on x86).
    ['set(Inf - Inf)', (g) => g.set(Infinity - Infinity), GO],
    ['sub(Inf - Inf)', (g) => g.sub(Infinity - Infinity), NEGATED_GO],
  ];

  it('gauge: every operation that makes a NaN', () => {
    for (const [what, ops, bits] of GAUGE_CASES) assert.equal(gauge(ops), bits, what);
  });

  it('counter: NaN added to the float part or after +Inf is math.NaN()', () => {
    const counter = (ops: (c: Counter) => void, path = COUNTER_VALUE) =>
      bitsOf((registers) => {
        const c = new Counter({ name: 'c_total', help: 'h', registers });
        ops(c);
      }, path);
    assert.equal(
      counter((c) => c.add(NaN)),
      GO,
    );
    assert.equal(
      counter((c) => (c.inc(), c.add(0.5), c.add(Infinity), c.add(NaN))),
      GO,
    );
    assert.equal(
      counter((c) => c.addWithExemplar(NaN, { trace_id: 'a' }), COUNTER_EXEMPLAR_VALUE),
      GO,
    );
  });

  it('histogram: the sum of -Inf and +Inf is the default NaN, kept after a NaN observation', () => {
    const histogram = (values: number[], options: { buckets?: number[]; factor?: number } = {}, path = HISTOGRAM_SUM) =>
      bitsOf((registers) => {
        const h = new Histogram({
          name: 'h',
          help: 'h',
          registers,
          buckets: options.buckets ?? [1],
          nativeHistogramBucketFactor: options.factor,
        });
        for (const v of values) h.observe(v);
      }, path);
    assert.equal(histogram([-Infinity, Infinity, NaN, 1]), DEFAULT);
    assert.equal(histogram([NaN, -Infinity, Infinity]), GO);
    assert.equal(histogram([-Infinity, Infinity, NaN], { factor: 1.1 }), DEFAULT);
    assert.equal(histogram([1], { buckets: [NaN] }, BUCKET_BOUND), GO);
  });

  it('summary: sums as the histogram, quantiles of NaN observations and of no observations are math.NaN()', () => {
    const summary = (values: number[], objectives: Record<string, number>, path: number[]) =>
      bitsOf((registers) => {
        const s = new Summary({ name: 's', help: 'h', registers, objectives });
        for (const v of values) s.observe(v);
      }, path);
    assert.equal(summary([-Infinity, Infinity, NaN], {}, SUMMARY_SUM), DEFAULT);
    assert.equal(summary([NaN, Infinity, -Infinity], {}, SUMMARY_SUM), GO);
    assert.equal(summary([Infinity, -Infinity, NaN], { '0.5': 0.05 }, SUMMARY_SUM), DEFAULT);
    assert.equal(summary([NaN, NaN], { '0.5': 0.05 }, QUANTILE_VALUE), GO);
    assert.equal(summary([], { '0.5': 0.05 }, QUANTILE_VALUE), GO);
  });
});
