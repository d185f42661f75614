/**
 * Writes the inputs of the golden fixtures that pin what the differential fuzzer found (one or two
 * per class of mismatch; docs/exactness.md lists them). Deterministic: the same bytes on every run.
 * The Go generator in this directory then writes their expected outputs.
 *
 *   npx tsx scripts/golden/make-finding-fixtures.ts [OUT_DIR]     # default test/conformance/golden
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulps } from './random-native.js';

type Value = number | 'NaN' | '+Inf' | '-Inf';
type Op = { labels?: string[]; op: string; value?: Value };
type Family = {
  name: string;
  help: string;
  type: string;
  labels?: string[];
  const_labels?: Record<string, string>;
  buckets?: Value[];
  objectives?: Record<string, Value>;
  native?: Record<string, Value>;
  ops: Op[];
};

const observe = (values: readonly Value[]): Op[] => values.map((value) => ({ op: 'observe', value }));
const on = (label: string, op: string, value?: Value): Op =>
  value === undefined ? { labels: [label], op } : { labels: [label], op, value };

const fixtures: Record<string, { description: string; families: Family[] }> = {
  nan_bits_gauge_sub: {
    description:
      'Class 1: gauge.Sub(NaN) negates math.NaN(), flipping the sign bit and keeping the payload (0xFFF8000000000001 in protobuf).',
    families: [
      { name: 'g', help: 'Sub NaN.', type: 'gauge', ops: [{ op: 'sub', value: 'NaN' }] },
      {
        name: 'g_labelled',
        help: 'Sub NaN per series.',
        type: 'gauge',
        labels: ['s'],
        ops: [on('neg', 'sub', 'NaN'), on('pos', 'add', 'NaN'), on('set', 'set', 'NaN')],
      },
    ],
  },
  nan_payload_propagation: {
    description:
      "Class 2: the first NaN made is kept: Inf + -Inf gives the x86 default NaN (0xFFF8000000000000) and a later NaN operand does not replace it; a histogram sum and a summary sum after -Inf, +Inf, NaN; a counter's float part.",
    families: [
      {
        name: 'g',
        help: '',
        type: 'gauge',
        labels: ['case'],
        ops: [
          on('inf_first', 'set', '+Inf'),
          on('inf_first', 'add', '-Inf'),
          on('inf_first', 'add', 'NaN'),
          on('nan_first', 'add', 'NaN'),
          on('nan_first', 'set', '+Inf'),
          on('nan_first', 'sub', '+Inf'),
          on('nan_first', 'sub', 'NaN'),
          on('neg_then_pos', 'sub', 'NaN'),
          on('neg_then_pos', 'add', 'NaN'),
        ],
      },
      { name: 'h', help: '', type: 'histogram', buckets: [0, 1], ops: observe(['-Inf', '+Inf', 'NaN', 1]) },
      { name: 's', help: '', type: 'summary', ops: observe(['-Inf', '+Inf', 'NaN']) },
      { name: 'sq', help: '', type: 'summary', objectives: { '0.5': 0.05 }, ops: observe(['+Inf', '-Inf', 'NaN']) },
      {
        name: 'c_total',
        help: '',
        type: 'counter',
        ops: [
          { op: 'add', value: 0.5 },
          { op: 'add', value: '+Inf' },
          { op: 'add', value: 'NaN' },
        ],
      },
    ],
  },
  histogram_buckets_inf_twice: {
    description:
      'Class 3: buckets [1, +Inf, +Inf] are not increasing (client_golang compares before dropping a trailing +Inf): refused at construct.',
    families: [{ name: 'h', help: '', type: 'histogram', buckets: [1, '+Inf', '+Inf'], ops: [] }],
  },
  histogram_buckets_inf_twice_labelled: {
    description: "Class 3, labelled: the vector's first series is made at the op, so the refusal is at the op.",
    families: [
      {
        name: 'h',
        help: '',
        type: 'histogram',
        labels: ['a'],
        buckets: [1, '+Inf', '+Inf'],
        ops: [on('x', 'observe', 1)],
      },
    ],
  },
  histogram_nan_bounds: {
    description:
      "NaN bucket bounds pass client_golang's order check; observations are placed by its binary search, and no +Inf bucket is made up when a bound is +Inf.",
    families: [
      { name: 'h', help: '', type: 'histogram', buckets: [0.5, 'NaN', 2], ops: observe([0, 1, 3, 'NaN']) },
      { name: 'h2', help: '', type: 'histogram', buckets: [1, '+Inf', 'NaN'], ops: observe([0.5, 5]) },
    ],
  },
  summary_objective_errors_any: {
    description: 'Class 4: objective errors outside [0, 1] (2, NaN, +Inf, -0.05) are taken as given.',
    families: [
      {
        name: 's',
        help: '',
        type: 'summary',
        objectives: { '0.5': 2, '0.9': 'NaN', '0.99': '+Inf', '0.1': -0.05 },
        ops: observe([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]),
      },
    ],
  },
  summary_rank_spelled_twice: {
    description: "Class 5: two spellings of one rank are one objective (Go's map is keyed by the parsed float).",
    families: [
      {
        name: 's',
        help: '',
        type: 'summary',
        objectives: { '0.5': 0.05, '0.50': 0.05, '0.9': 0.01 },
        ops: observe(Array.from({ length: 20 }, (_, i) => i)),
      },
    ],
  },
  same_name_different_buckets: {
    description:
      'Class 6: one name, different const labels, different buckets or objectives: each series keeps its own.',
    families: [
      { name: 'h', help: '', type: 'histogram', const_labels: { env: 'a' }, buckets: [1], ops: observe([0.5]) },
      { name: 'h', help: '', type: 'histogram', const_labels: { env: 'b' }, buckets: [2, 3], ops: observe([2.5]) },
      {
        name: 's',
        help: '',
        type: 'summary',
        const_labels: { env: 'a' },
        objectives: { '0.5': 0.05 },
        ops: observe([1]),
      },
      {
        name: 's',
        help: '',
        type: 'summary',
        const_labels: { env: 'b' },
        objectives: { '0.9': 0.01, '0.99': 0.001 },
        ops: observe([2]),
      },
    ],
  },
  const_label_vs_variable_label: {
    description:
      'Class 7: a const label a=x and a variable label a under one name are different label dimensions: refused at register.',
    families: [
      { name: 'c', help: '', type: 'counter', const_labels: { a: 'x' }, ops: [] },
      { name: 'c', help: '', type: 'counter', labels: ['a'], ops: [] },
    ],
  },
  summary_invalid_name_reserved_const_label: {
    description:
      'Class 8: an invalid descriptor keeps no const label pairs, so a summary named 1s with const label quantile is refused at register, not construct.',
    families: [{ name: '1s', help: '', type: 'summary', const_labels: { quantile: 'x' }, ops: [] }],
  },
  native_factor_schema_boundaries: {
    description:
      "Native: bucket factors at 2^(2^n), n = -8..4, where the schema changes, and 1 and 2 ulps either side. client_golang takes floor(Log2(Log2(factor))) with Go's own Log2 (its amd64 Log), which can differ from Math.log2 in the last bit: 1.0218971486541166 gives schema 5, where Math.log2 would give 6.",
    families: Array.from({ length: 13 }, (_, n) =>
      [-2, -1, 0, 1, 2].map((d, i): Family => {
        const factor = ulps(2 ** (2 ** (n - 8)), d);
        return {
          name: `native_factor_${n * 5 + i}`,
          help: `Factor ${factor}.`,
          type: 'histogram',
          native: { bucket_factor: factor, zero_threshold: -1 },
          ops: observe([1.5, 0.75, 3]),
        };
      }),
    ).flat(),
  },
  native_inf_max_zero_threshold: {
    description:
      'Native: client_golang compares +Inf and -Inf with the zero threshold as MAX_VALUE and -MAX_VALUE, so a zero bucket reaching MAX_VALUE (set, or widened by the bucket limit) takes the infinities; +Inf as threshold takes everything.',
    families: [
      // One sign of infinity per series: +Inf + -Inf would make a NaN sum, whose bits other engines do not keep.
      {
        name: 'native_threshold_max',
        help: '',
        type: 'histogram',
        native: { bucket_factor: 1.5, zero_threshold: Number.MAX_VALUE },
        ops: observe(['+Inf', Number.MAX_VALUE, ulps(Number.MAX_VALUE, -1), 1, -1, '+Inf']),
      },
      {
        name: 'native_threshold_max_negative',
        help: '',
        type: 'histogram',
        native: { bucket_factor: 1.5, zero_threshold: Number.MAX_VALUE },
        ops: observe(['-Inf', -Number.MAX_VALUE, -1]),
      },
      {
        name: 'native_threshold_inf',
        help: '',
        type: 'histogram',
        buckets: [1],
        native: { bucket_factor: 2, zero_threshold: '+Inf' },
        ops: observe(['+Inf', 1, -3]),
      },
      {
        name: 'native_widened_to_max',
        help: '',
        type: 'histogram',
        native: { bucket_factor: 2, max_buckets: 1, max_zero_threshold: Number.MAX_VALUE },
        ops: observe([Number.MAX_VALUE, '+Inf', '+Inf', 5, '+Inf']),
      },
      {
        name: 'native_widened_to_max_negative',
        help: '',
        type: 'histogram',
        native: { bucket_factor: 1e30, max_buckets: 1, max_zero_threshold: '+Inf' },
        ops: observe([-Number.MAX_VALUE, '-Inf', '-Inf', -1, '-Inf']),
      },
      {
        name: 'native_threshold_max_labelled',
        help: '',
        type: 'histogram',
        labels: ['s'],
        const_labels: { env: 'a' },
        native: { bucket_factor: 1.1, zero_threshold: Number.MAX_VALUE, max_buckets: 2 },
        ops: [on('x', 'observe', '+Inf'), on('y', 'observe', '-Inf'), on('x', 'observe', 2), on('y', 'observe', -3)],
      },
    ],
  },
};

const encoder = new TextEncoder();
/** Class 9 needs bytes no JSON encoder writes (lone surrogate escapes, invalid UTF-8), so it is spelled out. */
function decodingFixture(): Uint8Array {
  const parts: (string | number[])[] = [
    '{"description":"Class 9: fixture text decoded as Go\'s encoding/json: lone surrogate escapes become U+FFFD, each invalid UTF-8 byte becomes one U+FFFD, objective ranks go through ParseFloat (0x1p-1 is 0.5).",\n',
    '"families":[{"name":"d","help":"lone \\ud800 and \\udfff, paired \\ud83d\\ude00, broken pair \\ud83d\\u0041","type":"gauge","labels":["v"],"const_labels":{"k":"trunc ',
    [0xe2, 0x82],
    ' overlong ',
    [0xc0, 0xaf],
    ' surrogate ',
    [0xed, 0xa0, 0x80],
    ' high ',
    [0xf4, 0x90, 0x80, 0x80],
    ' end"},\n',
    '"ops":[{"labels":["',
    [0xe2, 0x82],
    'A',
    [0xf0, 0x9f, 0x98],
    ' \\udc00"],"op":"set","value":1}]},\n',
    '{"name":"q","help":"","type":"summary","objectives":{"0x1p-1":0.05,"9E-1":0.01,"0.9_9":0.001},"ops":[{"op":"observe","value":1},{"op":"observe","value":2}]}]}\n',
  ];
  return Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...encoder.encode(p)] : p)));
}

const outDir = process.argv[2] ?? new URL('../../test/conformance/golden/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
for (const [name, fixture] of Object.entries(fixtures)) {
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(fixture, null, 2) + '\n');
}
writeFileSync(join(outDir, 'fixture_decoding_as_go.json'), decodingFixture());
