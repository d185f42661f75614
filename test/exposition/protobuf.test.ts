import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { loadSync } from '@grpc/proto-loader';
import { encodeProtobuf, labelBytes } from '../../lib/exposition/protobuf.js';
import {
  type Exemplar,
  type FamilySnapshot,
  LabelSet,
  type MetricType,
  type SeriesSnapshot,
  series,
} from '../../lib/metrics/snapshot.js';
import { mulberry32 as rng } from '../../bench/workloads.js';
import { assertSameBytes } from '../helpers/bytes.js';

// Reference outputs of Go's client_golang 1.14 (see the conformance README for provenance).
const CONFORMANCE = new URL('../conformance/reference/', import.meta.url);
const PROTO_FILE = fileURLToPath(new URL('../../proto/metrics.proto', import.meta.url));

/** The delimited protobuf bytes client_golang produced for fixture `name`. */
function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name + '.pb', CONFORMANCE));
}

/** A label set from an object whose keys are already in sorted order. */
function labels(pairs: Record<string, string> = {}): LabelSet {
  const names = Object.keys(pairs);
  return names.length === 0
    ? LabelSet.EMPTY
    : new LabelSet(
        names,
        names.map((k) => pairs[k]!),
      );
}

function family(
  name: string,
  help: string,
  type: MetricType,
  seriesList: SeriesSnapshot[],
  extra: { upperBounds?: number[] | undefined; quantileRanks?: number[] | undefined } = {},
): FamilySnapshot {
  return {
    name,
    help,
    type,
    unit: '',
    upperBounds: extra.upperBounds ?? null,
    quantileRanks: extra.quantileRanks ?? null,
    series: seriesList,
  };
}

const RANKS = [0.5, 0.9, 0.99];

/** Snapshots written by hand from the values visible in each fixture's `.txt`. */
const FIXTURES: Record<string, () => FamilySnapshot[]> = {
  counter_labels: () => [
    family('http_requests_total', 'HTTP requests by code and method.', 'counter', [
      series(labels({ code: '200', method: 'get' }), { value: 3 }),
      series(labels({ code: '200', method: 'post' }), { value: 3 }),
      series(labels({ code: '404', method: 'get' }), { value: 1 }),
      series(labels({ code: '500', method: 'put' }), { value: 0.5 }),
    ]),
  ],
  counter_plain_untouched: () => [
    family('started_total', 'Never incremented.', 'counter', [series(labels(), { value: 0 })]),
  ],
  gauge_plain: () => [
    family('temperature_celsius', 'Current temperature.', 'gauge', [series(labels(), { value: 11.25 })]),
  ],
  float_basic: () => [
    family(
      'basic_value',
      'Simple values.',
      'gauge',
      (
        [
          ['half', 0.5],
          ['hundred', 100],
          ['million', 1e6],
          ['minus_one', -1],
          ['negative', -3.75],
          ['one', 1],
          ['two_and_half', 2.5],
          ['zero', 0],
        ] as const
      ).map(([c, value]) => series(labels({ case: c }), { value })),
    ),
  ],
  histogram_labels_custom_buckets: () => [
    family(
      'payload_size_kb',
      'Payload size.',
      'histogram',
      [
        series(labels({ method: 'get' }), { buckets: [1, 1, 2, 2], sum: 9.75, count: 3 }),
        series(labels({ method: 'post' }), { buckets: [0, 0, 0, 2], sum: 4, count: 2 }),
      ],
      { upperBounds: [0.1, 0.5, 1, 5] },
    ),
  ],
  histogram_untouched: () => [
    family(
      'queue_wait_seconds',
      'Time spent queued.',
      'histogram',
      [series(labels(), { buckets: [0, 0, 0], sum: 0, count: 0 })],
      { upperBounds: [0.1, 1, 10] },
    ),
  ],
  summary_objectives: () => [
    family(
      'rpc_duration_seconds',
      'RPC latency.',
      'summary',
      [series(labels(), { quantiles: [0.4, 1.5, 1.5], sum: 3.6999999999999997, count: 7 })],
      { quantileRanks: RANKS },
    ),
  ],
  summary_untouched: () => [
    family(
      'idle_summary_seconds',
      'Never observed.',
      'summary',
      [series(labels(), { quantiles: [NaN, NaN, NaN], sum: 0, count: 0 })],
      { quantileRanks: RANKS },
    ),
  ],
  summary_no_objectives: () => [
    family('job_duration_seconds', 'Job duration.', 'summary', [series(labels(), { sum: 8, count: 3 })]),
  ],
  summary_labels: () => [
    family(
      'db_query_seconds',
      'Query latency by service.',
      'summary',
      [
        series(labels({ service: 'auth' }), { quantiles: [0.25, 0.25, 0.25], sum: 0.25, count: 1 }),
        series(labels({ service: 'billing' }), { quantiles: [0.02, 0.04, 0.04], sum: 0.1, count: 4 }),
      ],
      { quantileRanks: RANKS },
    ),
  ],
  const_labels_plain: () => [
    family('info_version', 'Gauge with only const labels.', 'gauge', [
      series(labels({ commit: 'abc123', version: '1.2.3' }), { value: 1 }),
    ]),
    family(
      'rt_seconds',
      'Histogram with a const label.',
      'histogram',
      [series(labels({ region: 'us' }), { buckets: [0, 1], sum: 1.5, count: 1 })],
      { upperBounds: [1, 2] },
    ),
  ],
  help_empty: () => [
    family('no_help_gauge', '', 'gauge', [series(labels({ x: 'y' }), { value: 1 })]),
    family('no_help_total', '', 'counter', [series(labels(), { value: 1 })]),
  ],
  escaping_basic: () => [
    family('paths_total', 'Windows path C:\\dir counts.', 'counter', [
      series(labels({ path: 'C:\\temp' }), { value: 1 }),
      series(labels({ path: 'say "hi"' }), { value: 1 }),
    ]),
  ],
  mixed_types: () => [
    family(
      'mix_latency_seconds',
      'Histogram.',
      'histogram',
      [
        series(labels({ route: '/a' }), { buckets: [1, 1], sum: 0.05, count: 1 }),
        series(labels({ route: '/b' }), { buckets: [0, 1], sum: 0.5, count: 1 }),
      ],
      { upperBounds: [0.1, 1] },
    ),
    family('mix_requests_total', 'Counter.', 'counter', [
      series(labels({ code: '200' }), { value: 1 }),
      series(labels({ code: '500' }), { value: 1 }),
    ]),
    family('mix_size_bytes', 'Summary.', 'summary', [series(labels(), { sum: 300, count: 2 })], {
      quantileRanks: [],
    }),
    family('mix_up', 'Gauge.', 'gauge', [series(labels(), { value: 1 })]),
  ],
  vec_without_ops: () => [
    family('used_total', 'Vec touched once.', 'counter', [series(labels({ path: '/' }), { value: 1 })]),
  ],
  empty_output: () => [],
};

describe('encodeProtobuf matches client_golang byte for byte', () => {
  for (const [name, build] of Object.entries(FIXTURES)) {
    it(name, () => {
      const expected = fixtureBytes(name);
      assertSameBytes(encodeProtobuf(build()), expected, name);
      // A second encode (label bytes now cached, size table reused) is identical.
      const families = build();
      encodeProtobuf(families);
      assertSameBytes(encodeProtobuf(families), expected, name + ' (cached labels)');
    });
  }

  it('skips families without series, as the Go gatherer does', () => {
    const families = [
      family('aaa_unused_total', 'No series.', 'counter', []),
      ...FIXTURES.gauge_plain!(),
      family('zzz_unused', 'No series.', 'histogram', [], { upperBounds: [1] }),
    ];
    assertSameBytes(encodeProtobuf(families), fixtureBytes('gauge_plain'), 'gauge_plain with empty families');
  });

  it('encodes a label set once, in a table of its own (nothing is stored on the LabelSet)', () => {
    const set = labels({ a: 'x', b: '' });
    const fields = Object.keys(set).sort();
    const first = labelBytes(set);
    assert.equal(Buffer.from(first).toString('hex'), '0a060a0161120178' + '0a050a0162' + '1200');
    encodeProtobuf([family('g', '', 'gauge', [series(set, { value: 1 })])]);
    assert.equal(labelBytes(set), first);
    assert.deepEqual(Object.keys(set).sort(), fields);
  });
});

describe('wire details that the fixtures do not cover', () => {
  const hexOf = (families: FamilySnapshot[]) => Buffer.from(encodeProtobuf(families)).toString('hex');

  it('writes NaN with the bits of Go math.NaN()', () => {
    const out = hexOf([family('n', '', 'gauge', [series(labels(), { value: NaN })])]);
    // metric { gauge { value: NaN } }
    assert.ok(out.endsWith('220b120909' + '010000000000f87f'), out);
  });

  it('writes a counter exemplar with labels, value and a proto3 timestamp', () => {
    const exemplar: Exemplar = { labels: labels({ trace_id: 'ab' }), value: 0.5, timestampMs: 1500 };
    const out = hexOf([family('c_total', 'h', 'counter', [series(labels(), { value: 2, exemplar })])]);
    const ascii = (t: string) => Buffer.from(t).toString('hex');
    const expected =
      '40' + // MetricFamily length 64
      '0a07' +
      ascii('c_total') + // name
      '1201' +
      ascii('h') + // help
      '1800' + // type COUNTER, present although 0
      '2230' + // metric, 48 bytes
      '1a2e' + // counter, 46 bytes
      '09' +
      '0000000000000040' + // value 2
      '1223' + // exemplar, 35 bytes
      '0a0e' +
      '0a08' +
      ascii('trace_id') +
      '1202' +
      ascii('ab') + // label pair
      '11' +
      '000000000000e03f' + // value 0.5
      '1a08' +
      '0801' +
      '1080cab5ee01'; // timestamp { seconds: 1, nanos: 500000000 }
    assert.equal(out, expected);
  });

  it('omits a zero seconds or nanos inside the exemplar timestamp, and the timestamp when unknown', () => {
    const make = (timestampMs: number | undefined) =>
      encodeProtobuf([
        family('c_total', '', 'counter', [
          series(labels(), { value: 1, exemplar: { labels: labels(), value: 1, timestampMs } }),
        ]),
      ]);
    const exemplarOf = (buf: Uint8Array) => {
      const decoded = decodeAll(buf)[0]!;
      return (decoded.metric as Array<{ counter: { exemplar: Record<string, unknown> } }>)[0]!.counter.exemplar;
    };
    assert.deepEqual(exemplarOf(make(undefined)), { value: 1 });
    assert.deepEqual(exemplarOf(make(0)), { value: 1, timestamp: {} });
    assert.deepEqual(exemplarOf(make(3000)), { value: 1, timestamp: { seconds: '3' } });
    assert.deepEqual(exemplarOf(make(250)), { value: 1, timestamp: { nanos: 250000000 } });
    assert.deepEqual(exemplarOf(make(-1)), { value: 1, timestamp: { seconds: '-1', nanos: 999000000 } });
    assert.ok(Buffer.from(make(0)).toString('hex').endsWith('1a00'));
  });

  it('puts timestamp_ms (field 6) before histogram (field 7) and after the other value fields', () => {
    const ts = 1700000000123;
    const h = hexOf([
      family('h', '', 'histogram', [series(labels(), { buckets: [1], sum: 1, count: 1, timestampMs: ts })], {
        upperBounds: [1],
      }),
    ]);
    const tsHex = '30' + Buffer.from(varintBytes(BigInt(ts))).toString('hex');
    assert.ok(h.includes(tsHex + '3a'), h);
    const g = hexOf([family('g', '', 'gauge', [series(labels(), { value: 1, timestampMs: ts })])]);
    assert.ok(g.endsWith('120909' + '000000000000f03f' + tsHex));
    const negative = hexOf([family('g', '', 'gauge', [series(labels(), { value: 1, timestampMs: -1 })])]);
    assert.ok(negative.endsWith('30ffffffffffffffffff01'));
  });

  it('adds the +Inf bucket only when it holds an exemplar', () => {
    const ex: Exemplar = { labels: labels({ id: '1' }), value: 7, timestampMs: 1000 };
    const f = family(
      'h',
      '',
      'histogram',
      [series(labels(), { buckets: [0, 2], sum: 12, count: 3, bucketExemplars: [undefined, ex, ex] })],
      { upperBounds: [1, 5] },
    );
    const decoded = decodeAll(encodeProtobuf([f]))[0]!;
    const histogram = (decoded.metric as Array<{ histogram: { bucket: unknown[] } }>)[0]!.histogram;
    const exemplarObject = { label: [{ name: 'id', value: '1' }], value: 7, timestamp: { seconds: '1' } };
    assert.deepEqual(histogram, {
      sample_count: '3',
      sample_sum: 12,
      bucket: [
        { cumulative_count: '0', upper_bound: 1 },
        { cumulative_count: '2', upper_bound: 5, exemplar: exemplarObject },
        { cumulative_count: '3', upper_bound: Infinity, exemplar: exemplarObject },
      ],
    });
  });

  it('encodes counts beyond 2^53 exactly and saturates at 2^64 - 1', () => {
    const countOf = (count: number) => {
      const d = decodeAll(encodeProtobuf([family('s', '', 'summary', [series(labels(), { count, sum: 0 })])]))[0]!;
      return (d.metric as Array<{ summary: { sample_count: string } }>)[0]!.summary.sample_count;
    };
    assert.equal(countOf(2 ** 53 + 2), '9007199254740994');
    assert.equal(countOf(2 ** 63), '9223372036854775808');
    assert.equal(countOf(18446744073709549568), '18446744073709549568');
    assert.equal(countOf(2 ** 64), '18446744073709551615');
    assert.equal(countOf(1e300), '18446744073709551615');
    assert.equal(countOf(-5), '0');
    assert.equal(countOf(NaN), '0');
    assert.equal(countOf(7.9), '7');
  });
});

// ---------------------------------------------------------------------------------------------
// Decoding with protobufjs, using this project's proto/metrics.proto.
// ---------------------------------------------------------------------------------------------

const root = new protobuf.Root().loadSync(PROTO_FILE, { keepCase: true });
const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');

/** Decodes a delimited stream into plain objects (present fields only, 64-bit ints as strings). */
function decodeAll(buf: Uint8Array): Array<Record<string, unknown>> {
  const reader = protobuf.Reader.create(buf);
  const out: Array<Record<string, unknown>> = [];
  while (reader.pos < reader.len) {
    out.push(MetricFamily.toObject(MetricFamily.decodeDelimited(reader), { longs: String }));
  }
  return out;
}

function varintBytes(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const b = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u === 0n ? b : b | 0x80);
  } while (u !== 0n);
  return out;
}

describe('proto/metrics.proto', () => {
  it('loads with @grpc/proto-loader and has the client_model 0.3.0 field numbers', () => {
    const definition = loadSync(PROTO_FILE, { keepCase: true });
    const fields = (message: string) => {
      const type = (
        definition['io.prometheus.client.' + message] as { type: { field: Array<{ name: string; number: number }> } }
      ).type;
      return Object.fromEntries(type.field.map((f) => [f.name, f.number]));
    };
    assert.deepEqual(fields('LabelPair'), { name: 1, value: 2 });
    assert.deepEqual(fields('Gauge'), { value: 1 });
    assert.deepEqual(fields('Counter'), { value: 1, exemplar: 2 });
    assert.deepEqual(fields('Quantile'), { quantile: 1, value: 2 });
    assert.deepEqual(fields('Summary'), { sample_count: 1, sample_sum: 2, quantile: 3 });
    assert.deepEqual(fields('Untyped'), { value: 1 });
    assert.deepEqual(fields('Histogram'), {
      sample_count: 1,
      sample_count_float: 4,
      sample_sum: 2,
      bucket: 3,
      schema: 5,
      zero_threshold: 6,
      zero_count: 7,
      zero_count_float: 8,
      negative_span: 9,
      negative_delta: 10,
      negative_count: 11,
      positive_span: 12,
      positive_delta: 13,
      positive_count: 14,
    });
    assert.deepEqual(fields('Bucket'), { cumulative_count: 1, cumulative_count_float: 4, upper_bound: 2, exemplar: 3 });
    assert.deepEqual(fields('BucketSpan'), { offset: 1, length: 2 });
    assert.deepEqual(fields('Exemplar'), { label: 1, value: 2, timestamp: 3 });
    assert.deepEqual(fields('Metric'), {
      label: 1,
      gauge: 2,
      counter: 3,
      summary: 4,
      untyped: 5,
      histogram: 7,
      timestamp_ms: 6,
    });
    assert.deepEqual(fields('MetricFamily'), { name: 1, help: 2, type: 3, metric: 4 });
    const enumType = root.lookupEnum('io.prometheus.client.MetricType');
    assert.deepEqual({ ...enumType.values }, { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4 });
  });

  it('decodes every Go fixture, and re-encoding the decoded data gives the same bytes', () => {
    const names = readdirSync(CONFORMANCE)
      .filter((f) => f.endsWith('.pb'))
      .map((f) => f.slice(0, -3));
    assert.ok(names.length >= 20, `found ${names.length} fixtures`);
    for (const name of names) {
      const bytes = fixtureBytes(name);
      const families = decodeAll(bytes).map(snapshotFromDecoded);
      assertSameBytes(encodeProtobuf(families), bytes, name + ' (decoded and re-encoded)');
    }
  });
});

const TYPE_NAMES: MetricType[] = ['counter', 'gauge', 'summary', 'untyped', 'histogram'];

interface DecodedMetric {
  label?: Array<{ name: string; value: string }>;
  gauge?: { value: number };
  counter?: { value: number };
  untyped?: { value: number };
  summary?: { sample_count: string; sample_sum: number; quantile?: Array<{ quantile: number; value: number }> };
  histogram?: {
    sample_count: string;
    sample_sum: number;
    bucket?: Array<{ cumulative_count: string; upper_bound: number }>;
  };
  timestamp_ms?: string;
}

/** Rebuilds a FamilySnapshot from a decoded MetricFamily (classic data only, no exemplars). */
function snapshotFromDecoded(decoded: Record<string, unknown>): FamilySnapshot {
  const type = TYPE_NAMES[decoded.type as number]!;
  const metrics = (decoded.metric ?? []) as DecodedMetric[];
  const first = metrics[0];
  const upperBounds = first?.histogram ? (first.histogram.bucket ?? []).map((b) => b.upper_bound) : null;
  const quantileRanks = first?.summary ? (first.summary.quantile ?? []).map((q) => q.quantile) : null;
  return family(
    decoded.name as string,
    decoded.help as string,
    type,
    metrics.map((m) => {
      const pairs = m.label ?? [];
      const set =
        pairs.length === 0
          ? LabelSet.EMPTY
          : new LabelSet(
              pairs.map((p) => p.name),
              pairs.map((p) => p.value),
            );
      const timestampMs = m.timestamp_ms === undefined ? undefined : Number(m.timestamp_ms);
      if (m.summary) {
        return series(set, {
          count: Number(m.summary.sample_count),
          sum: m.summary.sample_sum,
          quantiles: (m.summary.quantile ?? []).map((q) => q.value),
          timestampMs,
        });
      }
      if (m.histogram) {
        return series(set, {
          count: Number(m.histogram.sample_count),
          sum: m.histogram.sample_sum,
          buckets: (m.histogram.bucket ?? []).map((b) => Number(b.cumulative_count)),
          timestampMs,
        });
      }
      const value = (m.gauge ?? m.counter ?? m.untyped)!.value;
      return series(set, { value, timestampMs });
    }),
    { upperBounds: upperBounds ?? undefined, quantileRanks: quantileRanks ?? undefined },
  );
}

// ---------------------------------------------------------------------------------------------
// Randomized round trip.
// ---------------------------------------------------------------------------------------------

const EXTREME_DOUBLES = [
  0,
  -0,
  1,
  -1,
  0.1,
  1 / 3,
  NaN,
  Infinity,
  -Infinity,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  2 ** 53,
  1e21,
  123456.789,
];
const BIG_COUNTS = [
  0,
  1,
  127,
  128,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  18446744073709549568,
];
const TIMESTAMPS = [0, 1, -1, 999, 1000, 1500, -1500, 1700000000123, -62135596800000];

const TYPES: MetricType[] = ['counter', 'gauge', 'summary', 'untyped', 'histogram'];
const TYPE_NUMBERS: Record<MetricType, number> = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 };

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function randomName(r: () => number): string {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:';
  const rest = first + '0123456789';
  let s = pick(r, [...first]);
  const n = Math.floor(r() * 30);
  for (let i = 0; i < n; i++) s += pick(r, [...rest]);
  return s;
}

/** Unicode text: ASCII, accents, CJK, emoji (surrogate pairs), occasional lone surrogates, NUL. */
function randomText(r: () => number, max: number): string {
  const pieces = [
    'a',
    'Z',
    ' ',
    '"',
    '\\',
    '\n',
    '\0',
    'é',
    'ß',
    '中',
    '文',
    '😀',
    '𝄞',
    '\u2028',
    '\ud800',
    '\udfff',
    '\uffff',
  ];
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += pick(r, pieces);
  return s;
}

function randomLabels(r: () => number, max: number): LabelSet {
  const n = Math.floor(r() * (max + 1));
  const map = new Map<string, string>();
  for (let i = 0; i < n; i++) map.set(randomName(r).replace(/:/g, '_'), randomText(r, 12));
  const names = [...map.keys()].sort();
  return names.length === 0
    ? LabelSet.EMPTY
    : new LabelSet(
        names,
        names.map((k) => map.get(k)!),
      );
}

function randomDouble(r: () => number): number {
  return r() < 0.6 ? pick(r, EXTREME_DOUBLES) : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
}

function randomExemplar(r: () => number): Exemplar {
  return {
    labels: randomLabels(r, 3),
    value: randomDouble(r),
    timestampMs: r() < 0.3 ? undefined : pick(r, TIMESTAMPS),
  };
}

function randomFamily(r: () => number): FamilySnapshot {
  const type = pick(r, TYPES);
  const upperBounds: number[] = [];
  if (type === 'histogram') {
    let bound = -10 * r();
    const n = Math.floor(r() * 6);
    for (let i = 0; i < n; i++) upperBounds.push((bound += r() * 5 + 1e-9));
  }
  const quantileRanks = type === 'summary' ? [0.5, 0.9, 0.99].slice(0, Math.floor(r() * 4)) : [];
  const seriesList: SeriesSnapshot[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const timestampMs = r() < 0.2 ? pick(r, TIMESTAMPS) : undefined;
    const count = pick(r, BIG_COUNTS);
    const labelSet = randomLabels(r, 4);
    if (type === 'histogram') {
      const exemplars: Array<Exemplar | undefined> = [];
      for (let b = 0; b <= upperBounds.length; b++) exemplars.push(r() < 0.4 ? randomExemplar(r) : undefined);
      seriesList.push(
        series(labelSet, {
          count,
          sum: randomDouble(r),
          buckets: upperBounds.map(() => pick(r, BIG_COUNTS)),
          bucketExemplars: r() < 0.5 ? exemplars : null,
          timestampMs,
        }),
      );
    } else if (type === 'summary') {
      seriesList.push(
        series(labelSet, {
          count,
          sum: randomDouble(r),
          quantiles: quantileRanks.map(() => randomDouble(r)),
          timestampMs,
        }),
      );
    } else {
      seriesList.push(
        series(labelSet, {
          value: randomDouble(r),
          exemplar: type === 'counter' && r() < 0.5 ? randomExemplar(r) : null,
          timestampMs,
          createdMs: type === 'gauge' ? undefined : 1234, // never encoded
        }),
      );
    }
  }
  return {
    name: randomName(r),
    help: randomText(r, 20),
    type,
    unit: '',
    upperBounds: type === 'histogram' ? upperBounds : null,
    quantileRanks: type === 'summary' ? quantileRanks : null,
    series: seriesList,
  };
}

/** What a correct decode must give: the same data, lone surrogates replaced by U+FFFD. */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

function expectedLabels(set: LabelSet): Record<string, unknown> {
  if (set.names.length === 0) return {};
  return { label: set.names.map((name, i) => ({ name: wellFormed(name), value: wellFormed(set.values[i]!) })) };
}

function expectedExemplar(e: Exemplar): Record<string, unknown> {
  const out: Record<string, unknown> = { ...expectedLabels(e.labels), value: e.value };
  if (e.timestampMs !== undefined) {
    const seconds = Math.floor(e.timestampMs / 1000);
    const nanos = (e.timestampMs - seconds * 1000) * 1e6;
    const ts: Record<string, unknown> = {};
    if (seconds !== 0) ts.seconds = String(seconds);
    if (nanos !== 0) ts.nanos = nanos;
    out.timestamp = ts;
  }
  return out;
}

function expectedFamily(f: FamilySnapshot): Record<string, unknown> {
  return {
    name: wellFormed(f.name),
    help: wellFormed(f.help),
    type: TYPE_NUMBERS[f.type],
    metric: f.series.map((s) => {
      const m: Record<string, unknown> = expectedLabels(s.labels);
      switch (f.type) {
        case 'gauge':
          m.gauge = { value: s.value };
          break;
        case 'untyped':
          m.untyped = { value: s.value };
          break;
        case 'counter':
          m.counter = s.exemplar ? { value: s.value, exemplar: expectedExemplar(s.exemplar) } : { value: s.value };
          break;
        case 'summary': {
          const summary: Record<string, unknown> = { sample_count: String(BigInt(s.count)), sample_sum: s.sum };
          const ranks = f.quantileRanks!;
          if (ranks.length > 0) summary.quantile = ranks.map((q, i) => ({ quantile: q, value: s.quantiles![i] }));
          m.summary = summary;
          break;
        }
        case 'histogram': {
          const bounds = f.upperBounds!;
          const bucket: Array<Record<string, unknown>> = bounds.map((upper_bound, i) => {
            const b: Record<string, unknown> = { cumulative_count: String(BigInt(s.buckets![i]!)), upper_bound };
            const e = s.bucketExemplars?.[i];
            if (e) b.exemplar = expectedExemplar(e);
            return b;
          });
          const inf = s.bucketExemplars?.[bounds.length];
          if (inf) {
            bucket.push({
              cumulative_count: String(BigInt(s.count)),
              upper_bound: Infinity,
              exemplar: expectedExemplar(inf),
            });
          }
          const h: Record<string, unknown> = { sample_count: String(BigInt(s.count)), sample_sum: s.sum };
          if (bucket.length > 0) h.bucket = bucket;
          m.histogram = h;
          break;
        }
      }
      if (s.timestampMs !== undefined) m.timestamp_ms = String(s.timestampMs);
      return m;
    }),
  };
}

describe('random families round-trip through protobufjs', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}`, () => {
      const r = rng(seed);
      const families: FamilySnapshot[] = [];
      const n = 1 + Math.floor(r() * 12);
      for (let i = 0; i < n; i++) families.push(randomFamily(r));
      const buf = encodeProtobuf(families);
      assert.deepEqual(decodeAll(buf), families.map(expectedFamily));
      // Re-encoding (cached labels, reused size table) gives the same bytes.
      assertSameBytes(encodeProtobuf(families), buf, `seed ${seed} re-encode`);
    });
  }
});
