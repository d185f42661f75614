import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

import { QuantileStream, goSort, STREAM_BUFFER_CAPACITY } from '../../lib/metrics/quantile-stream.js';
import { SummaryWindow, validateObjectives } from '../../lib/metrics/summary-window.js';
import { parseFloatAsGo } from '../../lib/fixture/go-decode.js';
import { GO_NAN } from '../../lib/metrics/go-float.js';

const GOLDEN_DIR = fileURLToPath(new URL('../conformance/golden/', import.meta.url));

// --- helpers ----------------------------------------------------------------------------------

/** Inputs rich in NaN and signed zeros; the reference results below came from Go for exactly these. */
function goldenInput(n: number, mode: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = (i * 37 + 11) % 29;
    let v: number;
    if (mode === 1 && i % 5 < 2) v = NaN;
    else if (x % 7 === 0) v = NaN;
    else if (x % 5 === 0) v = -0;
    else if (x % 3 === 0) v = 0;
    else v = x - 14;
    if (mode === 2) v = i % 9 === 0 ? -0 : (n - i) * 0.5;
    out[i] = v;
  }
  return out;
}

/** Formats as the Go helper did: NaN, -0, otherwise the shortest round-trip form. */
function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** Parses a number as Go's text exposition writes it. */
function parseGoNumber(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  const v = Number(s);
  assert.ok(!Number.isNaN(v), `unparsable number ${s}`);
  return v;
}

/** The text format writes -0 as 0, so a sign of zero cannot be checked there. */
function sameAsText(actual: number, expected: number): boolean {
  return Object.is(actual === 0 ? 0 : actual, expected);
}

/** Go 1.19 sort.Sort results for the inputs of goldenInput(n, mode): [n, mode, sorted values]. */
const GO_SORTED: ReadonlyArray<readonly [number, number, string]> = [
  [13, 0, '-13,-10,-3,0,NaN,0,0,-0,0,-0,3,5,8'],
  [
    50,
    0,
    'NaN,NaN,-3,5,-6,-13,-10,0,-0,0,-0,3,8,NaN,NaN,2,-0,-0,0,9,12,-0,-1,NaN,0,0,-12,0,0,-3,5,0,0,NaN,8,-13,0,3,-0,-10,0,-0,NaN,NaN,-0,9,-12,-0,0,12',
  ],
  [
    200,
    0,
    'NaN,NaN,0,0,NaN,8,-13,0,3,-0,-10,0,-0,-0,NaN,-0,9,-12,-0,0,12,-0,-1,NaN,NaN,-6,2,0,0,-3,5,0,0,NaN,8,-13,0,3,-0,-10,0,-0,NaN,NaN,-0,9,-12,-0,0,12,-0,-1,NaN,NaN,-6,2,0,0,-3,5,0,0,NaN,8,-13,0,3,-0,-10,0,-0,NaN,NaN,-0,9,-12,-0,0,12,-0,-1,NaN,NaN,-6,2,0,0,-3,5,0,0,NaN,8,-13,0,3,-0,-10,0,5,-13,NaN,-0,9,-12,-0,0,12,-0,-1,NaN,NaN,-6,2,0,0,-3,5,0,0,NaN,8,-13,0,3,-0,-10,0,-0,NaN,NaN,-0,9,-12,-0,0,12,-0,-1,NaN,NaN,-6,2,0,0,-3,5,0,0,NaN,8,-13,0,3,-0,-10,0,-0,NaN,NaN,-0,9,-12,-0,0,12,-0,-1,NaN,NaN,-6,2,0,0,-3,5,0,0,NaN,8,-3,0,3,-0,-10,0,-0,NaN,NaN,-0,9,-12,-0,0,12,-0,-1,NaN,NaN,-6',
  ],
  [
    500,
    0,
    '-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-13,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-12,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-10,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-6,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-3,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-0,0,0,NaN,-0,0,NaN,NaN,-0,0,0,0,NaN,0,0,0,NaN,0,NaN,0,0,-0,-0,0,-0,NaN,NaN,-0,0,0,-0,0,NaN,-0,-0,NaN,NaN,NaN,NaN,0,0,0,-0,0,0,NaN,0,-0,0,-0,-0,NaN,0,-0,NaN,NaN,-0,NaN,0,-0,0,NaN,-0,0,NaN,NaN,-0,0,0,0,0,0,0,0,NaN,-0,0,0,0,-0,NaN,0,-0,NaN,NaN,-0,0,NaN,-0,0,0,-0,NaN,NaN,NaN,-0,-0,0,0,0,0,0,0,NaN,0,0,0,NaN,-0,-0,0,-0,NaN,NaN,-0,NaN,-0,-0,0,-0,-0,-0,NaN,NaN,NaN,0,0,0,NaN,-0,0,0,NaN,NaN,-0,0,-0,-0,0,0,-0,NaN,NaN,-0,NaN,-0,NaN,0,-0,-0,0,NaN,NaN,0,NaN,0,0,NaN,-0,0,0,NaN,0,0,0,-0,-0,0,0,-0,NaN,NaN,-0,NaN,0,-0,0,0,-0,0,NaN,NaN,0,0,0,0,0,-0,0,0,NaN,NaN,NaN,0,NaN,-0,NaN,0,-0,NaN,NaN,-0,0,-0,-0,0,-0,-0,0,NaN,NaN,0,-0,0,0,-0,-0,0,0,NaN,NaN,NaN,0,-0,-0,-0,0,-0,NaN,NaN,-0,0,NaN,-0,0,-0,-0,NaN,NaN,NaN,-0,-0,0,0,0,0,0,0,NaN,NaN,-0,0,NaN,-0,0,0,-0,NaN,NaN,-0,0,0,-0,0,NaN,-0,0,NaN,NaN,NaN,0,0,0,0,NaN,0,0,NaN,NaN,0,0,-0,-0,-0,0,-0,NaN,NaN,-0,0,0,-0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,12,12,12,12,12,12,12,12,12,12,12,12,12,12,12,12,12',
  ],
  [
    300,
    1,
    'NaN,NaN,0,0,NaN,NaN,NaN,0,-0,3,NaN,NaN,-0,NaN,NaN,NaN,NaN,-12,-0,0,NaN,NaN,-1,NaN,NaN,NaN,0,-3,0,0,NaN,NaN,0,NaN,8,NaN,NaN,-10,-0,3,NaN,NaN,NaN,NaN,-0,NaN,NaN,-0,0,12,NaN,NaN,NaN,NaN,-6,NaN,NaN,-3,0,5,NaN,NaN,NaN,8,-13,NaN,NaN,-0,-10,0,NaN,NaN,NaN,-0,9,NaN,NaN,0,12,-0,NaN,NaN,NaN,-6,2,NaN,NaN,-3,5,0,NaN,NaN,8,-13,0,NaN,NaN,-10,0,-0,NaN,NaN,-0,9,-12,NaN,NaN,12,-0,-1,NaN,NaN,-6,2,0,NaN,NaN,5,0,0,NaN,NaN,-13,0,3,NaN,NaN,0,-0,NaN,NaN,NaN,9,-12,-0,NaN,NaN,-0,-1,NaN,NaN,NaN,2,0,0,NaN,NaN,0,NaN,NaN,NaN,NaN,0,3,-0,NaN,NaN,-0,NaN,NaN,NaN,NaN,-12,-0,0,NaN,NaN,-1,NaN,NaN,NaN,NaN,0,0,-3,NaN,NaN,0,NaN,8,NaN,NaN,3,-0,-10,NaN,NaN,NaN,NaN,-0,NaN,NaN,-0,0,12,NaN,NaN,NaN,NaN,-6,NaN,NaN,0,-3,5,NaN,NaN,NaN,8,-13,NaN,NaN,-0,-10,0,NaN,NaN,NaN,-0,9,NaN,NaN,0,12,-0,NaN,NaN,NaN,-6,2,NaN,NaN,-3,5,0,NaN,NaN,8,-13,0,NaN,NaN,-10,0,-0,NaN,NaN,-0,9,-12,NaN,NaN,12,-0,-1,NaN,NaN,-6,2,0,NaN,NaN,5,0,0,NaN,NaN,-13,0,3,NaN,NaN,0,-0,NaN,NaN,NaN,9,-12,-0,NaN,NaN,-0,-1,NaN,NaN,NaN,2,0,0,NaN,NaN,0,0,NaN,NaN,NaN,0,3,-0',
  ],
  [
    120,
    2,
    '-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,0.5,1,2,2.5,3,3.5,4,4.5,5,5.5,6.5,7,7.5,8,8.5,9,9.5,10,11,11.5,12,12.5,13,13.5,14,14.5,15.5,16,16.5,17,17.5,18,18.5,19,20,20.5,21,21.5,22,22.5,23,23.5,24.5,25,25.5,26,26.5,27,27.5,28,29,29.5,30,30.5,31,31.5,32,32.5,33.5,34,34.5,35,35.5,36,36.5,37,38,38.5,39,39.5,40,40.5,41,41.5,42.5,43,43.5,44,44.5,45,45.5,46,47,47.5,48,48.5,49,49.5,50,50.5,51.5,52,52.5,53,53.5,54,54.5,55,56,56.5,57,57.5,58,58.5,59,59.5',
  ],
];

/** perks NewTargeted({0: 0.01, 0.5: 0.05, 0.9: 0.01, 1: 0.001}) fed goldenInput(n, mode), then Query(0), Query(0.5), Query(0.9), Query(1) and Count(). */
const GO_STREAM: ReadonlyArray<readonly [number, number, string, string, string, string, number]> = [
  [300, 0, '-13', 'NaN', '3', '3', 300],
  [1700, 0, 'NaN', '0', '12', '12', 1700],
  [1700, 1, '8', '-0', '-0', '12', 1700],
  [1100, 2, '-0', '219.5', '482', '549.5', 1100],
];

// --- fixture and exposition readers -----------------------------------------------------------

type FixtureValue = number | 'NaN' | '+Inf' | '-Inf';

interface FixtureFamily {
  name: string;
  type: string;
  labels?: string[];
  objectives?: Record<string, FixtureValue>;
  ops: Array<{ labels?: string[]; op: string; value?: FixtureValue }>;
}

function fixtureNumber(v: FixtureValue | undefined): number {
  if (v === 'NaN') return NaN;
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  assert.equal(typeof v, 'number');
  return v as number;
}

interface ExpectedSeries {
  quantiles: Map<number, number>;
  sum: number;
  count: number;
}

/** Reads one text-format label block starting after `{`; returns the pairs and the index after `}`. */
function parseLabels(line: string, start: number): [Map<string, string>, number] {
  const labels = new Map<string, string>();
  let i = start;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    const name = line.slice(i, eq);
    assert.equal(line[eq + 1], '"');
    let j = eq + 2;
    let value = '';
    while (line[j] !== '"') {
      if (line[j] === '\\') {
        const c = line[j + 1];
        value += c === 'n' ? '\n' : c;
        j += 2;
      } else {
        value += line[j];
        j++;
      }
    }
    labels.set(name, value);
    i = j + 1;
    if (line[i] === ',') i++;
  }
  return [labels, i + 1];
}

/** Expected summary series of one family from the text output, keyed by variable label values. */
function expectedFromText(text: string, family: FixtureFamily): Map<string, ExpectedSeries> {
  const names = family.labels ?? [];
  const out = new Map<string, ExpectedSeries>();
  const get = (labels: Map<string, string>): ExpectedSeries => {
    const key = names.map((n) => labels.get(n) ?? '').join('\u0000');
    let s = out.get(key);
    if (s === undefined) {
      s = { quantiles: new Map(), sum: NaN, count: NaN };
      out.set(key, s);
    }
    return s;
  };
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const metric = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    let labels = new Map<string, string>();
    let rest: string;
    if (brace >= 0 && brace < space) {
      const [parsed, end] = parseLabels(line, brace + 1);
      labels = parsed;
      rest = line.slice(end).trim();
    } else {
      rest = line.slice(space + 1).trim();
    }
    const value = parseGoNumber(rest);
    if (metric === family.name) {
      get(labels).quantiles.set(Number(labels.get('quantile')), value);
    } else if (metric === family.name + '_sum') {
      get(labels).sum = value;
    } else if (metric === family.name + '_count') {
      get(labels).count = value;
    }
  }
  return out;
}

/** Minimal reader of the delimited protobuf output: exact doubles of summary series. */
class PbReader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}
  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  }
  double(): number {
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }
  sub(): PbReader {
    const len = this.varint();
    const r = new PbReader(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return r;
  }
  string(): string {
    const len = this.varint();
    const s = new TextDecoder().decode(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const len = this.varint();
      this.pos += len;
    } else if (wire === 5) this.pos += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
}

/** Expected summary series of one family from the protobuf output (sign of zero preserved). */
function expectedFromPb(pb: Uint8Array, family: FixtureFamily): Map<string, ExpectedSeries> {
  const names = family.labels ?? [];
  const out = new Map<string, ExpectedSeries>();
  const top = new PbReader(pb);
  while (!top.done) {
    const mf = top.sub();
    let name = '';
    const metrics: PbReader[] = [];
    while (!mf.done) {
      const tag = mf.varint();
      if (tag === (1 << 3) + 2) name = mf.string();
      else if (tag === (4 << 3) + 2) metrics.push(mf.sub());
      else mf.skip(tag & 7);
    }
    if (name !== family.name) continue;
    for (const m of metrics) {
      const labels = new Map<string, string>();
      const series: ExpectedSeries = { quantiles: new Map(), sum: NaN, count: NaN };
      while (!m.done) {
        const tag = m.varint();
        if (tag === (1 << 3) + 2) {
          const lp = m.sub();
          let n = '';
          let v = '';
          while (!lp.done) {
            const t = lp.varint();
            if (t === (1 << 3) + 2) n = lp.string();
            else if (t === (2 << 3) + 2) v = lp.string();
            else lp.skip(t & 7);
          }
          labels.set(n, v);
        } else if (tag === (4 << 3) + 2) {
          const s = m.sub();
          while (!s.done) {
            const t = s.varint();
            if (t === (1 << 3) + 0) series.count = s.varint();
            else if (t === (2 << 3) + 1) series.sum = s.double();
            else if (t === (3 << 3) + 2) {
              const q = s.sub();
              let rank = NaN;
              let value = NaN;
              while (!q.done) {
                const u = q.varint();
                if (u === (1 << 3) + 1) rank = q.double();
                else if (u === (2 << 3) + 1) value = q.double();
                else q.skip(u & 7);
              }
              series.quantiles.set(rank, value);
            } else s.skip(t & 7);
          }
        } else m.skip(tag & 7);
      }
      out.set(names.map((n) => labels.get(n) ?? '').join('\u0000'), series);
    }
  }
  return out;
}

// --- the tests --------------------------------------------------------------------------------

describe('goSort (Go 1.19 sort.Sort)', () => {
  test('sorts distinct values like a plain numeric sort', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (const n of [0, 1, 2, 5, 12, 13, 49, 50, 51, 200, 500]) {
      for (const shape of ['random', 'ascending', 'descending', 'organ']) {
        const a = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          a[i] =
            shape === 'random'
              ? rand() * 1000 - 500 + i * 1e-9
              : shape === 'ascending'
                ? i
                : shape === 'descending'
                  ? n - i
                  : i < n / 2
                    ? i
                    : n - i + 0.5;
        }
        const expected = Float64Array.from(a).sort();
        goSort(a, n);
        assert.deepEqual(a, expected, `${shape} n=${n}`);
      }
    }
  });

  test('places NaN and signed zeros exactly where Go does', () => {
    for (const [n, mode, expected] of GO_SORTED) {
      const a = goldenInput(n, mode);
      goSort(a, n);
      assert.equal(Array.from(a, fmt).join(','), expected, `n=${n} mode=${mode}`);
    }
  });

  test('sorts only the given prefix', () => {
    const a = Float64Array.of(3, 2, 1, 0, -1);
    goSort(a, 3);
    assert.deepEqual(Array.from(a), [1, 2, 3, 0, -1]);
  });
});

describe('QuantileStream', () => {
  const targets = [
    [0.5, 0.05],
    [0.9, 0.01],
    [0.99, 0.001],
  ] as const;

  test('an empty stream answers 0 and counts 0', () => {
    const s = new QuantileStream(targets);
    assert.equal(s.count(), 0);
    assert.equal(s.query(0.5), 0);
  });

  test('below the buffer size answers come straight from the sorted buffer', () => {
    const s = new QuantileStream(targets);
    for (const v of [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]) s.insert(v);
    assert.equal(s.count(), 10);
    // index ceil(10 * q) - 1
    assert.equal(s.query(0.5), 5);
    assert.equal(s.query(0.9), 9);
    assert.equal(s.query(0.99), 10);
    assert.equal(s.query(0), 1);
    assert.equal(s.query(1), 10);
  });

  test('one value', () => {
    const s = new QuantileStream(targets);
    s.insert(42);
    assert.equal(s.query(0.5), 42);
    assert.equal(s.query(0.99), 42);
  });

  test('after a merge the answers stay within the targeted error', () => {
    const s = new QuantileStream(targets);
    const n = 10 * STREAM_BUFFER_CAPACITY + 17;
    // A permutation of 1..n.
    for (let i = 0; i < n; i++) s.insert(((i * 7919) % n) + 1);
    assert.equal(s.count(), n);
    for (const [q, e] of targets) {
      const v = s.query(q);
      assert.ok(Math.abs(v / n - q) <= e + 1 / n, `q=${q} gave ${v}`);
    }
  });

  test('reset empties the stream', () => {
    const s = new QuantileStream(targets);
    for (let i = 0; i < 1234; i++) s.insert(i);
    s.reset();
    assert.equal(s.count(), 0);
    assert.equal(s.query(0.5), 0);
    s.insert(7);
    assert.equal(s.query(0.5), 7);
  });

  test('matches perks on NaN and signed-zero inputs, flushed and unflushed', () => {
    const t = [
      [0, 0.01],
      [0.5, 0.05],
      [0.9, 0.01],
      [1, 0.001],
    ] as const;
    for (const [n, mode, q0, q50, q90, q100, count] of GO_STREAM) {
      const s = new QuantileStream(t);
      for (const v of goldenInput(n, mode)) s.insert(v);
      const got = [s.query(0), s.query(0.5), s.query(0.9), s.query(1)].map(fmt);
      assert.deepEqual(got, [q0, q50, q90, q100], `n=${n} mode=${mode}`);
      assert.equal(s.count(), count);
    }
  });
});

describe('SummaryWindow', () => {
  const objectives = [
    [0.5, 0.05],
    [0.9, 0.01],
    [0.99, 0.001],
  ] as const;

  test('quantiles are NaN while nothing was observed; sum and count are 0', () => {
    const w = new SummaryWindow(objectives, { now: () => 0 });
    const out = new Float64Array(3);
    assert.deepEqual(w.collect(out), { sum: 0, count: 0, sumNanKind: GO_NAN });
    assert.ok(out.every(Number.isNaN));
  });

  test('collect sorts objectives by rank and reports sum and count', () => {
    const w = new SummaryWindow(
      [
        [0.9, 0.01],
        [0.5, 0.05],
      ],
      { now: () => 0 },
    );
    assert.deepEqual(w.ranks, [0.5, 0.9]);
    for (const v of [0.1, 0.2, 0.3, 0.4, 0.5]) w.observe(v);
    const out = new Float64Array(2);
    const totals = w.collect(out);
    assert.equal(totals.count, 5);
    assert.equal(totals.sum, 0.1 + 0.2 + 0.3 + 0.4 + 0.5);
    assert.deepEqual(Array.from(out), [0.3, 0.5]);
  });

  test('the sum is a left-to-right float sum in observation order', () => {
    const values = [1e16, 1, 1, 1, 1, -1e16, 0.1, 0.2];
    const w = new SummaryWindow(objectives, { now: () => 0, bufCap: 3 });
    let expected = 0;
    for (const v of values) {
      w.observe(v);
      expected += v;
    }
    assert.equal(w.collect(new Float64Array(3)).sum, expected);
  });

  test('a small buffer capacity flushes early without changing any result', () => {
    const a = new SummaryWindow(objectives, { now: () => 0, bufCap: 1 });
    const b = new SummaryWindow(objectives, { now: () => 0, bufCap: 7 });
    const c = new SummaryWindow(objectives, { now: () => 0 });
    for (let i = 0; i < 3000; i++) {
      const v = ((i * 7919) % 3001) / 3;
      a.observe(v);
      b.observe(v);
      c.observe(v);
    }
    const oa = new Float64Array(3);
    const ob = new Float64Array(3);
    const oc = new Float64Array(3);
    assert.deepEqual(a.collect(oa), c.collect(oc));
    assert.deepEqual(b.collect(ob), c.collect(new Float64Array(3)));
    assert.deepEqual(oa, oc);
    assert.deepEqual(ob, oc);
  });

  test('streams rotate after MaxAge / AgeBuckets and old observations age out', () => {
    let t = 0;
    const w = new SummaryWindow([[0.5, 0.05]], { maxAgeMs: 100, ageBuckets: 2, now: () => t });
    const out = new Float64Array(1);
    t = 10;
    for (const v of [1, 2, 3]) w.observe(v);
    assert.deepEqual(w.collect(out), { sum: 6, count: 3, sumNanKind: GO_NAN });
    assert.equal(out[0], 2);

    // Exactly at the expiry nothing rotates yet.
    t = 50;
    w.collect(out);
    assert.equal(out[0], 2);

    // Past it: the first stream is dropped, the second (which also saw 1, 2, 3) becomes the head.
    t = 60;
    w.observe(100);
    assert.deepEqual(w.collect(out), { sum: 106, count: 4, sumNanKind: GO_NAN });
    assert.equal(out[0], 2); // {1, 2, 3, 100}: index ceil(4 * 0.5) - 1

    // Next period: the head is the stream that was reset at t=60 and has only seen 100.
    t = 110;
    w.collect(out);
    assert.equal(out[0], 100);

    // Long silence: every stream gets reset, quantiles are NaN, sum and count are kept.
    t = 260;
    assert.deepEqual(w.collect(out), { sum: 106, count: 4, sumNanKind: GO_NAN });
    assert.ok(Number.isNaN(out[0]));

    t = 270;
    w.observe(5);
    w.collect(out);
    assert.equal(out[0], 5);
  });

  test('an observation after the buffer expiry goes in after the rotation', () => {
    let t = 0;
    const w = new SummaryWindow([[0.5, 0.05]], { maxAgeMs: 10, ageBuckets: 1, now: () => t });
    w.observe(1);
    w.observe(2);
    t = 11;
    w.observe(50); // flushes 1 and 2, then rotates them away
    const out = new Float64Array(1);
    assert.deepEqual(w.collect(out), { sum: 53, count: 3, sumNanKind: GO_NAN });
    assert.equal(out[0], 50);
  });

  test('defaults: 10 minutes split in 5 buckets', () => {
    let t = 0;
    const w = new SummaryWindow([[0.5, 0.05]], { now: () => t });
    w.observe(1);
    const out = new Float64Array(1);
    t = 120_000;
    w.collect(out);
    assert.equal(out[0], 1);
    for (let k = 1; k <= 4; k++) {
      t = 120_000 * k + 1;
      w.collect(out);
      assert.equal(out[0], 1, `still there after ${k} rotations`);
    }
    t = 600_001;
    w.collect(out);
    assert.ok(Number.isNaN(out[0]));
  });

  test('rejects what client_golang panics on or cannot use', () => {
    assert.throws(() => new SummaryWindow([[1.5, 0.01]]), /rank must be a number in \[0, 1\]/);
    assert.throws(() => new SummaryWindow([[-0.1, 0.01]]), /rank must be a number in \[0, 1\]/);
    assert.throws(() => new SummaryWindow([[NaN, 0.01]]), /rank must be a number in \[0, 1\]/);
    assert.throws(
      () =>
        new SummaryWindow([
          [0.5, 0.01],
          [0.5, 0.02],
        ]),
      /given more than once/,
    );
    assert.throws(() => new SummaryWindow([[0.5, 0.01]], { maxAgeMs: -1 }), /illegal summary max age/);
    assert.throws(() => new SummaryWindow([[0.5, 0.01]], { ageBuckets: 1.5 }), /ageBuckets must be an integer/);
    assert.throws(() => new SummaryWindow([[0.5, 0.01]], { bufCap: -3 }), /bufCap must be an integer/);
    assert.throws(
      () => new SummaryWindow([[0.5, 0.01]], { maxAgeMs: 1e-9, ageBuckets: 5 }),
      /no usable stream duration/,
    );
    assert.throws(() => new SummaryWindow([[0.5, 0.01]]).collect(new Float64Array(0)), /room for 1 quantiles/);
    // Ranks 0 and 1 and any error value are accepted, as in Go.
    assert.deepEqual(
      validateObjectives([
        [1, 0],
        [0, -1],
      ]),
      [
        [0, -1],
        [1, 0],
      ],
    );
  });
});

describe('SummaryWindow against client_golang golden outputs', () => {
  const files = readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  let checkedSeries = 0;

  for (const file of files) {
    const fixture = JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as { families: FixtureFamily[] };
    const base = file.slice(0, -'.json'.length);
    fixture.families.forEach((family, index) => {
      if (family.type !== 'summary' || family.objectives === undefined) return;
      if (Object.keys(family.objectives).length === 0) return;
      // Series of a name shared by several families are told apart by const labels, which this reader ignores.
      if (fixture.families.filter((f) => f.name === family.name).length > 1) return;
      test(`${base} family ${index} (${family.name})`, () => {
        const text = readFileSync(join(GOLDEN_DIR, base + '.txt'), 'utf8');
        const pb = new Uint8Array(readFileSync(join(GOLDEN_DIR, base + '.pb')));
        const fromText = expectedFromText(text, family);
        const fromPb = expectedFromPb(pb, family);

        // Ranks as Go's ParseFloat reads the keys; two spellings of one rank are one objective.
        const byRank = new Map<number, number>();
        for (const [rank, error] of Object.entries(family.objectives!))
          byRank.set(parseFloatAsGo(rank)!, fixtureNumber(error));
        const objectives = [...byRank];
        const windows = new Map<string, SummaryWindow>();
        for (const op of family.ops) {
          assert.equal(op.op, 'observe');
          const key = (op.labels ?? []).join('\u0000');
          let w = windows.get(key);
          if (w === undefined) {
            w = new SummaryWindow(objectives, { now: () => 0 });
            windows.set(key, w);
          }
          w.observe(fixtureNumber(op.value));
        }
        if ((family.labels ?? []).length === 0 && windows.size === 0) {
          windows.set('', new SummaryWindow(objectives, { now: () => 0 }));
        }

        assert.equal(fromText.size, windows.size, 'series count in text');
        assert.equal(fromPb.size, windows.size, 'series count in protobuf');
        for (const [key, w] of windows) {
          const label = JSON.stringify(key.split('\u0000'));
          const out = new Float64Array(w.ranks.length);
          const { sum, count } = w.collect(out);
          const t = fromText.get(key);
          const p = fromPb.get(key);
          assert.ok(t !== undefined && p !== undefined, `series ${label} missing from the golden output`);
          assert.equal(t.count, count, `count of ${label}`);
          assert.equal(p.count, count, `protobuf count of ${label}`);
          assert.ok(sameAsText(sum, t.sum), `sum of ${label}: got ${sum}, Go wrote ${t.sum}`);
          assert.ok(Object.is(sum, p.sum), `exact sum of ${label}: got ${sum}, Go had ${p.sum}`);
          w.ranks.forEach((rank, i) => {
            const got = out[i]!;
            const fromTextValue = t.quantiles.get(rank);
            const fromPbValue = p.quantiles.get(rank);
            assert.ok(fromTextValue !== undefined && fromPbValue !== undefined, `rank ${rank} of ${label} missing`);
            assert.ok(sameAsText(got, fromTextValue), `${label} q=${rank}: got ${got}, Go wrote ${fromTextValue}`);
            assert.ok(Object.is(got, fromPbValue), `${label} q=${rank}: got ${fmt(got)}, Go had ${fmt(fromPbValue)}`);
          });
          checkedSeries++;
        }
      });
    });
  }

  test('the golden set holds summary series to check', () => {
    assert.ok(checkedSeries >= 20, `only ${checkedSeries} summary series checked`);
  });
});
