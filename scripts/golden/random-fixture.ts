/**
 * Seeded random conformance fixtures for the differential fuzzer. A fixture is kept as a small model
 * whose strings are raw JSON tokens (bytes), so it can hold what a JSON encoder would never write: lone
 * surrogate escapes, invalid UTF-8, odd spellings of numbers and objective ranks. The model serialises
 * to the fixture file and shrinks structurally when a mismatch is minimised.
 */
import { mulberry32 } from '../../bench/workloads.js';
import { parseFloatAsGo } from '../../lib/fixture/go-decode.js';
import { fixtureNumber } from './fixture-number.js';
import { nativeObservation, observationScale, randomNative, type Rng } from './random-native.js';

/** The raw bytes of one JSON string literal, quotes included. */
export type Token = Uint8Array;

export interface RandomOp {
  labels?: Token[] | undefined;
  op: string;
  /** Raw JSON value text: a number literal or "NaN"/"+Inf"/"-Inf". */
  value?: string | undefined;
  /** Written as `null` (Go decodes it as an op with no name). */
  zero?: boolean | undefined;
}

/** How a family is spelled in the file, beyond its content: what Go's decoder reads leniently. */
export interface Quirks {
  /** The whole family written as `null`. */
  zero?: boolean | undefined;
  /** Field names spelled otherwise (`NAME`, `buc\u212aets`): Go matches them case-insensitively. */
  keys?: Record<string, string> | undefined;
  /** Fields written as `null`. */
  nulls?: string[] | undefined;
  /** Fields left out. */
  omit?: string[] | undefined;
}

export interface RandomFamily {
  name: Token;
  help: Token;
  type: string;
  labels?: Token[] | undefined;
  constLabels?: [Token, Token][] | undefined;
  buckets?: string[] | undefined;
  objectives?: [Token, string][] | undefined;
  native?: RandomNative | undefined;
  ops: RandomOp[];
  quirks?: Quirks | undefined;
}

/** A `native` object: its fields as written (name, raw JSON value), or raw text for one that is no object. */
export interface RandomNative {
  fields: [string, string][];
  raw?: string | undefined;
}

export interface RandomFixture {
  description: string;
  families: RandomFamily[];
}

const encoder = new TextEncoder();

/** A token for a plain string, as JSON.stringify writes it. */
export function plainToken(s: string): Token {
  return encoder.encode(JSON.stringify(s));
}

/** Serialises the model to the bytes of a fixture file. */
export function serializeFixture(fx: RandomFixture): Uint8Array {
  const parts: (string | Uint8Array)[] = [];
  const list = (tokens: readonly Token[]) => {
    parts.push('[');
    tokens.forEach((t, i) => parts.push(i === 0 ? '' : ',', t));
    parts.push(']');
  };
  parts.push(`{"description":${JSON.stringify(fx.description)},"families":[`);
  fx.families.forEach((f, fi) => {
    parts.push(fi === 0 ? '\n' : ',\n');
    if (f.quirks?.zero === true) {
      parts.push('null');
      return;
    }
    // Each field once, under its spelling, as null, or left out (the quirks Go's decoder gives meaning to).
    let first = true;
    const field = (name: string, write: () => void) => {
      if (f.quirks?.omit?.includes(name) === true) return;
      parts.push(first ? '{' : ',', JSON.stringify(f.quirks?.keys?.[name] ?? name), ':');
      first = false;
      if (f.quirks?.nulls?.includes(name) === true) parts.push('null');
      else write();
    };
    field('name', () => parts.push(f.name));
    field('help', () => parts.push(f.help));
    field('type', () => parts.push(JSON.stringify(f.type)));
    if (f.labels !== undefined) field('labels', () => list(f.labels!));
    if (f.constLabels !== undefined) {
      field('const_labels', () => {
        parts.push('{');
        f.constLabels!.forEach(([k, v], i) => parts.push(i === 0 ? '' : ',', k, ':', v));
        parts.push('}');
      });
    }
    if (f.buckets !== undefined) field('buckets', () => parts.push(`[${f.buckets!.join(',')}]`));
    if (f.objectives !== undefined) {
      field('objectives', () => {
        parts.push('{');
        f.objectives!.forEach(([k, v], i) => parts.push(i === 0 ? '' : ',', k, ':', v));
        parts.push('}');
      });
    }
    if (f.native !== undefined) {
      const n = f.native;
      field('native', () =>
        parts.push(n.raw ?? `{${n.fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
      );
    }
    field('ops', () => {
      parts.push('[');
      f.ops.forEach((o, i) => {
        parts.push(i === 0 ? '\n' : ',\n');
        if (o.zero === true) {
          parts.push('null');
          return;
        }
        parts.push('{');
        if (o.labels !== undefined) parts.push('"labels":'), list(o.labels), parts.push(',');
        parts.push(`"op":${JSON.stringify(o.op)}`);
        if (o.value !== undefined) parts.push(`,"value":${o.value}`);
        parts.push('}');
      });
      parts.push(']');
    });
    parts.push(first ? '{}' : '}');
  });
  parts.push(']}\n');
  const chunks = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// --- the generator ----------------------------------------------------------------------------

/** A PRNG with the helpers the generator needs. */
class Random implements Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** Any finite double, every exponent equally likely. */
  anyDouble(): number {
    const view = new DataView(new ArrayBuffer(8));
    for (;;) {
      view.setUint32(0, (this.next() * 4294967296) >>> 0);
      view.setUint32(4, (this.next() * 4294967296) >>> 0);
      const x = view.getFloat64(0);
      if (Number.isFinite(x)) return x;
    }
  }
}

const TWO_53 = 9007199254740992;
const TWO_64 = 18446744073709551616;

/** Doubles at the edges: signed zeros, subnormals, 2^53 and 2^64 neighbourhoods, formatting boundaries. */
const EDGE_VALUES: readonly number[] = [
  0,
  -0,
  1,
  -1,
  2,
  0.5,
  0.1,
  0.25,
  3,
  10,
  100,
  1e-6,
  9.999999e-7,
  1e-7,
  1e-5,
  1e6,
  999999,
  1e7,
  1e20,
  1e21,
  9.99999e20,
  1.5e21,
  1e22,
  123456789.125,
  0.30000000000000004,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  2.225073858507201e-308,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  TWO_53 - 1,
  TWO_53,
  TWO_53 + 2,
  TWO_53 * 2,
  TWO_64 - 4096,
  TWO_64,
  TWO_64 + 4096,
  TWO_64 * 2,
  4294967295,
  4294967296,
  1e15,
  1e16,
  1e17,
  0.001,
  0.005,
  2.5,
  1e-300,
  1e300,
];

function randomNumber(r: Random, special = 0.15): number {
  const roll = r.float();
  if (roll < special) return r.pick([NaN, Infinity, -Infinity]);
  if (roll < 0.55) return r.pick(EDGE_VALUES);
  if (roll < 0.7) return r.int(1000);
  if (roll < 0.8) return Math.round(r.float() * 1e6) / 1000;
  if (roll < 0.9) return r.anyDouble();
  return (r.float() - 0.3) * 10 ** (r.int(40) - 20);
}

/** A number as written in the file, sometimes spelled unusually (exponent forms, leading zeros of the fraction). */
function valueText(r: Random, x: number): string {
  const text = fixtureNumber(x);
  if (!Number.isFinite(x) || !r.chance(0.1)) return text;
  if (Number.isInteger(x) && Math.abs(x) < 1e15 && x !== 0) return `${x}.000`;
  return x.toExponential().replace('e+', r.chance(0.5) ? 'E+' : 'e');
}

// Strings: pieces that are valid or invalid in names and values, each written raw or escaped.
const ASCII = 'abcxyz_ABZ019:';
const ODD_PIECES: readonly string[] = [
  '"',
  '\\',
  '\n',
  '\t',
  '\r',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  ' ',
  '{',
  '}',
  '=',
  ',',
  '#',
  '-',
  '.',
  '/',
  'é',
  'e\u0301',
  'ß',
  'Ω',
  '中',
  '\u200b',
  '\u2028',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '😀',
  '𝄞',
  '\u{10ffff}',
];

/** One piece of string content as raw token bytes. */
function pieceBytes(r: Random, piece: string): number[] {
  const roll = r.float();
  const code = piece.codePointAt(0)!;
  if (piece.length === 1 && roll < 0.3) return [...encoder.encode(`\\u${code.toString(16).padStart(4, '0')}`)];
  if (piece.length === 2 && code > 0xffff && roll < 0.3) {
    const hi = piece.charCodeAt(0).toString(16);
    const lo = piece.charCodeAt(1).toString(16);
    return [...encoder.encode(r.chance(0.5) ? `\\u${hi}\\u${lo}` : `\\u${hi.toUpperCase()}\\u${lo}`)];
  }
  return [...encoder.encode(JSON.stringify(piece).slice(1, -1))];
}

/** Bytes no encoder would write: lone surrogate escapes and invalid UTF-8. */
const BROKEN: readonly (readonly number[])[] = [
  [...encoder.encode('\\ud800')],
  [...encoder.encode('\\udfff')],
  [...encoder.encode('\\ud83d\\u0041')],
  [...encoder.encode('\\ud83d\\ud83d\\ude00')],
  [0x80],
  [0xff],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xe2, 0x82, 0x41],
  [0xed, 0xa0, 0x80],
  [0xf0, 0x9f, 0x98],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

function stringToken(r: Random, content: string, oddness: number): Token {
  const bytes: number[] = [0x22];
  for (const piece of content) bytes.push(...pieceBytes(r, piece));
  if (r.chance(oddness)) {
    const extra = 1 + r.int(3);
    for (let i = 0; i < extra; i++) {
      if (r.chance(0.3)) bytes.push(...r.pick(BROKEN));
      else bytes.push(...pieceBytes(r, r.pick(ODD_PIECES)));
      if (r.chance(0.5)) bytes.push(...encoder.encode(r.pick([...ASCII])));
    }
  }
  bytes.push(0x22);
  return Uint8Array.from(bytes);
}

function randomText(r: Random, maxLength: number): string {
  let s = '';
  const n = r.int(maxLength + 1);
  for (let i = 0; i < n; i++) s += r.chance(0.8) ? r.pick([...ASCII]) : r.pick(ODD_PIECES);
  return s;
}

const METRIC_NAMES = ['a', 'req_total', 'x:y', '_under', 'lat_seconds', 'c', 'go_like', 'a_bucket', 'a_count', 'a_sum'];
const BAD_METRIC_NAMES = ['', '1s', 'a-b', 'sp ace', 'é', 'a.b', '__x'];
const LABEL_NAMES = ['a', 'b', 'env', 'job', '_x', 'code', 'Le', 'c1', 'method', 'path'];
const RESERVED_LABEL_NAMES = ['le', 'quantile'];
const BAD_LABEL_NAMES = ['', '__name__', '__x', '1a', 'a-b', 'a:b', 'é'];

function nameToken(r: Random, pool: readonly string[], bad: readonly string[]): Token {
  return stringToken(r, r.chance(0.03) ? r.pick(bad) : r.pick(pool), 0.005);
}

/** Label names for one family, distinct but for a rare duplicate or reserved name. */
function labelNames(r: Random, n: number, taken: Set<string>): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < n; i++) {
    if (r.chance(0.03)) {
      out.push(nameToken(r, RESERVED_LABEL_NAMES, BAD_LABEL_NAMES));
      continue;
    }
    let name = r.pick(LABEL_NAMES);
    for (let tries = 0; taken.has(name) && tries < 5 && !r.chance(0.02); tries++) name = r.pick(LABEL_NAMES);
    taken.add(name);
    out.push(stringToken(r, name, 0.003));
  }
  return out;
}

function labelValueToken(r: Random): Token {
  return stringToken(r, r.chance(0.7) ? r.pick(['', 'x', 'y', 'GET', '200', 'a b', 'ünï']) : randomText(r, 6), 0.12);
}

const TYPES = ['counter', 'gauge', 'histogram', 'summary'];
const OPS_OF: Record<string, readonly string[]> = {
  counter: ['inc', 'add', 'add', 'add'],
  gauge: ['inc', 'dec', 'add', 'sub', 'set', 'set'],
  histogram: ['observe'],
  summary: ['observe'],
};
const NO_OPS: readonly string[] = ['inc'];

/** Objective ranks as Go's ParseFloat reads their keys; each rank has several spellings. */
const RANK_SPELLINGS: readonly (readonly [number, readonly string[]])[] = [
  [0.5, ['0.5', '0.50', '5e-1', '0x1p-1', '.5', '+0.5', '0.5000000000000000001']],
  [0.9, ['0.9', '0.90', '9E-1']],
  [0.99, ['0.99']],
  [0.999, ['0.999']],
  [0, ['0', '0.0', '0e0']],
  [1, ['1', '1.0', '0x1p0', '1e0']],
  [0.25, ['0.25', '0x1p-2', '0X.4p0']],
  [0.1, ['0.1']],
  [0.75, ['0.75', '0x3p-2']],
  [1.5, ['1.5']],
  [-0.1, ['-0.1']],
  [2, ['2']],
  [-0, ['-0', '-0.0']],
  [NaN, ['NaN', 'nan']],
  [Infinity, ['+Inf', 'inf', 'Infinity']],
];
/** Keys Go's ParseFloat refuses. */
const BAD_RANKS = ['abc', ' 0.5', '0.5 ', '', '1e400', '0x10', '1_0', '0.5.5'];
const ERRORS = [0.05, 0.01, 0.001, 0, 0.5, 0.1, 0.02];
const ODD_ERRORS = [2, NaN, Infinity, -0.05, 1, -0];

function objectives(r: Random): [Token, string][] | undefined {
  if (r.chance(0.35)) return undefined;
  const out: [Token, string][] = [];
  const n = r.int(5);
  for (let i = 0; i < n; i++) {
    if (r.chance(0.03)) {
      out.push([plainToken(r.pick(BAD_RANKS)), '0.01']);
      continue;
    }
    const [rank, spellings] = r.chance(0.12) ? r.pick(RANK_SPELLINGS.slice(8)) : r.pick(RANK_SPELLINGS.slice(0, 8));
    const error = r.chance(0.08) ? r.pick(ODD_ERRORS) : r.pick(ERRORS);
    // A rank spelled twice must carry the same error: Go fills a map in random order.
    const rankOf = (k: Token) => parseFloatAsGo(new TextDecoder().decode(k).slice(1, -1));
    const same = out.find(([k]) => rankOf(k) === rank);
    // 0 and -0 are one map key in Go, kept with whichever spelling its random map order saw first.
    if (same !== undefined && !Object.is(rankOf(same[0]), rank)) continue;
    if (Number.isNaN(rank) && out.some(([k]) => /nan/i.test(new TextDecoder().decode(k)))) continue;
    out.push([plainToken(r.pick(spellings)), same?.[1] ?? fixtureNumber(error)]);
    if (r.chance(0.15) && spellings.length > 1) out.push([plainToken(r.pick(spellings)), out[out.length - 1]![1]]);
  }
  return out;
}

function buckets(r: Random): string[] | undefined {
  const roll = r.float();
  if (roll < 0.3) return undefined;
  if (roll < 0.35) return [];
  const out: number[] = [];
  const n = 1 + r.int(6);
  let x = r.chance(0.5) ? 0.005 : r.float() * 10 - 5;
  for (let i = 0; i < n; i++) {
    out.push(x);
    x = x + (r.chance(0.8) ? r.float() * 3 : Math.abs(randomNumber(r, 0))) + 0.001;
  }
  if (r.chance(0.25)) out.push(Infinity);
  if (r.chance(0.1)) out.splice(r.int(out.length + 1), 0, r.pick([NaN, Infinity, -Infinity, out[0]!, -0, 0]));
  if (r.chance(0.05)) out.push(Infinity, Infinity);
  if (r.chance(0.05)) out.reverse();
  return out.map(fixtureNumber);
}

/** `nativeFocus`: a histogram, mostly with native settings (the fixtures that exercise native buckets). */
function randomFamily(r: Random, names: readonly string[], nativeFocus = false): RandomFamily {
  const type = nativeFocus
    ? 'histogram'
    : r.chance(0.01)
      ? r.pick(['Counter', 'untyped', '', 'gauge '])
      : r.pick(TYPES);
  const family: RandomFamily = {
    name: r.chance(0.97) ? stringToken(r, r.pick(names), 0) : nameToken(r, METRIC_NAMES, BAD_METRIC_NAMES),
    help: r.chance(0.5) ? plainToken(r.pick(['', 'Help.', 'Requests.'])) : stringToken(r, randomText(r, 12), 0.15),
    type,
    ops: [],
  };
  const labelCount = r.chance(0.45) ? 0 : 1 + r.int(3);
  const taken = new Set<string>();
  if (labelCount > 0 || r.chance(0.1)) family.labels = labelNames(r, labelCount, taken);
  if (r.chance(0.3)) {
    family.constLabels = labelNames(r, r.int(3), taken).map((k) => [k, labelValueToken(r)]);
  }
  if (type === 'histogram') family.buckets = buckets(r);
  if (type === 'summary') family.objectives = objectives(r);
  // Native settings on half the histograms; rarely on another type, which both sides refuse.
  if (type === 'histogram' ? r.chance(nativeFocus ? 0.9 : 0.5) : r.chance(0.004)) family.native = randomNative(r);
  if (r.chance(0.02) && type !== 'histogram') family.buckets = ['1'];
  if (r.chance(0.02) && type !== 'summary') family.objectives = [[plainToken('0.5'), '0.05']];

  // Series: a few label value tuples, reused so that ops hit the same series.
  const tuples: Token[][] = [];
  const tupleCount = 1 + r.int(3);
  for (let t = 0; t < tupleCount; t++) {
    const n = r.chance(0.03) ? labelCount + r.pick([-1, 1]) : labelCount;
    tuples.push(Array.from({ length: Math.max(0, n) }, () => labelValueToken(r)));
  }
  const big = type === 'summary' && r.chance(0.03);
  const native = family.native === undefined ? undefined : observationScale(r, family.native);
  // Native histograms take more observations: enough populated buckets to trip small bucket limits.
  const opCount = big ? 500 + r.int(2500) : native !== undefined ? r.int(r.chance(0.15) ? 400 : 40) : r.int(9);
  const ops = r.chance(0.02) ? TYPES.flatMap((t) => OPS_OF[t]!) : (OPS_OF[type] ?? NO_OPS);
  const drift = r.float() * 100;
  // Odd ops are rarer in a native family's long run of observations, so that most of them render.
  const odd = native === undefined ? 1 : 0.05;
  for (let i = 0; i < opCount; i++) {
    const op = r.chance(0.003 * odd) ? r.pick(['remove', 'labels', 'Inc', '', 'toString']) : r.pick(ops);
    const o: RandomOp = { op };
    if (r.chance(0.002 * odd)) o.zero = true;
    const tuple = r.pick(tuples);
    if (tuple.length > 0 || r.chance(0.1)) o.labels = tuple;
    const wantsValue = op !== 'inc' && op !== 'dec';
    if (wantsValue !== r.chance(0.005 * odd)) {
      const x = big
        ? r.chance(0.01)
          ? randomNumber(r)
          : drift + r.float() * r.pick([1, 1000, 1e-3])
        : native !== undefined && r.chance(0.9)
          ? nativeObservation(r, native)
          : randomNumber(r);
      o.value = big
        ? fixtureNumber(x)
        : valueText(r, op === 'add' && type === 'counter' && r.chance(0.7) ? Math.abs(x) : x);
    }
    family.ops.push(o);
  }
  return family;
}

const FIELDS = ['name', 'help', 'type', 'labels', 'const_labels', 'buckets', 'objectives', 'native', 'ops'];

/** Another spelling of a field name that Go still matches (or, rarely, one it does not). */
function spelling(r: Random, name: string): string {
  const roll = r.float();
  if (roll < 0.05) return name + 'x';
  if (roll < 0.3) return name.replace('k', '\u212a').replace('s', '\u017f');
  if (roll < 0.6) return name.toUpperCase();
  return [...name].map((c) => (r.chance(0.5) ? c.toUpperCase() : c)).join('');
}

function quirks(r: Random): Quirks | undefined {
  if (!r.chance(0.08)) return undefined;
  if (r.chance(0.1)) return { zero: true };
  const q: Quirks = {};
  if (r.chance(0.5)) q.keys = Object.fromEntries([r.pick(FIELDS), r.pick(FIELDS)].map((f) => [f, spelling(r, f)]));
  if (r.chance(0.4)) q.nulls = [r.pick(FIELDS)];
  if (r.chance(0.4)) q.omit = [r.pick(FIELDS)];
  return q;
}

/** The fixture number `index` of the run seeded with `seed`: the same pair always gives the same bytes. */
export function randomFixture(seed: number, index: number): RandomFixture {
  const r = new Random((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const families: RandomFamily[] = [];
  const n = 1 + r.int(4);
  const nativeFocus = r.chance(0.3);
  for (let i = 0; i < n; i++) {
    // Mostly a name of its own; sometimes one of the fixture's earlier names (a collision).
    const names = r.chance(0.8) ? [`${r.pick(METRIC_NAMES)}${i === 0 ? '' : i}`] : [r.pick(METRIC_NAMES)];
    // Sometimes a near copy of an earlier family: the registration collisions.
    if (i > 0 && r.chance(0.12)) {
      const base = r.pick(families);
      const copy: RandomFamily = { ...base, ops: randomFamily(r, [METRIC_NAMES[0]!]).ops.slice(0, 3) };
      const change = r.int(5);
      if (change === 0) {
        // Another const label value: a series of its own, whose buckets or objectives may differ.
        copy.constLabels = [[plainToken('env'), plainToken(r.pick(['a', 'b']))]];
        if (copy.type === 'histogram' && r.chance(0.5)) copy.buckets = buckets(r);
        if (copy.type === 'histogram' && r.chance(0.5)) copy.native = r.chance(0.3) ? undefined : randomNative(r, 0);
        if (copy.type === 'summary' && r.chance(0.5)) copy.objectives = objectives(r);
      }
      if (change === 1) copy.help = plainToken('Other help.');
      if (change === 2) copy.type = r.pick(TYPES);
      if (change === 3) {
        copy.labels = (base.constLabels ?? []).map(([k]) => k);
        copy.constLabels = undefined;
      }
      if (change === 4 && copy.type === 'histogram') copy.buckets = buckets(r);
      if (change === 4 && copy.type === 'histogram' && r.chance(0.5)) copy.native = randomNative(r, 0);
      if (change === 4 && copy.type === 'summary') copy.objectives = objectives(r);
      copy.ops = copy.ops.filter((o) => (OPS_OF[copy.type] ?? []).includes(o.op));
      for (const o of copy.ops)
        if (o.labels !== undefined || (copy.labels?.length ?? 0) > 0)
          o.labels = (copy.labels ?? []).map(() => plainToken('v'));
      families.push(copy);
      continue;
    }
    families.push(randomFamily(r, names, nativeFocus && r.chance(0.8)));
  }
  for (const f of families) {
    const q = quirks(r);
    if (q !== undefined) f.quirks = q;
  }
  return { description: `random fixture ${index} of seed ${seed >>> 0}`, families };
}
