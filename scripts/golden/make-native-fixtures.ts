/**
 * Writes the native-histogram fixture JSONs of test/conformance/golden/ (`native_*.json`; the Go generator in
 * this directory turns them into client_golang's outputs). Deterministic: values come from a seeded PRNG or are
 * chosen by hand, so running it again gives byte-identical files.
 *
 *   npx tsx scripts/golden/make-native-fixtures.ts [OUT_DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../bench/workloads.js';

type Value = number | 'NaN' | '+Inf' | '-Inf';

interface Native {
  bucket_factor: number;
  zero_threshold?: number;
  max_buckets?: number;
  min_reset_seconds?: number;
  max_zero_threshold?: number;
}

interface Family {
  name: string;
  help: string;
  type: 'histogram';
  labels?: string[];
  const_labels?: Record<string, string>;
  buckets?: Value[];
  native: Native;
  ops: { labels?: string[]; op: 'observe'; value: Value }[];
}

const fixtures: Record<string, { description: string; families: Family[] }> = {};

function value(x: number): Value {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return x;
}

function observe(values: readonly number[], labels?: string[]): Family['ops'] {
  return values.map((v) =>
    labels === undefined ? { op: 'observe', value: value(v) } : { labels, op: 'observe', value: value(v) },
  );
}

/** Log-normal latencies around `median` seconds, rounded to microseconds as timers would give. */
function latencies(r: () => number, n: number, median: number, spread: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    out.push(Math.round(median * Math.exp(spread * gauss) * 1e6) / 1e6);
  }
  return out;
}

/** Values on and around powers of two, where Frexp's fraction is exactly 0.5 and keys change. */
const POWER_EDGES: number[] = [];
for (const e of [-1074, -1022, -130, -128, -20, -9, -8, -7, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 8, 9, 64, 1023]) {
  const p = 2 ** e;
  POWER_EDGES.push(p, p * (1 + 2 ** -52), p * (1 - 2 ** -53), -p);
}
POWER_EDGES.push(Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, 1e-300, 1e300, 0.1, 0.3, 1.5, 3, 1000, 1e-9);

const r = mulberry32(1515);

fixtures['native_small_factor'] = {
  description:
    'Native histograms without classic buckets at high resolution (bucket factors 1.01 and 1.0001: schemas 7 and 8), 3000 log-normal latencies.',
  families: [
    {
      name: 'native_schema7_seconds',
      help: 'Latency at schema 7.',
      type: 'histogram',
      native: { bucket_factor: 1.01 },
      ops: observe(latencies(r, 1500, 0.05, 1.2)),
    },
    {
      name: 'native_schema8_seconds',
      help: 'Latency at schema 8.',
      type: 'histogram',
      native: { bucket_factor: 1.0001 },
      ops: observe(latencies(r, 1500, 0.2, 0.8)),
    },
  ],
};

const factors: [string, number][] = [
  ['f1_1', 1.1],
  ['f1_5', 1.5],
  ['f2', 2],
  ['f2_1', 2.1],
  ['f4', 4],
  ['f16', 16],
  ['f256', 256],
  ['f65536', 65536],
  ['f1e30', 1e30],
];
fixtures['native_schemas_power_edges'] = {
  description:
    'Every schema from 3 down to -4 (and the factor clamped at -4), observing values on, just above and just below powers of two from 2^-1074 to 2^1023, their negatives and MAX_VALUE.',
  families: factors.map(([suffix, f]) => ({
    name: `native_edges_${suffix}`,
    help: `Bucket factor ${f}.`,
    type: 'histogram' as const,
    native: { bucket_factor: f, zero_threshold: -1 },
    ops: observe(POWER_EDGES),
  })),
};

fixtures['native_off_factors'] = {
  description:
    'Bucket factors of 1, 0.5 and 0 leave native buckets off: default classic buckets, no native fields; a factor just above 1 turns them on at schema 8.',
  families: [1, 0.5, 0, 1.0000001].map((f, i) => ({
    name: `native_off_${i}`,
    help: `Factor ${f}.`,
    type: 'histogram' as const,
    native: { bucket_factor: f },
    ops: observe([0.003, 0.2, 7, -1, 0]),
  })),
};

fixtures['native_zero_threshold'] = {
  description:
    'The zero bucket: threshold -1 (exact zeros only), the default (2^-128), an explicit 0.001, values on the threshold, signed zeros and subnormals.',
  families: [
    { zero: -1, name: 'native_zero_exact' },
    { zero: undefined, name: 'native_zero_default' },
    { zero: 0.001, name: 'native_zero_explicit' },
    { zero: 1e-310, name: 'native_zero_subnormal' },
  ].map(({ zero, name }) => ({
    name,
    help: `Zero threshold ${zero}.`,
    type: 'histogram' as const,
    native: zero === undefined ? { bucket_factor: 1.2 } : { bucket_factor: 1.2, zero_threshold: zero },
    ops: observe([
      0, -0, 1e-40, -1e-40, 2.938735877055719e-39, -2.938735877055719e-39, 3e-39, 5e-324, -5e-324, 1e-310, 0.0005,
      -0.0005, 0.001, -0.001, 0.0011, 0.5, 2,
    ]),
  })),
};

fixtures['native_special_observations'] = {
  description:
    'NaN (counted, in no native bucket), +Inf and -Inf (in the bucket above MAX_VALUE), MAX_VALUE, signed zeros, with classic buckets kept.',
  families: [
    {
      name: 'native_special',
      help: 'Special values.',
      type: 'histogram',
      buckets: [0.1, 1, 10],
      native: { bucket_factor: 1.1 },
      ops: observe([
        NaN,
        Infinity,
        -Infinity,
        Number.MAX_VALUE,
        -Number.MAX_VALUE,
        0,
        -0,
        1,
        NaN,
        Infinity,
        5,
        -5,
        Infinity,
      ]),
    },
    {
      name: 'native_special_coarse',
      help: 'Special values at schema -4.',
      type: 'histogram',
      native: { bucket_factor: 1e20 },
      ops: observe([Infinity, -Infinity, Number.MAX_VALUE, 1e300, -1e300, NaN, 1e-300]),
    },
    {
      name: 'native_only_nan',
      help: 'Only NaN.',
      type: 'histogram',
      native: { bucket_factor: 2 },
      ops: observe([NaN, NaN]),
    },
  ],
};

// Widening the zero bucket: buckets spread over 1e-6..10, a limit of 12 and a maximum zero threshold of 0.01.
fixtures['native_limit_widen_zero'] = {
  description:
    'max_buckets 12 with max_zero_threshold 0.01: the zero bucket widens over the smallest buckets (both signs at once when they are equidistant), then the schema halves once widening would pass 0.01.',
  families: [
    {
      name: 'native_widen',
      help: 'Widening.',
      type: 'histogram',
      native: { bucket_factor: 1.1, max_buckets: 12, max_zero_threshold: 0.01 },
      ops: observe([
        1e-6, -1e-6, 2e-6, 1e-5, -3e-5, 1e-4, 1e-3, 0.005, -0.005, 0.02, 0.03, 0.05, 0.1, 0.2, 0.4, 0.7, 1, 2, 3, 5, 8,
        1e-6, -0.004, 0.009, 10, -20, 33, 0.5,
      ]),
    },
    {
      name: 'native_widen_random',
      help: 'Widening under random values.',
      type: 'histogram',
      buckets: [0.01, 0.1, 1],
      native: { bucket_factor: 1.05, max_buckets: 20, max_zero_threshold: 0.05 },
      ops: observe(latencies(r, 600, 0.05, 2).map((v, i) => (i % 7 === 3 ? -v : v))),
    },
  ],
};

fixtures['native_limit_halve'] = {
  description:
    'max_buckets without a zero threshold to widen into: the schema halves from 8 down to -4 and stops there, with the count kept above the limit by values far apart.',
  families: [
    {
      name: 'native_halve',
      help: 'Halving.',
      type: 'histogram',
      native: { bucket_factor: 1.001, max_buckets: 5 },
      ops: observe([...latencies(r, 300, 1, 3), 1e-200, 1e200, -1e100, 1e-100, 1e50, -1e-50, 1e10, 1e-10, 3, 1e30]),
    },
    {
      name: 'native_halve_one',
      help: 'A limit of one bucket.',
      type: 'histogram',
      native: { bucket_factor: 1.5, max_buckets: 1, zero_threshold: -1 },
      ops: observe([1, 2, 4, 8, 0, -1, 1024, 3]),
    },
    {
      name: 'native_halve_negative_keys',
      help: 'Halving buckets with negative keys (Go rounds toward zero).',
      type: 'histogram',
      native: { bucket_factor: 1.2, max_buckets: 3, zero_threshold: -1 },
      ops: observe([0.001, 0.003, 0.007, 0.011, 0.013, 0.017, 0.019, 0.023, 0.2, 0.5, 0.9]),
    },
  ],
};

fixtures['native_limit_no_reset_yet'] = {
  description:
    'min_reset_seconds of an hour: the limit cannot reset within the run, so it widens (max_zero_threshold 0.001) and then halves; max_buckets 0 means no limit.',
  families: [
    {
      name: 'native_reset_later',
      help: 'Reset not yet due.',
      type: 'histogram',
      buckets: [1],
      native: { bucket_factor: 1.1, max_buckets: 6, min_reset_seconds: 3600, max_zero_threshold: 0.001 },
      ops: observe(latencies(r, 200, 0.01, 1.5)),
    },
    {
      name: 'native_no_limit',
      help: 'No limit.',
      type: 'histogram',
      native: { bucket_factor: 1.1, max_buckets: 0, min_reset_seconds: 3600 },
      ops: observe(latencies(r, 200, 0.01, 1.5)),
    },
  ],
};

const sets = [
  ['GET', '200'],
  ['GET', '500'],
  ['POST', '200'],
  ['PUT', '404'],
];
fixtures['native_labelled'] = {
  description:
    'Labelled native histograms with const labels, classic buckets kept on one family and absent on the other, series created in an unsorted order.',
  families: [
    {
      name: 'native_http_request_duration_seconds',
      help: 'Request latency.',
      type: 'histogram',
      labels: ['method', 'code'],
      const_labels: { service: 'api' },
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      native: { bucket_factor: 1.1, max_buckets: 100, max_zero_threshold: 0.0001 },
      ops: [3, 1, 0, 2].flatMap((s) => observe(latencies(r, 150, 0.02 * (s + 1), 1), sets[s])),
    },
    {
      name: 'native_payload_bytes',
      help: 'Payload sizes.',
      type: 'histogram',
      labels: ['kind'],
      native: { bucket_factor: 2, zero_threshold: 1 },
      ops: ['z', 'a', 'm'].flatMap((k, i) => observe(latencies(r, 100, 1000 * (i + 1), 2).map(Math.round), [k])),
    },
  ],
};

fixtures['native_empty_series'] = {
  description:
    'Native histograms without observations: schema, zero threshold and a zero count of 0 are still written, with no spans.',
  families: [
    {
      name: 'native_empty_exact_zero',
      help: 'Empty, exact zeros only.',
      type: 'histogram',
      native: { bucket_factor: 1.5, zero_threshold: -1 },
      ops: [],
    },
    {
      name: 'native_empty_with_classic',
      help: '',
      type: 'histogram',
      buckets: [1],
      native: { bucket_factor: 3 },
      ops: [],
    },
  ],
};

// Keys chosen to make gaps of 0, 1, 2 and 3 buckets at schema 0 (key k holds (2^(k-1), 2^k]).
fixtures['native_span_gaps'] = {
  description:
    'Span encoding: gaps of one or two buckets are filled with empty buckets inside a span, a gap of three starts a new span; negative keys and a first span offset far from zero.',
  families: [
    {
      name: 'native_gaps',
      help: 'Gaps.',
      type: 'histogram',
      native: { bucket_factor: 2 },
      ops: observe([1, 2, 2, 8, 32, 32, 32, 512, 1024, 0.25, -1, -4, -4, -64, 2 ** -20, 2 ** 40]),
    },
    {
      name: 'native_wide_range',
      help: 'Values across 600 orders of magnitude at schema 8.',
      type: 'histogram',
      native: { bucket_factor: 1.002 },
      ops: observe(Array.from({ length: 400 }, () => (r() < 0.5 ? -1 : 1) * 10 ** (r() * 600 - 300))),
    },
  ],
};

function serialize(fx: { description: string; families: Family[] }): string {
  const lines = ['{', `  "description": ${JSON.stringify(fx.description)},`, '  "families": ['];
  fx.families.forEach((f, i) => {
    const { ops, ...rest } = f;
    const head = JSON.stringify(rest).slice(0, -1);
    lines.push(`    ${head},"ops":[`);
    ops.forEach((o, j) => lines.push(`      ${JSON.stringify(o)}${j < ops.length - 1 ? ',' : ''}`));
    lines.push(`    ]}${i < fx.families.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}');
  return lines.join('\n') + '\n';
}

const outDir = process.argv[2] ?? join('test', 'conformance', 'golden');
mkdirSync(outDir, { recursive: true });
for (const [name, fx] of Object.entries(fixtures)) writeFileSync(join(outDir, name + '.json'), serialize(fx));
console.log(`wrote ${Object.keys(fixtures).length} fixtures to ${outDir}`);
