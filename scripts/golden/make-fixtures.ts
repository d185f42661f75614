/**
 * Writes the fixture JSONs of test/conformance/golden/ (the inputs only; the Go generator in this
 * directory turns them into the expected outputs). Deterministic: every random value comes from a
 * seeded PRNG, so running it again gives byte-identical files.
 *
 *   npx tsx scripts/golden/make-fixtures.ts [OUT_DIR]
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureNumber } from './fixture-number.js';

// --- deterministic randomness ------------------------------------------------------------------

/** xoshiro128** with a splitmix32-style seeding; all arithmetic on 32-bit integers. */
class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.u32() >>> 5; // 27 bits
    const lo = this.u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A finite double made of random bits: every exponent equally likely. */
  anyDouble(): number {
    const view = new DataView(new ArrayBuffer(8));
    for (;;) {
      view.setUint32(0, this.u32());
      view.setUint32(4, this.u32());
      const x = view.getFloat64(0);
      if (Number.isFinite(x)) return x;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

// --- fixture model and serialisation ----------------------------------------------------------

type Value = number;

interface Op {
  labels?: string[];
  op: 'inc' | 'dec' | 'add' | 'sub' | 'set' | 'observe';
  value?: Value;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels?: string[];
  const_labels?: Record<string, string>;
  buckets?: Value[];
  /** [rank, error] pairs; serialised as the objectives object with the rank as key. */
  objectives?: Array<[number, number]>;
  ops: Op[];
}

interface Fixture {
  description: string;
  families: Family[];
}

const num = fixtureNumber;

function str(s: string): string {
  return JSON.stringify(s);
}

function opLine(o: Op): string {
  const parts: string[] = [];
  if (o.labels !== undefined) parts.push(`"labels":[${o.labels.map(str).join(',')}]`);
  parts.push(`"op":${str(o.op)}`);
  if (o.value !== undefined) parts.push(`"value":${num(o.value)}`);
  return `{${parts.join(',')}}`;
}

/** Pretty-printed like the shared fixtures, except that every op takes a single compact line. */
function serialize(fx: Fixture): string {
  const out: string[] = [];
  out.push('{');
  out.push(`  "description": ${str(fx.description)},`);
  out.push('  "families": [');
  fx.families.forEach((f, fi) => {
    const fields: string[] = [];
    fields.push(`      "name": ${str(f.name)}`);
    fields.push(`      "help": ${str(f.help)}`);
    fields.push(`      "type": ${str(f.type)}`);
    if (f.labels !== undefined) fields.push(`      "labels": [${f.labels.map(str).join(', ')}]`);
    if (f.const_labels !== undefined) {
      const entries = Object.entries(f.const_labels).map(([k, v]) => `${str(k)}: ${str(v)}`);
      fields.push(`      "const_labels": {${entries.join(', ')}}`);
    }
    if (f.buckets !== undefined) fields.push(`      "buckets": [${f.buckets.map(num).join(', ')}]`);
    if (f.objectives !== undefined) {
      const entries = f.objectives.map(([q, e]) => `${str(String(q))}: ${num(e)}`);
      fields.push(`      "objectives": {${entries.join(', ')}}`);
    }
    if (f.ops.length === 0) {
      fields.push('      "ops": []');
    } else {
      fields.push('      "ops": [\n' + f.ops.map((o) => '        ' + opLine(o)).join(',\n') + '\n      ]');
    }
    out.push('    {');
    out.push(fields.join(',\n'));
    out.push(fi === fx.families.length - 1 ? '    }' : '    },');
  });
  out.push('  ]');
  out.push('}');
  return out.join('\n') + '\n';
}

// --- the fixtures -----------------------------------------------------------------------------

const fixtures: Record<string, Fixture> = {};

function observeAll(values: readonly number[], labels?: string[]): Op[] {
  return values.map((value) => (labels === undefined ? { op: 'observe', value } : { labels, op: 'observe', value }));
}

/** 10^e from its decimal literal, so the value never depends on a pow implementation. */
function pow10(e: number): number {
  return Number(`1e${e}`);
}

function round(x: number, digits: number): number {
  const f = pow10(digits);
  return Math.round(x * f) / f;
}

// Summaries with objectives.
{
  const rng = new Rng(1);
  const values: number[] = [];
  for (let i = 0; i < 5000; i++) values.push(-Math.log(1 - rng.float()) * 0.25);
  fixtures['summary_stream_5000_exponential'] = {
    description:
      'Plain summary, objectives 0.5/0.9/0.99 (errors 0.05/0.01/0.001), 5000 exponentially distributed full-precision observations: many hot-buffer flushes, stream merges and compressions.',
    families: [
      {
        name: 'rpc_latency_seconds',
        help: 'RPC latency.',
        type: 'summary',
        objectives: [
          [0.5, 0.05],
          [0.9, 0.01],
          [0.99, 0.001],
        ],
        ops: observeAll(values),
      },
    ],
  };
}
{
  const rng = new Rng(2);
  const values: number[] = [];
  for (let i = 0; i < 2500; i++) values.push(rng.normal() * 10 + 50);
  fixtures['summary_stream_edge_ranks'] = {
    description:
      'Plain summary with ranks 0, 0.25, 0.5, 0.75 and 1 (errors 0.05, 0.01, 0.001, 0.01, 0.05) over 2500 normally distributed observations.',
    families: [
      {
        name: 'payload_size_units',
        help: 'Payload size.',
        type: 'summary',
        objectives: [
          [0, 0.05],
          [0.25, 0.01],
          [0.5, 0.001],
          [0.75, 0.01],
          [1, 0.05],
        ],
        ops: observeAll(values),
      },
    ],
  };
}
{
  const rng = new Rng(3);
  const counts: Array<[string, string, number]> = [
    ['a', 'g', 1],
    ['a', 'p', 2],
    ['a', 'u', 7],
    ['b', 'g', 499],
    ['b', 'p', 500],
    ['b', 'u', 501],
    ['c', 'g', 1000],
    ['c', 'p', 1500],
  ];
  const ops: Op[] = [];
  // Interleave the series so their windows fill side by side.
  const left = counts.map((c) => c[2]);
  for (;;) {
    let any = false;
    for (let s = 0; s < counts.length; s++) {
      if (left[s]! > 0) {
        left[s]!--;
        any = true;
        const x = rng.float();
        ops.push({ labels: [counts[s]![0], counts[s]![1]], op: 'observe', value: round(x * x * 3, 3) });
      }
    }
    if (!any) break;
  }
  fixtures['summary_stream_labels_buffer_edges'] = {
    description:
      'Summary vec [service, method], objectives 0.1/0.5/0.9/0.99; series with 1, 2, 7, 499, 500, 501, 1000 and 1500 observations, interleaved: quantiles from the unflushed buffer and from the merged stream, around the 500-value buffer size.',
    families: [
      {
        name: 'handler_duration_seconds',
        help: 'Handler duration.',
        type: 'summary',
        labels: ['service', 'method'],
        objectives: [
          [0.1, 0.01],
          [0.5, 0.05],
          [0.9, 0.01],
          [0.99, 0.001],
        ],
        ops,
      },
    ],
  };
}
{
  const rng = new Rng(4);
  const values: number[] = [];
  for (let i = 0; i < 8000; i++) values.push(round(rng.float() * rng.float() * 10, 1));
  fixtures['summary_stream_8000_repeated_values'] = {
    description:
      'Plain summary, objectives 0.5/0.9/0.99/0.999 (errors 0.05/0.01/0.001/0.0001), 8000 observations rounded to one decimal (many equal values).',
    families: [
      {
        name: 'queue_wait_seconds',
        help: 'Queue wait.',
        type: 'summary',
        const_labels: { queue: 'main' },
        objectives: [
          [0.5, 0.05],
          [0.9, 0.01],
          [0.99, 0.001],
          [0.999, 0.0001],
        ],
        ops: observeAll(values),
      },
    ],
  };
}
{
  const rng = new Rng(5);
  const ops: Op[] = [];
  const add = (series: string, v: number): void => {
    ops.push({ labels: [series], op: 'observe', value: v });
  };
  for (let i = 0; i < 1000; i++) add('ascending', i * 0.5);
  for (let i = 1000; i > 0; i--) add('descending', i * 0.5);
  for (let i = 0; i < 600; i++) add('constant', 42);
  for (let i = 0; i < 800; i++) add('sawtooth', (i % 37) * 1.25);
  for (let i = 0; i < 800; i++) add('organ_pipe', i < 400 ? i : 800 - i);
  for (let i = 0; i < 600; i++) add('few_distinct', rng.pick([1, 2, 3, 5, 8]));
  fixtures['summary_stream_input_patterns'] = {
    description:
      'Summary vec [pattern], objectives 0.05/0.5/0.95: ascending, descending, constant, sawtooth, organ-pipe and few-distinct inputs (exercise the buffer sort and the merge/compress paths).',
    families: [
      {
        name: 'pattern_values',
        help: 'Values in input patterns.',
        type: 'summary',
        labels: ['pattern'],
        objectives: [
          [0.05, 0.01],
          [0.5, 0.05],
          [0.95, 0.005],
        ],
        ops,
      },
    ],
  };
}
{
  const rng = new Rng(6);
  const specials = [NaN, Infinity, -Infinity, -0, 0, -1, -1e-300, 5e-324, -5e-324, 1e308];
  const ops: Op[] = [];
  for (let i = 0; i < 1300; i++) {
    const v = rng.float() < 0.15 ? rng.pick(specials) : round(rng.normal(), 3);
    ops.push({ labels: ['mixed'], op: 'observe', value: v });
  }
  for (let i = 0; i < 1100; i++) {
    const v = rng.float() < 0.3 ? rng.pick([-0, 0]) : rng.pick([-2, -1, 1, 2]);
    ops.push({ labels: ['signed_zeros'], op: 'observe', value: v });
  }
  for (let i = 0; i < 40; i++) {
    ops.push({ labels: ['few_with_nan'], op: 'observe', value: i % 3 === 0 ? NaN : i });
  }
  for (let i = 0; i < 700; i++) {
    ops.push({ labels: ['infinities'], op: 'observe', value: i % 5 === 0 ? Infinity : i % 7 === 0 ? -Infinity : i });
  }
  fixtures['summary_stream_special_values'] = {
    description:
      'Summary vec [kind], objectives 0/0.5/0.9/1: observations with NaN, +Inf, -Inf, -0, +0, subnormals and huge values. NaN compares false both ways, so its place after sorting depends on the sort algorithm; sums become NaN or infinite.',
    families: [
      {
        name: 'odd_observations',
        help: 'Observations with special values.',
        type: 'summary',
        labels: ['kind'],
        objectives: [
          [0, 0.01],
          [0.5, 0.05],
          [0.9, 0.01],
          [1, 0.01],
        ],
        ops,
      },
    ],
  };
}
{
  const rng = new Rng(7);
  const ops: Op[] = [];
  for (let i = 0; i < 2000; i++)
    ops.push({ labels: ['zero_error'], op: 'observe', value: round(rng.float() * 100, 4) });
  for (let i = 0; i < 2000; i++)
    ops.push({ labels: ['wide_error'], op: 'observe', value: round(rng.float() * 100, 4) });
  fixtures['summary_stream_error_extremes'] = {
    description:
      'Two summary vecs over 2000 uniform observations each: one with error 0 on rank 0.5 (nothing is ever compressed away) and one with loose errors 0.5/0.4 (heavy compression).',
    families: [
      {
        name: 'strict_values',
        help: 'Zero error.',
        type: 'summary',
        labels: ['case'],
        objectives: [
          [0.5, 0],
          [0.9, 0.001],
        ],
        ops: ops.slice(0, 2000),
      },
      {
        name: 'loose_values',
        help: 'Loose errors.',
        type: 'summary',
        labels: ['case'],
        objectives: [
          [0.3, 0.5],
          [0.7, 0.4],
        ],
        ops: ops.slice(2000),
      },
    ],
  };
}
{
  const rng = new Rng(8);
  const values: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const mag = rng.int(12) - 6;
    values.push((rng.float() + 0.001) * pow10(mag) * (rng.float() < 0.1 ? -1 : 1));
  }
  fixtures['summary_stream_5000_wide_range'] = {
    description:
      'Plain summary, objectives 0.01/0.5/0.99/0.999, 5000 full-precision observations spread over 12 orders of magnitude with some negatives; the sum shows the left-to-right float addition order.',
    families: [
      {
        name: 'wide_range_values',
        help: 'Values across magnitudes.',
        type: 'summary',
        objectives: [
          [0.01, 0.001],
          [0.5, 0.05],
          [0.99, 0.001],
          [0.999, 0.0001],
        ],
        ops: observeAll(values),
      },
    ],
  };
}

// Float formatting: a gauge vec with tricky doubles.
{
  const rng = new Rng(9);
  const values: number[] = [];
  for (let e = -30; e <= 30; e++) {
    const p = pow10(e);
    values.push(p, -p, p * 1.5, Number(`9.999999999999999e${e}`), Number(`1.0000000000000002e${e}`));
  }
  for (let e = -5; e <= 21; e++) values.push(pow10(e), pow10(e) - 1, pow10(e) + 1, pow10(e) * 0.99999);
  values.push(0.0001, 0.00009999999999999999, 99999.99999999999, 999999, 1e6, 999999.5, 1234567, 1.234567e6, 123456.7);
  values.push(
    5e-324,
    -5e-324,
    1e-323,
    2.225073858507201e-308,
    2.2250738585072014e-308,
    1e-310,
    4.9406564584124654e-324,
  );
  values.push(
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
    1 + Number.EPSILON,
    1 - Number.EPSILON / 2,
  );
  values.push(0.1 + 0.2, 1 / 3, 2 / 3, 123456789.12345678, 0.30000000000000004, 9.007199254740993e15, Math.PI, Math.E);
  values.push(-0, 0, NaN, Infinity, -Infinity, 1, -1, 0.5, 100, 1e100, 1e-100);
  for (let k = -4; k <= 4; k++) values.push(2 ** 53 + k, -(2 ** 53 + k), 2 ** 63 + k * 2048, 2 ** 64 + k * 4096);
  values.push(2 ** 31, 2 ** 32, 2 ** 52 + 0.5, 2 ** 1023, 2 ** -1022, 2 ** -1074);
  while (values.length < 1400) values.push(rng.anyDouble());
  while (values.length < 1700) values.push(rng.float() * pow10(rng.int(44) - 22));
  while (values.length < 2000) values.push(round(rng.normal() * pow10(rng.int(8)), rng.int(6)));
  const ops: Op[] = values.map((v, i) => ({ labels: [String(i).padStart(4, '0')], op: 'set', value: v }));
  fixtures['float_format_gauge_2000'] = {
    description:
      '2000 gauge series (label i = zero-padded index) set to tricky doubles: powers of ten around the exponent switch, subnormals, 5e-324, max double, 17-digit values, -0, NaN, +-Inf, integers near 2^53 and 2^64, random bit patterns and random values of every magnitude.',
    families: [
      {
        name: 'tricky_value',
        help: 'Doubles that are hard to format.',
        type: 'gauge',
        labels: ['i'],
        ops,
      },
    ],
  };
}

// Counters: integral adds are kept apart from fractional ones until the scrape.
{
  const rng = new Rng(10);
  const ops: Op[] = [];
  const at = (s: string, op: 'inc' | 'add', value?: number): void => {
    ops.push(value === undefined ? { labels: [s], op } : { labels: [s], op, value });
  };
  for (let i = 0; i < 10; i++) at('tenth_adds', 'add', 0.1);
  for (let i = 0; i < 10; i++) {
    at('mixed', 'add', 0.1);
    at('mixed', 'inc');
    at('mixed', 'add', 3);
  }
  at('big_int_then_frac', 'add', 2 ** 53);
  at('big_int_then_frac', 'inc');
  at('big_int_then_frac', 'add', 0.5);
  at('int_2p53_plus_one', 'add', 2 ** 53);
  at('int_2p53_plus_one', 'inc');
  at('float_2p53_plus_one', 'add', 2 ** 53);
  at('float_2p53_plus_one', 'add', 1.5);
  at('float_2p53_plus_one', 'add', -0);
  at('uint64_wraps', 'add', 1e19);
  at('uint64_wraps', 'add', 1e19);
  at('just_below_2p64', 'add', 18446744073709549568);
  at('just_below_2p64', 'add', 0.25);
  at('exactly_2p64', 'add', 18446744073709551616);
  at('exactly_2p64', 'inc');
  at('above_2p64', 'add', 1e20);
  at('above_2p64', 'add', 1e20);
  at('above_2p64', 'inc');
  at('huge', 'add', 1e300);
  at('huge', 'add', 1);
  at('infinite', 'add', Infinity);
  at('infinite', 'inc');
  at('nan', 'add', NaN);
  at('nan', 'inc');
  at('subnormal', 'add', 5e-324);
  at('subnormal', 'add', 5e-324);
  at('subnormal', 'inc');
  at('million', 'add', 999999);
  at('million', 'inc');
  at('million_frac', 'add', 999999.5);
  at('million_frac', 'add', 0.5);
  at('untouched_zero', 'add', 0);
  for (let i = 0; i < 400; i++) {
    if (rng.float() < 0.5) at('random_mix', 'add', rng.int(1000));
    else at('random_mix', 'add', round(rng.float() * 10, rng.int(5) + 1));
  }
  fixtures['counter_int_float_parts'] = {
    description:
      'Counter vec [case]: integral adds (kept as an unsigned 64-bit integer) mixed with fractional adds (kept as a float) and summed only at scrape time; adds around 2^53 and 2^64 (1e19 twice wraps the integer part), +Inf, NaN, subnormals.',
    families: [
      {
        name: 'mixed_adds_total',
        help: 'Counter with integral and fractional adds.',
        type: 'counter',
        labels: ['case'],
        ops,
      },
      {
        name: 'plain_mixed_total',
        help: 'Plain counter.',
        type: 'counter',
        ops: [
          { op: 'add', value: 0.1 },
          { op: 'add', value: 0.2 },
          { op: 'inc' },
          { op: 'add', value: 4503599627370496 },
          { op: 'add', value: 0.7 },
        ],
      },
    ],
  };
}

// Histograms.
{
  const rng = new Rng(11);
  const ops: Op[] = [];
  const bounds = [-1, 0, 0.5, 1, 2.5, 10];
  const specials = [
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    -1.0000000000000002,
    0.5,
    1,
    2.5,
    10,
    10.000000000000002,
    -5,
    1e300,
  ];
  for (const v of specials) ops.push({ labels: ['specials'], op: 'observe', value: v });
  for (let i = 0; i < 2500; i++) {
    const v = rng.float() < 0.3 ? rng.pick(bounds) : round(rng.normal() * 4, 2);
    ops.push({ labels: ['bounds_heavy'], op: 'observe', value: v });
  }
  for (let i = 0; i < 50; i++) ops.push({ labels: ['with_nan'], op: 'observe', value: i % 10 === 0 ? NaN : i / 10 });
  for (let i = 0; i < 50; i++)
    ops.push({ labels: ['with_inf'], op: 'observe', value: i % 10 === 0 ? Infinity : i / 10 });
  for (let i = 0; i < 20; i++)
    ops.push({ labels: ['both_inf'], op: 'observe', value: i % 2 === 0 ? Infinity : -Infinity });
  fixtures['histogram_special_observations'] = {
    description:
      'Histogram vec [case] with buckets -1, 0, 0.5, 1, 2.5, 10: observations of NaN (counted only in +Inf), +-Inf, -0, negative numbers, values exactly on bucket bounds and just above them.',
    families: [
      {
        name: 'edge_observations',
        help: 'Histogram with special observations.',
        type: 'histogram',
        labels: ['case'],
        buckets: [-1, 0, 0.5, 1, 2.5, 10],
        ops,
      },
    ],
  };
}
{
  const rng = new Rng(12);
  const values: number[] = [];
  for (let i = 0; i < 7000; i++) values.push(round(-Math.log(1 - rng.float()) * 0.3, 3));
  fixtures['histogram_default_buckets_7000'] = {
    description:
      'Plain histogram with default buckets and 7000 observations (rounded to milliseconds, many exactly on bounds): larger cumulative counts and a long float sum.',
    families: [
      {
        name: 'request_duration_seconds',
        help: 'Request duration.',
        type: 'histogram',
        ops: observeAll(values),
      },
    ],
  };
}
{
  const rng = new Rng(13);
  const values: number[] = [];
  for (let i = 0; i < 2000; i++) values.push(rng.anyDouble());
  fixtures['histogram_any_double'] = {
    description:
      'Histogram with buckets from -1e300 to 1e300 observing 2000 doubles made of random bits (every magnitude, both signs); the sum overflows to an infinity or stays huge.',
    families: [
      {
        name: 'any_double',
        help: 'Random doubles.',
        type: 'histogram',
        buckets: [-1e300, -1e10, -1, -1e-10, -1e-300, 0, 1e-300, 1e-10, 1, 1e10, 1e300, Infinity],
        ops: observeAll(values),
      },
    ],
  };
}

// Label values and help strings that stress escaping and sorting.
{
  const values = [
    'plain',
    'caf\u00e9',
    '\u4e2d\u6587',
    '\u{1F600} grin',
    '\u{1F680}',
    '\u{10FFFF}',
    '\ue000 private',
    '\uf8ff',
    '\uff5e fullwidth tilde',
    '\ufffd',
    '\uffff',
    '\u00ff',
    '\u0100',
    '\u07ff',
    '\u0800',
    'quote"inside',
    'back\\slash',
    'trailing\\',
    'new\nline',
    'carriage\rreturn',
    'tab\there',
    'nul\u0000byte',
    'bell\u0007',
    'del\u007f',
    '\u0085next line',
    '\u2028line separator',
    '\\n literal',
    '"',
    '\\"',
    '',
    ' ',
    'Z',
    'a',
    '{}=,',
    '#',
    'a\u0301 combining',
    '\u00e1 precomposed',
    '\ud7ff',
    '\u{1F600}\ue000',
    '\ue000\u{1F600}',
  ];
  const ops: Op[] = values.map((v, i) => ({ labels: [v], op: 'set', value: i }));
  fixtures['label_values_unicode_escaping'] = {
    description:
      'Gauge vec [v] whose values hold BMP, astral-plane and private-use characters (U+E000..U+FFFF sort after astral characters in UTF-8 but before them in UTF-16), control characters, quotes, backslashes and newlines; gauge value = insertion index.',
    families: [
      {
        name: 'label_text',
        help: 'Label values with unusual characters.',
        type: 'gauge',
        labels: ['v'],
        ops,
      },
      {
        name: 'two_label_text_total',
        help: 'Counter with two labels, one unusual.',
        type: 'counter',
        labels: ['z_last', 'a_first'],
        const_labels: { m_const: 'c\u00f6nst "q" \\ \n end' },
        ops: [
          { labels: ['\u{1F600}', 'x'], op: 'inc' },
          { labels: ['\ue000', 'x'], op: 'inc' },
          { labels: ['\u00e9', 'x'], op: 'add', value: 2 },
          { labels: ['e', 'x\ny'], op: 'add', value: 3 },
          { labels: ['e', 'x"y'], op: 'add', value: 4 },
          { labels: ['e', 'x\\y'], op: 'add', value: 5 },
        ],
      },
    ],
  };
}
{
  fixtures['help_escaping'] = {
    description:
      'Help strings with newlines, backslashes, quotes, a trailing backslash, control characters and non-ASCII text, on each metric type.',
    families: [
      { name: 'help_newline_total', help: 'first line\nsecond line\n', type: 'counter', ops: [{ op: 'inc' }] },
      {
        name: 'help_backslash',
        help: 'C:\\path\\to\\file and a trailing \\',
        type: 'gauge',
        ops: [{ op: 'set', value: 1 }],
      },
      {
        name: 'help_quotes_seconds',
        help: 'say "hi" and \'bye\'',
        type: 'histogram',
        buckets: [1],
        ops: [{ op: 'observe', value: 0.5 }],
      },
      {
        name: 'help_mixed_seconds',
        help: 'tab\there, cr\rhere, \\n is not a newline but \n is, \u00e9\u{1F600}',
        type: 'summary',
        objectives: [[0.5, 0.05]],
        ops: [{ op: 'observe', value: 2 }],
      },
      { name: 'help_only_backslash', help: '\\', type: 'gauge', ops: [] },
      {
        name: 'help_only_newline',
        help: '\n',
        type: 'gauge',
        labels: ['x'],
        ops: [{ labels: ['y'], op: 'set', value: -0 }],
      },
    ],
  };
}

// --- write ------------------------------------------------------------------------------------

const outDir = process.argv[2] ?? join('test', 'conformance', 'golden');
mkdirSync(outDir, { recursive: true });
for (const [name, fx] of Object.entries(fixtures)) {
  writeFileSync(join(outDir, name + '.json'), serialize(fx));
}
console.log(`wrote ${Object.keys(fixtures).length} fixtures to ${outDir}`);
