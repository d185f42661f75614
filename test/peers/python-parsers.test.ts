/**
 * Round trip through an independent parser: thousands of randomized metric sets are built through
 * zerotel's public API, written as text and as OpenMetrics, and read back by Debian's Python
 * prometheus_client (`prometheus_client.parser` and `prometheus_client.openmetrics.parser`). The label
 * values, HELP texts and numbers it reads must be exactly what was recorded (floats compared with
 * Object.is semantics: NaN equals NaN, -0 differs from 0).
 *
 * Reproducing a failure: every set has its own seed, printed with the failure; run
 *   PARSER_SEED=<base seed> PARSER_ONLY=<set index> node --import tsx --test test/peers/python-parsers.test.ts
 * PARSER_SETS changes how many sets are generated.
 *
 * What prometheus_client 0.16 (Debian 12) cannot read exactly was found by experiment; each such place
 * below says why it departs from "exactly what was recorded", and the "documented parser limitations"
 * suite pins the behaviour so a newer parser that lifts a limitation makes the exclusion visible.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  Summary,
  writeOpenMetrics,
  writeText,
  type FamilySnapshot,
  type SeriesSnapshot,
} from '../../lib/index.js';
import { mulberry32 } from '../../bench/workloads.js';
import { findPythonPrometheusClient, runPython } from './python.js';
import { assertPeer, peerOptions } from './require-peer.js';

const python = findPythonPrometheusClient();

const BASE_SEED = Number(process.env.PARSER_SEED ?? 0x2e7071) >>> 0;
const SET_COUNT = Number(process.env.PARSER_SETS ?? 5000);
const ONLY = process.env.PARSER_ONLY === undefined ? undefined : Number(process.env.PARSER_ONLY);
/** Sets per Python process, and how many processes run at once. */
const BATCH_SIZE = 500;
const PARALLEL = 4;

/** client_golang's default histogram buckets, written out here rather than taken from the library. */
const GO_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// ---------------------------------------------------------------------------------------------------
// Random generation
// ---------------------------------------------------------------------------------------------------

class Gen {
  private readonly view = new DataView(new ArrayBuffer(8));
  constructor(private readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Any finite double, drawn uniformly over bit patterns (so every exponent is likely). */
  anyDouble(): number {
    for (;;) {
      this.view.setUint32(0, this.int(2 ** 32));
      this.view.setUint32(4, this.int(2 ** 32));
      const v = this.view.getFloat64(0);
      if (Number.isFinite(v)) return v;
    }
  }
}

const NAME_START = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:';
const NAME_REST = NAME_START + '0123456789';
const LABEL_START = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_';
const LABEL_REST = LABEL_START + '0123456789';
const UNITS = ['seconds', 'bytes', 'ratio', 'celsius'];

/** Pieces label values and HELP texts are made of: escapes, control characters, separators, unicode. */
const PIECES = [
  'a',
  'Z',
  '0',
  '_',
  ' ',
  '  ',
  '"',
  '""',
  '\\',
  '\\\\',
  '\n',
  '\n\n',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  '\x00',
  '\x01',
  '\x1b',
  '\x1c',
  '\x1f',
  '\x7f',
  '\x85',
  '{',
  '}',
  '=',
  ',',
  '#',
  ' # ',
  '# {',
  '} ',
  '\\n',
  '\\"',
  'é',
  'ß',
  'Ω',
  '中文',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '😀',
  '👩‍👩‍👧',
  '𝄞',
  '\u{10ffff}',
  'NaN',
  '+Inf',
  '1e+21',
  'le="1"',
  'quantile',
];

/** A string of random pieces and random code points (BMP and astral), always valid Unicode. */
function randomText(g: Gen, maxPieces: number, allowed: (piece: string) => boolean = () => true): string {
  let s = '';
  const n = g.int(maxPieces + 1);
  for (let i = 0; i < n; i++) {
    let piece: string;
    const roll = g.int(10);
    if (roll === 0) {
      let cp = 0x20 + g.int(0xffff - 0x20);
      if (cp >= 0xd800 && cp <= 0xdfff) cp -= 0x800; // no lone surrogates: they are not valid UTF-8
      piece = String.fromCodePoint(cp);
    } else if (roll === 1) {
      piece = String.fromCodePoint(0x10000 + g.int(0x100000));
    } else {
      piece = g.pick(PIECES);
    }
    if (allowed(piece)) s += piece;
  }
  return s;
}

function randomMetricName(g: Gen, index: number): string {
  let s = g.pick([...NAME_START]);
  const n = g.int(11);
  for (let i = 0; i < n; i++) s += g.pick([...NAME_REST]);
  // The index keeps names (and every name OpenMetrics derives from them) unique within a set.
  return `${s}_${index}`;
}

function randomLabelNames(g: Gen, count: number, taken: Set<string>): string[] {
  const names: string[] = [];
  while (names.length < count) {
    let s = g.pick([...LABEL_START]);
    const n = g.int(9);
    for (let i = 0; i < n; i++) s += g.pick([...LABEL_REST]);
    if (s.startsWith('__') || s === 'le' || s === 'quantile' || taken.has(s)) continue;
    taken.add(s);
    names.push(s);
  }
  return names;
}

const SPECIAL_NUMBERS = [
  0,
  -0,
  5e-324,
  -5e-324,
  4.9e-322,
  2.2250738585072014e-308,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  1e-5,
  -1e-5,
  1e-4,
  0.1,
  1 / 3,
  2 / 3,
  0.5,
  1,
  -1,
  100,
  999999,
  1e6,
  1234567,
  123456.789,
  1e21,
  -1e21,
  1e22,
  1.5e300,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53) + 1,
  2 ** 63,
  2 ** 64,
  4503599627370497.5,
];

function finiteNumber(g: Gen): number {
  const roll = g.int(10);
  if (roll < 4) return g.pick(SPECIAL_NUMBERS);
  if (roll < 7) return g.anyDouble();
  if (roll < 9) return Math.round((g.int(2 ** 32) - 2 ** 31) * 1000) / 1000;
  return (g.int(2 ** 32) / 2 ** 32) * 10;
}

function nonNegativeNumber(g: Gen): number {
  return Math.abs(finiteNumber(g));
}

function gaugeNumber(g: Gen): number {
  const roll = g.int(20);
  if (roll === 0) return Number.NaN;
  if (roll === 1) return Number.POSITIVE_INFINITY;
  if (roll === 2) return Number.NEGATIVE_INFINITY;
  return finiteNumber(g);
}

/** Exemplar labels: at most 128 code points in names and values together, as OpenMetrics requires. */
function randomExemplarLabels(g: Gen): Record<string, string> {
  const labels: Record<string, string> = {};
  let runes = 0;
  for (const name of randomLabelNames(g, 1 + g.int(3), new Set())) {
    // prometheus_client 0.16's OpenMetrics parser fails on a `}` inside an exemplar label value
    // ("Invalid line"): it ends the exemplar's label set at the first `}` it meets. The OpenMetrics
    // grammar allows it (see "documented parser limitations" below), so only this generator avoids it.
    const value = randomText(g, 6, (p) => !p.includes('}'));
    const cost = [...name].length + [...value].length;
    if (runes + cost > 128) break;
    runes += cost;
    labels[name] = value;
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------------
// Expected results, in the shape compared with what Python read
// ---------------------------------------------------------------------------------------------------

interface ExpectedExemplar {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly kind: 'i' | 'f';
  readonly timestamp: boolean;
}

interface ExpectedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly le?: number;
  readonly quantile?: number;
  readonly value: number;
  /** How the OpenMetrics parser types the number: `i` for an integer literal, `f` for a float. */
  readonly kind: 'i' | 'f';
  readonly timestamp: null;
  readonly exemplar: ExpectedExemplar | null;
}

interface ExpectedFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly unit: string;
  readonly samples: ExpectedSample[];
}

/** What one series recorded, computed by the test from the operations it made. */
interface SeriesRecord {
  readonly labels: Record<string, string>;
  /** Label values in the order of the sorted label names, for ordering series as client_golang does. */
  readonly sortKey: readonly string[];
  value: number;
  sum: number;
  count: number;
  bucketCounts: number[];
  exemplar: { labels: Record<string, string>; value: number } | null;
  bucketExemplars: ({ labels: Record<string, string>; value: number } | undefined)[];
}

interface FamilyRecord {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  readonly unit: string;
  readonly bounds: readonly number[];
  readonly ranks: readonly number[];
  readonly series: SeriesRecord[];
}

interface MetricSet {
  readonly index: number;
  readonly seed: number;
  readonly registry: Registry;
  readonly families: FamilyRecord[];
  /** Write `_created` lines in OpenMetrics. */
  readonly created: boolean;
  /** Why the OpenMetrics specification forbids this set's OpenMetrics output (none: it is valid). */
  readonly omInvalid: readonly RegExp[];
}

const OM_NEGATIVE = /Counter-like samples cannot be negative/;
const OM_NAN = /Counter-like samples cannot be NaN/;
const OM_NEGATIVE_BUCKETS = /Cannot have _sum with negative buckets/;
const OM_NEGATIVE_QUANTILE = /Quantile values cannot be negative/;

/** Builds one random metric set through the public API, recording what it did. */
function buildSet(index: number, seed: number): MetricSet {
  const g = new Gen(mulberry32(seed));
  const registry = new Registry();
  const registers = [registry];
  const families: FamilyRecord[] = [];
  // One set in five may hold what OpenMetrics forbids (negative or NaN sums, negative bucket bounds,
  // negative quantiles); client_golang writes it anyway, and the OpenMetrics parser must refuse it.
  const wild = g.chance(0.2);
  const familyCount = 1 + g.int(4);
  let allCountersTotal = true;
  for (let f = 0; f < familyCount; f++) {
    const type = g.pick(['counter', 'gauge', 'histogram', 'summary'] as const);
    const unit = g.chance(0.2) ? g.pick(UNITS) : '';
    let name = randomMetricName(g, f) + (unit === '' ? '' : `_${unit}`);
    if (type === 'counter') {
      if (g.chance(0.75)) name += '_total';
      else allCountersTotal = false;
    }
    const help = g.chance(0.1) ? '' : randomText(g, 8);
    const taken = new Set<string>();
    const labelNames = randomLabelNames(g, g.int(4), taken);
    const constLabels: Record<string, string> = {};
    for (const n of randomLabelNames(g, g.chance(0.3) ? 1 + g.int(2) : 0, taken)) constLabels[n] = randomText(g, 4);
    const sortedNames = [...Object.keys(constLabels), ...labelNames].sort();

    // Distinct tuples of label values; a metric without labels has exactly its one series.
    const tuples: string[][] = [];
    if (labelNames.length === 0) {
      tuples.push([]);
    } else {
      const seen = new Set<string>();
      const n = g.int(5);
      for (let i = 0; i < n; i++) {
        const tuple = labelNames.map(() => randomText(g, 5));
        const key = JSON.stringify(tuple);
        if (!seen.has(key)) {
          seen.add(key);
          tuples.push(tuple);
        }
      }
    }
    const record = (tuple: readonly string[]): SeriesRecord => {
      const labels: Record<string, string> = { ...constLabels };
      labelNames.forEach((n, i) => (labels[n] = tuple[i]!));
      return {
        labels,
        sortKey: sortedNames.map((n) => labels[n]!),
        value: 0,
        sum: 0,
        count: 0,
        bucketCounts: [],
        exemplar: null,
        bucketExemplars: [],
      };
    };
    const options = { name, help, labelNames, constLabels, registers, ...(unit === '' ? {} : { unit }) };
    const series: SeriesRecord[] = [];
    let bounds: readonly number[] = [];
    let ranks: readonly number[] = [];

    switch (type) {
      case 'counter': {
        const metric = new Counter(options);
        for (const tuple of tuples) {
          const s = record(tuple);
          const child = labelNames.length === 0 ? metric : metric.labels(...tuple);
          const roll = g.int(3);
          if (roll === 0) {
            // One addition of any non-negative number: the value is exactly that number.
            const v = nonNegativeNumber(g);
            child.add(v);
            s.value = v;
          } else if (roll === 1) {
            const k = g.int(4);
            for (let i = 0; i < k; i++) child.inc();
            s.value = k;
          } else if (name.endsWith('_total')) {
            // Only `_total` counters get exemplars: a counter without it is typed `unknown` in
            // OpenMetrics, where exemplars are not allowed (client_golang writes them anyway; see below).
            const v = nonNegativeNumber(g);
            const ex = randomExemplarLabels(g);
            child.addWithExemplar(v, ex);
            s.value = v;
            s.exemplar = { labels: ex, value: v };
          }
          series.push(s);
        }
        break;
      }
      case 'gauge': {
        const metric = new Gauge(options);
        for (const tuple of tuples) {
          const s = record(tuple);
          const child = labelNames.length === 0 ? metric : metric.labels(...tuple);
          const ops = g.int(4);
          for (let i = 0; i < ops; i++) {
            const v = gaugeNumber(g);
            if (g.chance(0.6)) {
              child.set(v);
              s.value = v;
            } else {
              child.add(v);
              s.value += v;
            }
          }
          series.push(s);
        }
        break;
      }
      case 'histogram': {
        let given: number[] | undefined;
        if (g.chance(0.15)) {
          bounds = GO_DEFAULT_BUCKETS;
        } else {
          const raw = Array.from({ length: 1 + g.int(5) }, () => (wild ? finiteNumber(g) : nonNegativeNumber(g)));
          raw.sort((a, b) => a - b);
          const increasing = raw.filter((v, i) => i === 0 || raw[i - 1]! < v);
          bounds = increasing;
          // A trailing +Inf is accepted and dropped, as in client_golang.
          given = g.chance(0.1) ? [...increasing, Number.POSITIVE_INFINITY] : increasing;
        }
        const metric = new Histogram({ ...options, ...(given === undefined ? {} : { buckets: given }) });
        for (const tuple of tuples) {
          const s = record(tuple);
          s.bucketCounts = bounds.map(() => 0);
          s.bucketExemplars = new Array(bounds.length + 1).fill(undefined);
          const child = labelNames.length === 0 ? metric : metric.labels(...tuple);
          const n = g.int(7);
          for (let i = 0; i < n; i++) {
            const v = wild ? gaugeNumber(g) : g.chance(0.05) ? Number.POSITIVE_INFINITY : nonNegativeNumber(g);
            // The bucket an observation lands in: the first bound >= v (le is inclusive), else +Inf.
            let bucket = bounds.findIndex((b) => v <= b);
            if (bucket < 0) bucket = bounds.length;
            if (g.chance(0.2)) {
              const ex = randomExemplarLabels(g);
              child.observeWithExemplar(v, ex);
              s.bucketExemplars[bucket] = { labels: ex, value: v };
            } else {
              child.observe(v);
            }
            for (let b = bucket; b < bounds.length; b++) s.bucketCounts[b]!++;
            s.sum += v;
            s.count++;
          }
          series.push(s);
        }
        break;
      }
      case 'summary': {
        const objectives = g.pick<Record<string, number> | undefined>([
          undefined,
          { 0.5: 0.05 },
          { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 },
          { 0.01: 0.001, 0.25: 0.01, 0.75: 0.01 },
        ]);
        ranks =
          objectives === undefined
            ? []
            : Object.keys(objectives)
                .map(Number)
                .sort((a, b) => a - b);
        const metric = new Summary({ ...options, ...(objectives === undefined ? {} : { objectives }) });
        for (const tuple of tuples) {
          const s = record(tuple);
          const child = labelNames.length === 0 ? metric : metric.labels(...tuple);
          const n = g.int(9);
          for (let i = 0; i < n; i++) {
            const v = wild ? gaugeNumber(g) : nonNegativeNumber(g);
            child.observe(v);
            s.sum += v;
            s.count++;
          }
          series.push(s);
        }
        break;
      }
    }
    families.push({ name, help, type, unit, bounds, ranks, series });
  }
  // A counter without `_total` writes its `_created` line under another family name in OpenMetrics,
  // which the OpenMetrics parser rejects or splits (pinned below, same as prometheus/common's encoder):
  // created lines are only asked for where every counter ends in `_total`.
  const created = allCountersTotal && g.chance(0.3);
  return { index, seed, registry, families, created, omInvalid: [] };
}

/** client_golang writes negative zero as `0` (text) and `0.0` (OpenMetrics): it reads back as +0. */
const asWritten = (v: number) => (Object.is(v, -0) ? 0 : v);

/** Byte-wise UTF-8 comparison of label values in sorted-name order: client_golang's series order. */
function compareSeries(a: SeriesRecord, b: SeriesRecord): number {
  for (let i = 0; i < a.sortKey.length; i++) {
    const c = Buffer.compare(Buffer.from(a.sortKey[i]!, 'utf8'), Buffer.from(b.sortKey[i]!, 'utf8'));
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Python's `str.isspace()` characters, which `str.strip()` and `str.split()` remove (checked against
 * CPython 3.11: `[c for c in range(0x110000) if chr(c).isspace()]`).
 */
const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/**
 * The HELP text prometheus_client's text parser returns. It strips each line and splits `# HELP name text`
 * on whitespace (its docstring: "a laxer parser than the main Go parser"), so whitespace at either end of
 * the HELP text is lost. A newline is written escaped (`\n`), so it is never stripped.
 */
function textParserHelp(help: string): string {
  const strippable = (ch: string) => ch !== '\n' && PYTHON_WHITESPACE.has(ch.codePointAt(0)!);
  const chars = [...help];
  let start = 0;
  let end = chars.length;
  while (start < end && strippable(chars[start]!)) start++;
  while (end > start && strippable(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

/** Completes a set: sorts what it recorded as the exposition does and notes what OpenMetrics forbids. */
function finish(set: MetricSet, snapshot: readonly FamilySnapshot[]): MetricSet {
  const omInvalid = new Set<RegExp>();
  for (const f of set.families) {
    f.series.sort(compareSeries);
    for (const s of f.series) {
      if (f.type === 'histogram' && f.bounds.some((b) => b < 0)) omInvalid.add(OM_NEGATIVE_BUCKETS);
      if (f.type === 'histogram' || f.type === 'summary') {
        if (s.sum < 0) omInvalid.add(OM_NEGATIVE);
        if (Number.isNaN(s.sum)) omInvalid.add(OM_NAN);
      }
      if (f.type === 'summary') {
        const quantiles = quantilesOf(snapshot, f, s);
        if (quantiles.some((q) => q < 0)) omInvalid.add(OM_NEGATIVE_QUANTILE);
      }
    }
  }
  set.families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...set, omInvalid: [...omInvalid] };
}

function snapshotSeries(snapshot: readonly FamilySnapshot[], f: FamilyRecord, s: SeriesRecord): SeriesSnapshot {
  const family = snapshot.find((x) => x.name === f.name);
  assert.ok(family, `family ${f.name} missing from the gathered snapshot`);
  const names = family.series[0]!.labels.names;
  const found = family.series.find((x) => x.labels.values.every((v, i) => v === s.labels[names[i]!]));
  assert.ok(found, `series ${JSON.stringify(s.labels)} of ${f.name} missing from the gathered snapshot`);
  return found;
}

/**
 * Summary quantiles come from the library's own snapshot: the test does not re-implement the streaming
 * quantile algorithm (conformance fixtures cover it); here only their exposition round trip is checked.
 */
function quantilesOf(snapshot: readonly FamilySnapshot[], f: FamilyRecord, s: SeriesRecord): number[] {
  return Array.from(snapshotSeries(snapshot, f, s).quantiles ?? []);
}

/** Go's float64(UnixNano) / 1e9 for a millisecond timestamp: how `_created` values are written. */
const createdSeconds = (ms: number) => (ms * 1e6) / 1e9;

function expectedFamilies(
  set: MetricSet,
  snapshot: readonly FamilySnapshot[],
  format: 'text' | 'om',
): ExpectedFamily[] {
  const om = format === 'om';
  const kindCount = om ? 'i' : 'f';
  const out: ExpectedFamily[] = [];
  for (const f of set.families) {
    if (f.series.length === 0) continue; // a labelled metric without series is not written at all
    const samples: ExpectedSample[] = [];
    const sample = (
      name: string,
      labels: Record<string, string>,
      value: number,
      kind: 'i' | 'f',
      extra: { le?: number; quantile?: number; exemplar?: { labels: Record<string, string>; value: number } } = {},
    ): ExpectedSample => ({
      name,
      labels,
      ...(extra.le === undefined ? {} : { le: asWritten(extra.le) }),
      ...(extra.quantile === undefined ? {} : { quantile: extra.quantile }),
      value: asWritten(value),
      kind,
      timestamp: null,
      // Exemplars exist only in OpenMetrics. Their timestamp is only checked to be present:
      // prometheus_client 0.16 misreads `1.7e+09`-style timestamps (see the limitations below).
      exemplar:
        om && extra.exemplar !== undefined
          ? { labels: extra.exemplar.labels, value: asWritten(extra.exemplar.value), kind: 'f', timestamp: true }
          : null,
    });
    let familyName = f.name;
    let type: string = f.type;
    const hasTotal = f.name.endsWith('_total');
    if (f.type === 'counter') {
      if (om) {
        // OpenMetrics: `x_total` is family `x`; a counter without the suffix is written as `unknown`.
        if (hasTotal) familyName = f.name.slice(0, -6);
        else type = 'unknown';
      } else if (hasTotal) {
        // The text parser names counter families without `_total`, and adds it to samples that lack it.
        familyName = f.name.slice(0, -6);
      }
    }
    for (const s of f.series) {
      const snap = snapshotSeries(snapshot, f, s);
      switch (f.type) {
        case 'counter': {
          const sampleName = !om && !hasTotal ? f.name + '_total' : f.name;
          samples.push(sample(sampleName, s.labels, s.value, 'f', s.exemplar ? { exemplar: s.exemplar } : {}));
          if (om && set.created)
            samples.push(sample(familyName + '_created', s.labels, createdSeconds(snap.createdMs!), 'f'));
          break;
        }
        case 'gauge':
          samples.push(sample(f.name, s.labels, s.value, 'f'));
          break;
        case 'histogram': {
          const withExemplar = (i: number) => {
            const ex = s.bucketExemplars[i];
            return ex === undefined ? {} : { exemplar: ex };
          };
          f.bounds.forEach((b, i) =>
            samples.push(
              sample(f.name + '_bucket', s.labels, s.bucketCounts[i]!, kindCount, { le: b, ...withExemplar(i) }),
            ),
          );
          samples.push(
            sample(f.name + '_bucket', s.labels, s.count, kindCount, {
              le: Number.POSITIVE_INFINITY,
              ...withExemplar(f.bounds.length),
            }),
          );
          samples.push(sample(f.name + '_sum', s.labels, s.sum, 'f'));
          samples.push(sample(f.name + '_count', s.labels, s.count, kindCount));
          if (om && set.created)
            samples.push(sample(f.name + '_created', s.labels, createdSeconds(snap.createdMs!), 'f'));
          break;
        }
        case 'summary': {
          const quantiles = quantilesOf(snapshot, f, s);
          f.ranks.forEach((rank, i) => samples.push(sample(f.name, s.labels, quantiles[i]!, 'f', { quantile: rank })));
          samples.push(sample(f.name + '_sum', s.labels, s.sum, 'f'));
          samples.push(sample(f.name + '_count', s.labels, s.count, kindCount));
          if (om && set.created)
            samples.push(sample(f.name + '_created', s.labels, createdSeconds(snap.createdMs!), 'f'));
          break;
        }
      }
    }
    out.push({
      name: familyName,
      type,
      help: om ? f.help : textParserHelp(f.help),
      // The text format has no UNIT line.
      unit: om ? f.unit : '',
      samples,
    });
  }
  return out;
}

/** The strings Python compares natively: every label value (exemplars included) and each HELP text. */
function nativeExpectation(families: readonly ExpectedFamily[]): { labelValues: string[]; helps: string[] } {
  const labelValues: string[] = [];
  for (const f of families) {
    for (const s of f.samples) {
      labelValues.push(...Object.values(s.labels));
      if (s.exemplar) labelValues.push(...Object.values(s.exemplar.labels));
    }
  }
  return { labelValues, helps: families.map((f) => f.help) };
}

// ---------------------------------------------------------------------------------------------------
// The Python side
// ---------------------------------------------------------------------------------------------------

/**
 * Reads a JSON list of {id, text, om, expect} on stdin, parses `text` with the Prometheus text parser and
 * `om` with the OpenMetrics parser, and writes back what they read. Numbers travel as [kind, repr]: `i`
 * for a Python int (the OpenMetrics parser returns ints for integer literals), `f` with repr(), which is
 * the shortest string that reads back to the same double. It also compares the label values and HELP
 * texts with the expected ones as Python strings, so they are checked once without any JSON round trip.
 */
const PARSE_SCRIPT = String.raw`
import json, sys
from prometheus_client.parser import text_string_to_metric_families as parse_text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om

def num(v):
    if isinstance(v, int) and not isinstance(v, bool):
        return ['i', str(v)]
    return ['f', repr(float(v))]

def dump(families):
    out = []
    for fam in families:
        samples = []
        for s in fam.samples:
            ex = None
            if s.exemplar is not None:
                ex = {'labels': dict(s.exemplar.labels), 'value': num(s.exemplar.value),
                      'timestamp': s.exemplar.timestamp is not None}
            samples.append({'name': s.name, 'labels': dict(s.labels), 'value': num(s.value),
                            'timestamp': None if s.timestamp is None else repr(s.timestamp), 'exemplar': ex})
        out.append({'name': fam.name, 'type': fam.type, 'help': fam.documentation, 'unit': fam.unit,
                    'samples': samples})
    return out

def native(families, expect):
    values = []
    for fam in families:
        for s in fam.samples:
            values.extend(v for k, v in s.labels.items() if k not in ('le', 'quantile'))
            if s.exemplar is not None:
                values.extend(s.exemplar.labels.values())
    problems = []
    if sorted(values) != sorted(expect['labelValues']):
        problems.append('label values differ when compared as Python strings')
    if [fam.documentation for fam in families] != expect['helps']:
        problems.append('HELP texts differ when compared as Python strings')
    return problems

def parse(parser, text, expect):
    try:
        families = list(parser(text))
    except Exception as e:
        return {'error': '%s: %s' % (type(e).__name__, e)}
    return {'families': dump(families), 'native': native(families, expect) if expect else []}

items = json.loads(sys.stdin.buffer.read().decode('utf-8'))
results = []
for item in items:
    results.append({'id': item['id'],
                    'text': parse(parse_text, item['text'], item['expect']['text']),
                    'om': parse(parse_om, item['om'], item['expect']['om'])})
sys.stdout.write(json.dumps(results))
`;

type PyNumber = ['i' | 'f', string];
interface PySample {
  name: string;
  labels: Record<string, string>;
  value: PyNumber;
  timestamp: string | null;
  exemplar: { labels: Record<string, string>; value: PyNumber; timestamp: boolean } | null;
}
interface PyFamily {
  name: string;
  type: string;
  help: string;
  unit: string;
  samples: PySample[];
}
type PyParse = { families: PyFamily[]; native: string[] } | { error: string };
interface PyResult {
  id: number;
  text: PyParse;
  om: PyParse;
}

/** A Python repr() of a float (or an int literal) as a JS number. */
function fromPython([, repr]: PyNumber): number {
  if (repr === 'nan') return Number.NaN;
  if (repr === 'inf') return Number.POSITIVE_INFINITY;
  if (repr === '-inf') return Number.NEGATIVE_INFINITY;
  const v = Number(repr);
  assert.ok(!Number.isNaN(v), `unexpected number from Python: ${repr}`);
  return v;
}

/** An `le` or `quantile` label value as a number; anything but a float literal stays a string (and fails). */
function fromLabel(value: string): number | string {
  if (value === '+Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  if (value === 'NaN') return Number.NaN;
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : value;
}

/** Python's result in the shape of the expectation. */
function actualFamilies(families: readonly PyFamily[], format: 'text' | 'om'): unknown[] {
  return families.map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    unit: f.unit,
    samples: f.samples.map((s) => {
      const labels = { ...s.labels };
      const extra: Record<string, unknown> = {};
      const family = f.name;
      const bucket = s.name === `${family}_bucket` && f.type === 'histogram';
      const quantile = s.name === family && f.type === 'summary';
      if (bucket && 'le' in labels) {
        extra.le = fromLabel(labels.le!);
        delete labels.le;
      }
      if (quantile && 'quantile' in labels) {
        extra.quantile = fromLabel(labels.quantile!);
        delete labels.quantile;
      }
      return {
        name: s.name,
        labels,
        ...extra,
        value: fromPython(s.value),
        // The text parser always returns floats.
        kind: format === 'text' ? 'f' : s.value[0],
        timestamp: s.timestamp,
        exemplar:
          s.exemplar === null
            ? null
            : {
                labels: s.exemplar.labels,
                value: fromPython(s.exemplar.value),
                kind: s.exemplar.value[0],
                timestamp: s.exemplar.timestamp,
              },
      };
    }),
  }));
}

interface Prepared {
  readonly set: MetricSet;
  readonly text: string;
  readonly om: string;
  readonly expected: { text: ExpectedFamily[]; om: ExpectedFamily[] };
}

function prepare(index: number): Prepared {
  const seed = (BASE_SEED + Math.imul(index, 0x9e3779b9)) >>> 0;
  const built = buildSet(index, seed);
  const snapshot = built.registry.collect();
  const set = finish(built, snapshot);
  return {
    set,
    text: writeText(snapshot),
    om: writeOpenMetrics(snapshot, { created: set.created }),
    expected: { text: expectedFamilies(set, snapshot, 'text'), om: expectedFamilies(set, snapshot, 'om') },
  };
}

/** Compares one parse with its expectation; returns a failure description or undefined. */
function compare(p: Prepared, format: 'text' | 'om', parsed: PyParse): string | undefined {
  const where = `set ${p.set.index} (PARSER_SEED=${BASE_SEED} PARSER_ONLY=${p.set.index}, seed ${p.set.seed}), ${format === 'om' ? 'OpenMetrics' : 'text'} parser`;
  const input = format === 'om' ? p.om : p.text;
  if (format === 'om' && p.set.omInvalid.length > 0) {
    if (!('error' in parsed)) {
      return `${where}: accepted output the OpenMetrics specification forbids (${p.set.omInvalid.join(', ')})\n${input}`;
    }
    if (!p.set.omInvalid.some((reason) => reason.test(parsed.error))) {
      return `${where}: refused for another reason than ${p.set.omInvalid.join(', ')}: ${parsed.error}\n${input}`;
    }
    return undefined;
  }
  if ('error' in parsed)
    return `${where}: refused the exposition: ${parsed.error}\n--- input ---\n${JSON.stringify(input)}`;
  if (parsed.native.length > 0) return `${where}: ${parsed.native.join('; ')}\n--- input ---\n${JSON.stringify(input)}`;
  try {
    assert.deepStrictEqual(actualFamilies(parsed.families, format), p.expected[format]);
  } catch (error) {
    return `${where}: read back differently\n${(error as Error).message}\n--- input ---\n${JSON.stringify(input)}`;
  }
  return undefined;
}

async function runBatch(batch: readonly Prepared[]): Promise<string[]> {
  const request = batch.map((p) => ({
    id: p.set.index,
    text: p.text,
    om: p.om,
    expect: {
      text: nativeExpectation(p.expected.text),
      om: p.set.omInvalid.length > 0 ? null : nativeExpectation(p.expected.om),
    },
  }));
  const results = JSON.parse(await runPython(PARSE_SCRIPT, JSON.stringify(request))) as PyResult[];
  assert.equal(results.length, batch.length, 'Python answered for every set');
  const failures: string[] = [];
  results.forEach((result, i) => {
    const p = batch[i]!;
    assert.equal(result.id, p.set.index);
    for (const format of ['text', 'om'] as const) {
      const failure = compare(p, format, result[format]);
      if (failure !== undefined) failures.push(failure);
    }
  });
  return failures;
}

describe('Python prometheus_client parsers read zerotel output back exactly', peerOptions(python), () => {
  it('Debian python3-prometheus-client is importable from /usr/bin/python3', (t) => {
    assertPeer(python);
    t.diagnostic(`prometheus_client ${python.clientVersion}`);
  });

  it(`${ONLY === undefined ? SET_COUNT : 1} randomized metric sets, text and OpenMetrics`, async (t) => {
    const indices = ONLY === undefined ? Array.from({ length: SET_COUNT }, (_, i) => i) : [ONLY];
    const prepared = indices.map(prepare);
    // The generator really covers what it is meant to (so a change to it cannot silently weaken the test).
    const all = prepared.flatMap((p) => p.set.families);
    if (ONLY === undefined) {
      const types = new Set(all.map((f) => f.type));
      assert.deepEqual([...types].sort(), ['counter', 'gauge', 'histogram', 'summary']);
      const values = all.flatMap((f) => f.series.flatMap((s) => Object.values(s.labels)));
      for (const probe of ['\n', '\\', '"', '\r', '\x00', '😀', '\u2028']) {
        assert.ok(
          values.some((v) => v.includes(probe)),
          `no label value contains ${JSON.stringify(probe)}`,
        );
      }
      assert.ok(
        all.some((f) => f.help.includes('\n') && f.help.includes('\\')),
        'HELP with newline and backslash',
      );
      const gauges = all.filter((f) => f.type === 'gauge').flatMap((f) => f.series.map((s) => s.value));
      for (const v of [
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        5e-324,
        1.7976931348623157e308,
      ]) {
        assert.ok(
          gauges.some((x) => Object.is(x, v)),
          `no gauge holds ${v}`,
        );
      }
      assert.ok(
        prepared.some((p) => p.set.omInvalid.length > 0),
        'some sets are invalid OpenMetrics',
      );
      assert.ok(
        prepared.some((p) => p.set.created),
        'some sets write _created lines',
      );
      assert.ok(
        all.some((f) => f.series.some((s) => s.exemplar || s.bucketExemplars.some((e) => e))),
        'exemplars',
      );
    }
    const batches: Prepared[][] = [];
    for (let i = 0; i < prepared.length; i += BATCH_SIZE) batches.push(prepared.slice(i, i + BATCH_SIZE));
    const failures: string[] = [];
    for (let i = 0; i < batches.length; i += PARALLEL) {
      const results = await Promise.all(batches.slice(i, i + PARALLEL).map(runBatch));
      for (const r of results) failures.push(...r);
    }
    const series = all.reduce((n, f) => n + f.series.length, 0);
    const exemplars = all.reduce(
      (n, f) => n + f.series.reduce((m, s) => m + (s.exemplar ? 1 : 0) + s.bucketExemplars.filter(Boolean).length, 0),
      0,
    );
    const invalid = prepared.filter((p) => p.set.omInvalid.length > 0).length;
    const created = prepared.filter((p) => p.set.created).length;
    t.diagnostic(
      `${prepared.length} sets, ${all.length} families, ${series} series, ${exemplars} exemplars; ` +
        `${invalid} sets invalid as OpenMetrics, ${created} with _created lines; ${failures.length} failures`,
    );
    assert.equal(
      failures.length,
      0,
      `${failures.length} parse mismatches; the first ones:\n\n${failures.slice(0, 3).join('\n\n')}`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Documented parser limitations
// ---------------------------------------------------------------------------------------------------

/** Parses each input with the named parser; returns per input either the error or, per sample, its
 * name, labels, value repr and exemplar (labels and timestamp as (sec, nsec) or a float repr). */
const PROBE_SCRIPT = String.raw`
import json, sys
from prometheus_client.parser import text_string_to_metric_families as parse_text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om

def ts(t):
    if t is None:
        return None
    if hasattr(t, 'sec'):
        return [t.sec, t.nsec]
    return repr(t)

out = []
for item in json.loads(sys.stdin.buffer.read().decode('utf-8')):
    parser = parse_om if item['parser'] == 'om' else parse_text
    try:
        fams = list(parser(item['input']))
        out.append({'families': [{'name': f.name, 'type': f.type, 'help': f.documentation, 'samples': [
            {'name': s.name, 'labels': dict(s.labels), 'value': repr(s.value),
             'exemplar': None if s.exemplar is None else {'labels': dict(s.exemplar.labels),
                                                          'timestamp': ts(s.exemplar.timestamp)}}
            for s in f.samples]} for f in fams]})
    except Exception as e:
        out.append({'error': '%s: %s' % (type(e).__name__, e)})
sys.stdout.write(json.dumps(out))
`;

interface ProbeSample {
  name: string;
  labels: Record<string, string>;
  value: string;
  exemplar: { labels: Record<string, string>; timestamp: [number, number] | string | null } | null;
}
type ProbeResult =
  | { families: { name: string; type: string; help: string; samples: ProbeSample[] }[] }
  | { error: string };

async function probe(items: readonly { parser: 'text' | 'om'; input: string }[]): Promise<ProbeResult[]> {
  return JSON.parse(await runPython(PROBE_SCRIPT, JSON.stringify(items))) as ProbeResult[];
}

function families(result: ProbeResult | undefined) {
  assert.ok(result !== undefined && !('error' in result), `parser refused: ${JSON.stringify(result)}`);
  return result.families;
}

describe('documented parser limitations (prometheus_client 0.16), pinned', peerOptions(python), () => {
  it('text parser: whitespace at either end of HELP is lost; the OpenMetrics parser keeps it', async () => {
    // The text parser strips each line and splits `# HELP name text` on whitespace ("a laxer parser than
    // the main Go parser", its docstring says). The randomized test expects exactly this (textParserHelp).
    const registry = new Registry();
    const help = ' \u2003 padded \\ help\n \t\u3000';
    new Gauge({ name: 'padded', help, registers: [registry] }).set(1);
    const snapshot = registry.collect();
    const [text, om] = await probe([
      { parser: 'text', input: writeText(snapshot) },
      { parser: 'om', input: writeOpenMetrics(snapshot) },
    ]);
    assert.equal(families(text)[0]!.help, 'padded \\ help\n');
    assert.equal(textParserHelp(help), 'padded \\ help\n');
    assert.equal(families(om)[0]!.help, help);
  });

  it('OpenMetrics parser: a `}` inside an exemplar label value is refused', async () => {
    // The OpenMetrics grammar allows any escaped string there; this parser ends the exemplar's label set at
    // the first `}`. The randomized test leaves `}` out of exemplar label values for this reason only:
    // should this test start failing, the parser was fixed and randomExemplarLabels can allow `}` again.
    const registry = new Registry();
    new Counter({ name: 'brace_total', help: 'h', registers: [registry] }).addWithExemplar(1, { trace_id: 'a}b' });
    const om = writeOpenMetrics(registry.collect());
    assert.match(om, /^brace_total 1\.0 # \{trace_id="a\}b"\} 1\.0 \S+$/m);
    const [result] = await probe([{ parser: 'om', input: om }]);
    assert.ok(result !== undefined && 'error' in result, `now parsed: ${JSON.stringify(result)}`);
    assert.match(result.error, /Invalid line/);
  });

  it('OpenMetrics parser: exemplar timestamps in exponent form (as Go writes them) are misread', async () => {
    // Go (and so zerotel) writes an exemplar timestamp as `1.7e+09`-style seconds. The parser splits it at
    // the `.` before trying a float, reading "1.795551313523e+09" as 1 s + 795551313 ns. The randomized test
    // therefore checks only that an exemplar timestamp is present, not its value.
    const registry = new Registry();
    new Counter({ name: 'ts_total', help: 'h', registers: [registry] }).addWithExemplar(1, { trace_id: 'x' });
    const om = writeOpenMetrics(registry.collect());
    const written = /# \{trace_id="x"\} 1\.0 (\S+)$/m.exec(om)?.[1];
    assert.ok(written !== undefined && /^\d\.\d+e\+09$/.test(written), `timestamp written as ${written}`);
    const [result] = await probe([{ parser: 'om', input: om }]);
    const timestamp = families(result)[0]!.samples[0]!.exemplar!.timestamp;
    const [mantissaInt, fraction] = written.split('e')[0]!.split('.');
    assert.deepEqual(timestamp, [Number(mantissaInt), Number(fraction!.slice(0, 9).padEnd(9, '0'))]);
  });

  it('client_golang output the OpenMetrics parser refuses: an exemplar on a counter without `_total`', async () => {
    // client_golang 1.14 types such a counter `unknown` in OpenMetrics but still writes its exemplar, and
    // OpenMetrics allows exemplars only on counters and histogram buckets. zerotel writes the same bytes
    // (byte identity with client_golang); the randomized test gives exemplars to `_total` counters only.
    const registry = new Registry();
    new Counter({ name: 'requests', help: 'h', registers: [registry] }).addWithExemplar(1, { trace_id: 'x' });
    const om = writeOpenMetrics(registry.collect());
    assert.match(om, /^# TYPE requests unknown\nrequests 1\.0 # \{trace_id="x"\} 1\.0 \S+$/m);
    const [result] = await probe([{ parser: 'om', input: om }]);
    assert.ok(result !== undefined && 'error' in result, `now parsed: ${JSON.stringify(result)}`);
    assert.match(result.error, /only histogram\/gaugehistogram buckets and counters can have exemplars/);
  });

  it('OpenMetrics `_created` lines are left out for a counter without `_total` (typed unknown)', async () => {
    // An `x_created` line beside a counter typed `unknown` would be another family named like it: with two
    // series the parser refuses the interleaved families ("Clashing name"). So zerotel writes none there.
    const registry = new Registry();
    const c = new Counter({ name: 'jobs', help: 'h', labelNames: ['k'], registers: [registry] });
    const t = new Counter({ name: 'tasks_total', help: 'h', labelNames: ['k'], registers: [registry] });
    for (const k of ['a', 'b']) {
      c.labels(k).inc();
      t.labels(k).inc();
    }
    const om = writeOpenMetrics(registry.collect(), { created: true });
    assert.doesNotMatch(om, /jobs_created/);
    assert.match(om, /^tasks_total\{k="a"\} 1\.0\ntasks_created\{k="a"\} \S+\ntasks_total\{k="b"\} 1\.0\n/m);
    const [parsed] = await probe([{ parser: 'om', input: om }]);
    assert.deepEqual(
      families(parsed).map((f) => [f.name, f.type]),
      [
        ['jobs', 'unknown'],
        ['tasks', 'counter'],
      ],
    );
  });
});
