/**
 * Exposition fuzz: a million random label values and a hundred thousand random HELP texts go through the
 * public metrics API and both writers (encodeText, encodeOpenMetrics), and independent parsers read them
 * back: Prometheus' own parser (`promtool check metrics`) must accept every text exposition, and Debian's
 * Python prometheus_client (text and OpenMetrics parsers) must return every label value and HELP text
 * exactly as it was given.
 *
 * The inputs: printable ASCII, every C0 and C1 control character (NUL, \t, \r, \n...), quotes and
 * backslashes alone and in runs, escape look-alikes (`\n` written as two characters), the exposition's own
 * separators (`{`, `}`, `=`, `,`, `" # "`, `# EOF`), random code points of the whole BMP (surrogates left
 * out: they are not valid UTF-8), random astral code points, emoji sequences, and some very long values.
 *
 * How it stays cheap: the series come in big families (5,000 series, four random labels each) and many
 * small families (one random HELP each), grouped in chunks; each chunk's two expositions are streamed to
 * two long-lived Python processes (one per parser) while the next chunk is built, and promtool reads
 * several chunks at once. Python compares the strings itself and answers with a short verdict per chunk.
 *
 * Reproducing: FUZZ_SEED=<seed> (the default is fixed) and FUZZ_CHUNKS=<n> to run fewer chunks.
 *
 * The second part checks that names like `constructor`, `hasOwnProperty` and `__proto__` are ordinary
 * strings to the metrics API: no prototype pollution, values stored as given and escaped on output.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import {
  Counter,
  Gauge,
  Histogram,
  MetricsError,
  Registry,
  Summary,
  encodeOpenMetrics,
  encodeText,
  writeOpenMetrics,
  writeText,
} from '../../lib/index.js';
import { mulberry32 } from '../../bench/workloads.js';
import { checkMetrics, findPromtool, rejection, type CheckResult } from '../peers/promtool.js';
import { findPythonPrometheusClient, PYTHON, runPython } from '../peers/python.js';
import { assertPeer, peerOptions, type PeerStatus } from '../peers/require-peer.js';

const promtool = findPromtool();
const python = findPythonPrometheusClient();
/** Both peers are needed by the fuzz: one status naming whichever is missing. */
const peers: PeerStatus = {
  name: 'promtool and /usr/bin/python3 with prometheus_client',
  missing: [promtool.missing, python.missing].filter((m) => m !== undefined).join('; ') || undefined,
};

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_f022) >>> 0;
/** 50 chunks: 45 with a big family (5,000 series x 4 random labels) and 2,000 HELP families each. */
const CHUNKS = Number(process.env.FUZZ_CHUNKS ?? 50);
const SERIES_PER_FAMILY = 5_000;
const BIG_FAMILY_CHUNKS = (chunk: number) => chunk % 10 !== 9; // 9 chunks in 10 carry a big family
const HELP_FAMILIES_PER_CHUNK = 2_000;
const VARIABLE_LABELS = ['a', 'b', 'c', 'd'] as const;
/** Chunks given to one promtool run (its parser holds the whole input in memory). */
const PROMTOOL_GROUP = 10;
/** Chunks built ahead of the slowest parser: bounds the memory held by the pipeline. */
const IN_FLIGHT = 3;

// ---------------------------------------------------------------------------------------------------
// Random strings
// ---------------------------------------------------------------------------------------------------

class Rand {
  constructor(private readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Pieces that are hard for a writer or a parser: escapes, separators, whitespace of all kinds, unicode. */
const HARD_PIECES: readonly string[] = [
  'a',
  'Z',
  '9',
  '_',
  '.',
  ' ',
  '   ',
  '"',
  '""',
  '\\',
  '\\\\',
  '\\\\\\',
  '\n',
  '\n\n',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  '\x00',
  '\x00\x00',
  '\x01',
  '\x08',
  '\x1b',
  '\x1c',
  '\x1d',
  '\x1e',
  '\x1f',
  '\x7f',
  '\x80',
  '\x85',
  '\x9f',
  '{',
  '}',
  '=',
  ',',
  '#',
  ' # ',
  '# EOF',
  '# HELP x y',
  '# TYPE x gauge',
  '} 1',
  '{a="b"}',
  '="',
  '",',
  '"}',
  '\\n',
  '\\"',
  '\\t',
  '\\x',
  '\\u0041',
  'é',
  'ß',
  'Ω',
  '中文',
  'עברית',
  'العربية',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u200b',
  '\u200d',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u3000',
  '\ufeff',
  '\ufffd',
  '\ufffe',
  '\uffff',
  '😀',
  '👩‍👩‍👧',
  '🏳️‍🌈',
  '𝄞',
  '\u{1f1eb}\u{1f1f7}',
  '\u{10ffff}',
  '\u{e0001}',
  'NaN',
  '+Inf',
  '-Inf',
  '1e+21',
  'le="1"',
  'quantile="0.5"',
  'true',
  'null',
  '__proto__',
  'constructor',
  'toString',
];

/** One code point, drawn from a class: C0/C1 controls, anywhere in the BMP, or astral. */
function randomCodePoint(r: Rand): string {
  switch (r.int(4)) {
    case 0:
      return String.fromCodePoint(r.int(0x20));
    case 1:
      return String.fromCodePoint(0x7f + r.int(0x21));
    case 2: {
      const cp = r.int(0x10000 - 0x800);
      return String.fromCodePoint(cp < 0xd800 ? cp : cp + 0x800); // skips the surrogate range
    }
    default:
      return String.fromCodePoint(0x10000 + r.int(0x100000));
  }
}

/** A random string of up to `maxParts` parts; once in `longEvery` it is thousands of characters long. */
function randomText(r: Rand, maxParts: number, longEvery: number): string {
  if (r.int(longEvery) === 0) {
    // A very long value: many parts, or one part repeated (runs of quotes or backslashes included).
    const target = 1_000 + r.int(15_000);
    let s = '';
    if (r.chance(0.3)) {
      const piece = r.chance(0.5) ? r.pick(HARD_PIECES) : randomCodePoint(r);
      while (s.length < target) s += piece;
    } else {
      while (s.length < target) s += r.chance(0.7) ? r.pick(HARD_PIECES) : randomCodePoint(r);
    }
    return s;
  }
  const parts = r.int(maxParts + 1);
  let s = '';
  for (let i = 0; i < parts; i++) s += r.chance(0.6) ? r.pick(HARD_PIECES) : randomCodePoint(r);
  return s;
}

/**
 * Characters Python's `str.isspace()` accepts, which `str.strip()` and `str.split()` remove
 * (CPython 3.11: `[c for c in range(0x110000) if chr(c).isspace()]`).
 */
const PYTHON_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/**
 * The HELP text prometheus_client 0.16's text parser returns: it strips each line and splits
 * `# HELP name text` on whitespace, so whitespace at either end of a HELP is lost (pinned in
 * test/peers/python-parsers.test.ts). A newline is written as `\n` and so never stripped. This is the one
 * place where the text parser is not expected to return the input exactly; the OpenMetrics parser is.
 */
function textParserHelp(help: string): string {
  const chars = [...help];
  const strippable = (c: string) => c !== '\n' && PYTHON_SPACE.has(c.codePointAt(0)!);
  let start = 0;
  let end = chars.length;
  while (start < end && strippable(chars[start]!)) start++;
  while (end > start && strippable(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

// ---------------------------------------------------------------------------------------------------
// Chunks: what is recorded, and what the parsers must read back
// ---------------------------------------------------------------------------------------------------

type Kind = 'counter' | 'gauge' | 'histogram' | 'summary';

/** One family as Python must find it. Series i has label values tuples[i] and records the number i. */
interface ExpectedFamily {
  /** The family name as the parsers report it (counters without `_total`). */
  readonly name: string;
  readonly type: Kind;
  readonly help: { readonly text: string; readonly om: string };
  /** All label names of a series, sorted (le and quantile excluded). */
  readonly labels: readonly string[];
  readonly tuples: readonly (readonly string[])[];
  /** Samples written per series. */
  readonly perSeries: number;
}

interface Chunk {
  readonly index: number;
  readonly text: Uint8Array;
  readonly om: Uint8Array;
  readonly families: readonly ExpectedFamily[];
  readonly labelValues: number;
  readonly helps: number;
  readonly longValues: number;
}

interface Totals {
  labelValues: number;
  helps: number;
  longValues: number;
  textBytes: number;
  omBytes: number;
  /** Which hard inputs really occurred (label values, HELP texts), so a change to the generator cannot
   * silently weaken the test. */
  seen: Set<string>;
  seenHelp: Set<string>;
}

const PROBES: Record<string, (s: string) => boolean> = {
  NUL: (s) => s.includes('\x00'),
  CR: (s) => s.includes('\r'),
  TAB: (s) => s.includes('\t'),
  LF: (s) => s.includes('\n'),
  quote: (s) => s.includes('"'),
  backslash: (s) => s.includes('\\'),
  'backslash before quote': (s) => s.includes('\\"'),
  '" # "': (s) => s.includes(' # '),
  C1: (s) => /[\x80-\x9f]/.test(s),
  astral: (s) => /[\u{10000}-\u{10ffff}]/u.test(s),
  'BMP beyond Latin-1': (s) => /[\u0100-\uffff]/u.test(s),
  'long (>= 1000 chars)': (s) => s.length >= 1_000,
  empty: (s) => s === '',
};

function note(seen: Set<string>, s: string): void {
  if (seen.size === Object.keys(PROBES).length) return;
  for (const [name, probe] of Object.entries(PROBES)) if (!seen.has(name) && probe(s)) seen.add(name);
}

function buildChunk(index: number, totals: Totals): Chunk {
  const r = new Rand(mulberry32((SEED + Math.imul(index + 1, 0x9e3779b9)) >>> 0));
  const registry = new Registry();
  const registers = [registry];
  const families: ExpectedFamily[] = [];
  const tag = String(index).padStart(3, '0');
  let labelValues = 0;
  let helps = 0;
  let longValues = 0;
  const value = (maxParts: number, longEvery: number) => {
    const s = randomText(r, maxParts, longEvery);
    if (s.length >= 1_000) longValues++;
    note(totals.seen, s);
    return s;
  };
  const helpText = (maxParts: number, longEvery: number) => {
    const s = randomText(r, maxParts, longEvery);
    note(totals.seenHelp, s);
    return s;
  };

  if (BIG_FAMILY_CHUNKS(index)) {
    const type = (['counter', 'gauge', 'histogram', 'summary'] as const)[index % 4]!;
    const base = `fuzz_big_${tag}`;
    const name = type === 'counter' ? `${base}_total` : base;
    const help = helpText(12, 50);
    helps++;
    const k = value(6, 10_000);
    labelValues++;
    const options = { name, help, labelNames: VARIABLE_LABELS, constLabels: { k }, registers };
    const tuples: string[][] = [];
    const taken = new Set<string>();
    while (tuples.length < SERIES_PER_FAMILY) {
      const tuple = VARIABLE_LABELS.map(() => value(6, 10_000));
      const key = JSON.stringify(tuple);
      if (taken.has(key)) continue; // the same values name the same series: keep the series distinct
      taken.add(key);
      tuples.push(tuple);
    }
    labelValues += tuples.length * VARIABLE_LABELS.length;
    let perSeries: number;
    switch (type) {
      case 'counter': {
        const metric = new Counter(options);
        tuples.forEach((t, i) => metric.labels(...t).inc(i));
        perSeries = 1;
        break;
      }
      case 'gauge': {
        const metric = new Gauge(options);
        tuples.forEach((t, i) => metric.labels(...t).set(i));
        perSeries = 1;
        break;
      }
      case 'histogram': {
        const metric = new Histogram({ ...options, buckets: [SERIES_PER_FAMILY / 2] });
        tuples.forEach((t, i) => metric.labels(...t).observe(i));
        perSeries = 4; // one bucket, +Inf, _sum, _count
        break;
      }
      case 'summary': {
        const withQuantile = index % 8 === 3;
        const metric = new Summary({ ...options, ...(withQuantile ? { objectives: { 0.5: 0.05 } } : {}) });
        tuples.forEach((t, i) => metric.labels(...t).observe(i));
        perSeries = withQuantile ? 3 : 2;
        break;
      }
    }
    families.push({
      name: base,
      type,
      help: { text: textParserHelp(help), om: help },
      labels: [...VARIABLE_LABELS, 'k'],
      tuples: tuples.map((t) => [...t, k]),
      perSeries,
    });
  }

  for (let j = 0; j < HELP_FAMILIES_PER_CHUNK; j++) {
    const name = `fuzz_help_${tag}_${String(j).padStart(4, '0')}`;
    const help = helpText(10, 2_000);
    const v = value(6, 10_000);
    helps++;
    labelValues++;
    new Gauge({ name, help, labelNames: ['v'], registers }).labels(v).set(0);
    families.push({
      name,
      type: 'gauge',
      help: { text: textParserHelp(help), om: help },
      labels: ['v'],
      tuples: [[v]],
      perSeries: 1,
    });
  }

  const snapshot = registry.collect();
  const text = encodeText(snapshot);
  const om = encodeOpenMetrics(snapshot);
  return { index, text, om, families, labelValues, helps, longValues };
}

// ---------------------------------------------------------------------------------------------------
// The Python side: one process per parser, reading chunks from stdin until it closes
// ---------------------------------------------------------------------------------------------------

/**
 * Protocol, per chunk: one JSON line {id, bytes, families}, then `bytes` bytes of exposition (UTF-8).
 * Answer, per chunk: one JSON line {id, families, samples, values, problems}. Every string comparison is
 * made here, between Python strings: the parsed value and the one decoded from the JSON header.
 */
const CHECK_SCRIPT = String.raw`
import json, sys
if sys.argv[1] == 'om':
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
else:
    from prometheus_client.parser import text_string_to_metric_families as parse
fmt = sys.argv[1]
src = sys.stdin.buffer
dst = sys.stdout

def check(families, expected, problems, counts):
    by_name = {}
    for fam in families:
        if fam.name in by_name:
            problems.append('family %r read twice' % fam.name)
        by_name[fam.name] = fam
    if len(by_name) != len(expected):
        problems.append('%d families read, %d written' % (len(by_name), len(expected)))
    for exp in expected:
        fam = by_name.get(exp['name'])
        if fam is None:
            problems.append('family %r missing' % exp['name'])
            continue
        if fam.type != exp['type']:
            problems.append('%s: type %r read, %r written' % (exp['name'], fam.type, exp['type']))
        want_help = exp['help'][fmt]
        if fam.documentation != want_help:
            problems.append('%s: HELP %r read, %r expected' % (exp['name'], fam.documentation[:200], want_help[:200]))
        counts['helps'] += 1
        names = exp['labels']
        index = {}
        for i, t in enumerate(exp['tuples']):
            index[tuple(t)] = i
        seen = [0] * len(exp['tuples'])
        base = exp['name']
        for s in fam.samples:
            counts['samples'] += 1
            labels = dict(s.labels)
            suffix = s.name[len(base):] if s.name.startswith(base) else None
            if suffix == '_bucket':
                labels.pop('le', None)
            elif exp['type'] == 'summary' and suffix == '':
                labels.pop('quantile', None)
            if sorted(labels) != names:
                problems.append('%s: label names %r read, %r written' % (s.name, sorted(labels), names))
                continue
            key = tuple(labels[n] for n in names)
            i = index.get(key)
            if i is None:
                problems.append('%s: label values %r were never written' % (s.name, key))
                continue
            seen[i] += 1
            counts['values'] += len(names)
            if suffix in ('', '_total', '_sum') and s.value != i:
                problems.append('%s%r: value %r read, %d recorded' % (s.name, key, s.value, i))
            if suffix == '_count' and s.value != 1:
                problems.append('%s%r: count %r read, 1 recorded' % (s.name, key, s.value))
        wrong = [i for i, n in enumerate(seen) if n != exp['perSeries']]
        if wrong:
            i = wrong[0]
            problems.append('%s: %d series not read back as written, e.g. %r read %d times (%d expected)' % (
                base, len(wrong), exp['tuples'][i], seen[i], exp['perSeries']))

while True:
    line = src.readline()
    if not line:
        break
    header = json.loads(line)
    payload = src.read(header['bytes']).decode('utf-8')
    problems = []
    counts = {'samples': 0, 'values': 0, 'helps': 0}
    try:
        families = list(parse(payload))
    except Exception as e:
        problems.append('parser refused the exposition: %s: %s' % (type(e).__name__, str(e)[:500]))
        families = None
    if families is not None:
        check(families, header['families'], problems, counts)
    dst.write(json.dumps({'id': header['id'], 'samples': counts['samples'], 'values': counts['values'],
                          'helps': counts['helps'], 'problems': problems[:5], 'problemCount': len(problems)}) + '\n')
    dst.flush()
`;

interface Verdict {
  id: number;
  samples: number;
  values: number;
  helps: number;
  problems: string[];
  problemCount: number;
}

/** A long-lived Python parser process; `send` resolves with its verdict on that chunk. */
class PythonChecker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, { resolve: (v: Verdict) => void; reject: (e: Error) => void }>();
  private stderr = '';
  private failure: Error | undefined;
  private readonly closed: Promise<void>;

  constructor(readonly format: 'text' | 'om') {
    assertPeer(python);
    this.child = spawn(PYTHON, ['-I', '-X', 'utf8', '-c', CHECK_SCRIPT, format], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString('utf8')).slice(-4_000)));
    this.child.stdin.on('error', () => {}); // reported through 'close' below
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let verdict: Verdict;
      try {
        verdict = JSON.parse(line) as Verdict;
      } catch {
        this.failure ??= new Error(
          `${PYTHON} (${format} parser) wrote something else than a verdict: ${line.slice(0, 300)}`,
        );
        this.kill();
        return;
      }
      const w = this.waiting.get(verdict.id);
      this.waiting.delete(verdict.id);
      w?.resolve(verdict);
    });
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        if (code !== 0)
          this.failure ??= new Error(`${PYTHON} (${format} parser) exited with ${code ?? signal}:\n${this.stderr}`);
        for (const w of this.waiting.values()) w.reject(this.failure ?? new Error(`${PYTHON} exited early`));
        this.waiting.clear();
        resolve();
      });
    });
  }

  async send(chunk: Chunk): Promise<Verdict> {
    if (this.failure) throw this.failure;
    const payload = this.format === 'om' ? chunk.om : chunk.text;
    const header = {
      id: chunk.index,
      bytes: payload.length,
      families: chunk.families.map((f) => ({
        name: f.name,
        type: f.type,
        help: { [this.format]: f.help[this.format] },
        labels: f.labels,
        tuples: f.tuples,
        perSeries: f.perSeries,
      })),
    };
    const answer = new Promise<Verdict>((resolve, reject) => this.waiting.set(chunk.index, { resolve, reject }));
    // Header and payload are queued together, so chunks sent while the pipe is full never interleave.
    this.child.stdin.write(JSON.stringify(header) + '\n', 'utf8');
    if (!this.child.stdin.write(payload)) {
      // Wait for the pipe to empty, or for the process to end (then `answer` says why).
      await Promise.race([new Promise((resolve) => this.child.stdin.once('drain', resolve)), this.closed]);
    }
    return answer;
  }

  /** Closes stdin and waits for a clean exit (kills it after `ms`). */
  async close(ms = 30_000): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    await this.closed;
    clearTimeout(timer);
    if (this.failure) throw this.failure;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * promlint flags "no help text" for a family whose HELP is empty as Go's parser reads it. That parser skips
 * the blanks (spaces and tabs) after the metric name, so a HELP made only of them reads as empty: the same
 * finding as for an empty HELP, which the shared helper already accepts; it is accepted here for that
 * reason only, and a random HELP made only of blanks is rare.
 */
function blankHelpFamilies(chunks: readonly Chunk[]): Set<string> {
  const names = new Set<string>();
  for (const c of chunks) for (const f of c.families) if (/^[ \t]+$/.test(f.help.om)) names.add(f.name);
  return names;
}

async function promtoolProblem(chunks: readonly Chunk[]): Promise<string | undefined> {
  const input = Buffer.concat(chunks.map((c) => c.text));
  const result = await checkMetrics(input);
  const blank = blankHelpFamilies(chunks);
  const lint = result.lint.filter((p) => !(p.text === 'no help text' && blank.has(p.metric)));
  const filtered: CheckResult = { ...result, lint, code: lint.length === 0 && result.code === 3 ? 0 : result.code };
  // The shared helper scans the input for empty HELP lines; the text is only needed for that.
  const problem = rejection(filtered, input.toString('utf8'), false);
  return problem === undefined
    ? undefined
    : `chunks ${chunks[0]!.index}..${chunks[chunks.length - 1]!.index}: ${problem}\n${result.stderr.slice(0, 2_000)}`;
}

describe(
  'exposition fuzz: random label values and HELP texts read back exactly by real parsers',
  peerOptions(peers),
  () => {
    const checkers: PythonChecker[] = [];
    after(() => {
      for (const c of checkers) c.kill();
    });

    it(`${CHUNKS} chunks (seed ${SEED}): promtool accepts the text, Python reads text and OpenMetrics back exactly`, {
      timeout: 600_000,
    }, async (t) => {
      assertPeer(promtool);
      assertPeer(python);
      const started = performance.now();
      const text = new PythonChecker('text');
      const om = new PythonChecker('om');
      checkers.push(text, om);
      const totals: Totals = {
        labelValues: 0,
        helps: 0,
        longValues: 0,
        textBytes: 0,
        omBytes: 0,
        seen: new Set(),
        seenHelp: new Set(),
      };
      const failures: string[] = [];
      const verdicts: Promise<void>[] = [];
      const promtoolRuns: Promise<void>[] = [];
      const pythonRead = { text: { values: 0, helps: 0, samples: 0 }, om: { values: 0, helps: 0, samples: 0 } };
      let group: Chunk[] = [];
      let inFlight: Promise<unknown>[] = [];

      const record = (format: 'text' | 'om', chunk: Chunk, v: Verdict) => {
        pythonRead[format].values += v.values;
        pythonRead[format].helps += v.helps;
        pythonRead[format].samples += v.samples;
        if (v.problemCount > 0) {
          failures.push(
            `chunk ${chunk.index} (FUZZ_SEED=${SEED}), ${format === 'om' ? 'OpenMetrics' : 'text'} parser: ` +
              `${v.problemCount} problems, first: ${v.problems.join(' | ')}`,
          );
        }
      };
      const flushPromtool = () => {
        if (group.length === 0) return;
        const chunks = group;
        group = [];
        promtoolRuns.push(
          promtoolProblem(chunks).then((p) => {
            if (p !== undefined) failures.push(`promtool, ${p}`);
          }),
        );
      };

      for (let i = 0; i < CHUNKS; i++) {
        const chunk = buildChunk(i, totals);
        totals.labelValues += chunk.labelValues;
        totals.helps += chunk.helps;
        totals.longValues += chunk.longValues;
        totals.textBytes += chunk.text.length;
        totals.omBytes += chunk.om.length;
        const done = Promise.all([
          text.send(chunk).then((v) => record('text', chunk, v)),
          om.send(chunk).then((v) => record('om', chunk, v)),
        ]).then(
          () => undefined,
          (error: Error) => void failures.push(`chunk ${chunk.index}: ${error.message}`),
        );
        verdicts.push(done);
        inFlight.push(done);
        group.push(chunk);
        if (group.length === PROMTOOL_GROUP) {
          // One promtool at a time: it competes with Python for the two cores.
          await Promise.all(promtoolRuns);
          flushPromtool();
        }
        if (inFlight.length >= IN_FLIGHT) {
          await inFlight[0];
          inFlight = inFlight.slice(1);
        }
      }
      flushPromtool();
      await Promise.all(verdicts);
      await Promise.all(promtoolRuns);

      // The checkers can fail: a chunk whose expectations were altered (one HELP, one label value) must be
      // reported by both, so a checker that compares nothing cannot pass unnoticed.
      const probe = buildChunk(CHUNKS + 1, { ...totals, seen: new Set(), seenHelp: new Set() });
      const [first, second] = probe.families as ExpectedFamily[];
      const altered: Chunk = {
        ...probe,
        families: [
          { ...first!, help: { text: first!.help.text + '!', om: first!.help.om + '!' } },
          { ...second!, tuples: [[second!.tuples[0]![0] + '\u0000']] },
          ...probe.families.slice(2),
        ],
      };
      const [textProbe, omProbe] = await Promise.all([text.send(altered), om.send(altered)]);
      for (const v of [textProbe, omProbe]) {
        // The HELP; the label value read but never written; and the series written but never read.
        assert.equal(v.problemCount, 3, `the altered chunk gave ${JSON.stringify(v.problems)}`);
        assert.match(v.problems.join('\n'), /HELP/);
        assert.match(v.problems.join('\n'), /never written/);
        assert.match(v.problems.join('\n'), /not read back as written/);
      }
      await Promise.all([text.close(), om.close()]);

      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(
        `${totals.labelValues} label values (${totals.longValues} of 1,000+ characters) and ${totals.helps} HELP texts; ` +
          `text ${(totals.textBytes / 2 ** 20).toFixed(1)} MiB, OpenMetrics ${(totals.omBytes / 2 ** 20).toFixed(1)} MiB; ` +
          `Python read back ${pythonRead.text.samples} text and ${pythonRead.om.samples} OpenMetrics samples; ` +
          `${failures.length} failures; ${seconds.toFixed(1)} s`,
      );
      assert.equal(
        failures.length,
        0,
        `${failures.length} failures; the first ones:\n\n${failures.slice(0, 5).join('\n\n')}`,
      );

      // The generator really produced what the test claims to cover (checked on full runs; a run of a few
      // chunks to reproduce a failure may miss the rarer inputs).
      if (CHUNKS >= 50) {
        assert.deepEqual([...totals.seen].sort(), Object.keys(PROBES).sort(), 'hard label values produced');
        assert.deepEqual([...totals.seenHelp].sort(), Object.keys(PROBES).sort(), 'hard HELP texts produced');
        assert.ok(totals.labelValues >= 1_000_000, `only ${totals.labelValues} label values`);
        assert.ok(totals.helps >= 100_000, `only ${totals.helps} HELP texts`);
      }
      // And every value was really compared by both parsers: label values once per sample they appear in.
      for (const format of ['text', 'om'] as const) {
        assert.equal(pythonRead[format].helps, totals.helps, `${format}: every HELP compared`);
        assert.ok(pythonRead[format].values >= totals.labelValues, `${format}: every label value compared`);
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------------
// Names of Object.prototype's members as label names and values
// ---------------------------------------------------------------------------------------------------

const PROTO_WORDS = [
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'prototype',
  '__defineGetter__',
];

/** Own property names of the built-in prototypes an attack would target, to compare before and after. */
function prototypeState(): string {
  const describe = (o: object) =>
    Object.getOwnPropertyNames(o).concat(Object.getOwnPropertySymbols(o).map(String)).sort().join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype, Map.prototype]
    .map(describe)
    .join('|');
}

function assertNotPolluted(before: string): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined, 'Object.prototype.polluted');
  assert.equal(probe.x, undefined, 'Object.prototype.x');
  assert.equal(probe.constructor, Object, '({}).constructor is still Object');
  assert.equal(typeof probe.hasOwnProperty, 'function');
  assert.equal(Object.prototype.toString.call([]), '[object Array]');
  assert.equal(String({}), '[object Object]');
  assert.equal(Object.getPrototypeOf(probe), Object.prototype);
  assert.equal(prototypeState(), before, 'no built-in prototype gained or lost a property');
}

describe('labels named like Object.prototype members are ordinary labels', () => {
  it('as label values and as label names: stored as given, one series each, no pollution', () => {
    const before = prototypeState();
    const registry = new Registry();
    const names = ['constructor', 'hasOwnProperty', 'toString', 'valueOf'] as const;
    const counter = new Counter({ name: 'proto_requests_total', help: 'h', labelNames: names, registers: [registry] });
    for (const word of PROTO_WORDS) counter.labels(word, word, word, word).inc();
    // By name: the object's own properties are read, never inherited ones.
    counter
      .labels({ constructor: '__proto__', hasOwnProperty: '__proto__', toString: '__proto__', valueOf: '__proto__' })
      .inc();
    const fromJson = JSON.parse(
      '{"constructor":"__proto__","hasOwnProperty":"__proto__","toString":"__proto__","valueOf":"__proto__"}',
    );
    counter.labels(fromJson).inc();
    // A map missing a name must be refused, not completed from Object.prototype (whose `constructor`,
    // `toString`... exist on every object).
    assert.throws(
      () => counter.labels({ hasOwnProperty: 'a', toString: 'b', valueOf: 'c', extra: 'd' } as never),
      MetricsError,
    );
    assert.throws(() => counter.labels({ hasOwnProperty: 'a', toString: 'b', valueOf: 'c' } as never), MetricsError);
    const nullProto = Object.assign(Object.create(null) as Record<string, string>, {
      constructor: 'x',
      hasOwnProperty: 'y',
      toString: 'z',
      valueOf: 'w',
    });
    counter.labels(nullProto).inc(5);

    const [family] = registry.collect();
    assert.ok(family);
    const seriesValues = family.series.map((s) => [[...s.labels.values], s.value] as const);
    assert.equal(family.series.length, PROTO_WORDS.length + 1);
    assert.deepEqual(
      seriesValues.find(([values]) => values.every((v) => v === '__proto__')),
      [['__proto__', '__proto__', '__proto__', '__proto__'], 3],
    );
    assert.deepEqual(
      seriesValues.find(([values]) => values[0] === 'x'),
      [['x', 'y', 'z', 'w'], 5],
    );
    for (const word of PROTO_WORDS) {
      assert.ok(
        seriesValues.some(([values]) => values.every((v) => v === word)),
        `series with value ${word}`,
      );
    }
    assert.ok(counter.remove('constructor', 'constructor', 'constructor', 'constructor'));
    assert.ok(!counter.remove('constructor', 'constructor', 'constructor', 'constructor'));
    assertNotPolluted(before);
  });

  it('reserved names like `__proto__` are refused as label names with a clear error, whatever the route', () => {
    const before = prototypeState();
    const registry = new Registry();
    assert.throws(
      () => new Gauge({ name: 'proto_a', help: 'h', labelNames: ['__proto__'], registers: [registry] }),
      (e: Error) => e instanceof MetricsError && /__proto__/.test(e.message),
    );
    // An own `__proto__` key, as JSON.parse makes it (a literal `{ __proto__: ... }` would set the prototype).
    const constLabels = JSON.parse('{"__proto__":{"polluted":"yes"},"x":"1"}') as Record<string, string>;
    assert.ok(Object.hasOwn(constLabels, '__proto__'));
    assert.throws(() => new Gauge({ name: 'proto_b', help: 'h', constLabels, registers: [registry] }), MetricsError);
    const exemplarLabels = JSON.parse('{"__proto__":"polluted"}') as Record<string, string>;
    const c = new Counter({ name: 'proto_c_total', help: 'h', registers: [registry] });
    assert.throws(() => c.addWithExemplar(1, exemplarLabels), MetricsError);
    const g = new Gauge({ name: 'proto_d', help: 'h', labelNames: ['constructor'], registers: [registry] });
    assert.throws(() => g.labels(JSON.parse('{"__proto__":"x"}') as never), MetricsError);
    // Values that are not strings are refused, an object value included.
    assert.throws(() => g.labels({ constructor: { polluted: 'yes' } } as never), MetricsError);
    assertNotPolluted(before);
  });

  it('const labels, exemplars, histograms and summaries with those names; output escaped and parsed back', async (t) => {
    const before = prototypeState();
    const registry = new Registry();
    const registers = [registry];
    const constLabels = { constructor: 'hasOwnProperty', toString: '__proto__ "quoted" \\ \n' };
    const h = new Histogram({
      name: 'proto_seconds',
      help: 'toString\n"__proto__"\\',
      labelNames: ['valueOf'],
      constLabels,
      buckets: [1],
      registers,
    });
    h.labels('__proto__').observeWithExemplar(0.5, { constructor: '__proto__', toString: 'x' });
    const s = new Summary({
      name: 'proto_size',
      help: 'constructor',
      labelNames: ['hasOwnProperty'],
      objectives: { 0.5: 0.05 },
      registers,
    });
    s.labels('prototype').observe(2);
    const c = new Counter({ name: 'proto_events_total', help: '__proto__', labelNames: ['prototype'], registers });
    c.labels('__proto__').addWithExemplar(2, { hasOwnProperty: 'constructor' });

    const text = writeText(registry.collect());
    const om = writeOpenMetrics(registry.collect());
    // Escaped on output: quote, backslash and newline in a value; backslash and newline in HELP.
    assert.match(text, /^# HELP proto_seconds toString\\n"__proto__"\\\\$/m);
    assert.match(
      text,
      /proto_seconds_bucket\{constructor="hasOwnProperty",toString="__proto__ \\"quoted\\" \\\\ \\n",valueOf="__proto__",le="1"\} 1$/m,
    );
    assert.match(om, /^# HELP proto_seconds toString\\n\\"__proto__\\"\\\\$/m);
    assert.match(om, /proto_events_total\{prototype="__proto__"\} 2\.0 # \{hasOwnProperty="constructor"\} 2\.0 /);
    assertNotPolluted(before);

    if (peerOptions(python).skip !== undefined) {
      t.diagnostic(`read-back skipped: ${python.missing}`);
      return;
    }
    const script = String.raw`
import json, sys
from prometheus_client.parser import text_string_to_metric_families as parse_text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
data = json.loads(sys.stdin.buffer.read().decode('utf-8'))
out = {}
for fmt, parse in (('text', parse_text), ('om', parse_om)):
    out[fmt] = [{'name': f.name, 'help': f.documentation,
                 'samples': [[s.name, dict(s.labels), None if s.exemplar is None else dict(s.exemplar.labels)] for s in f.samples]}
                for f in parse(data[fmt])]
sys.stdout.write(json.dumps(out))
`;
    type Read = {
      name: string;
      help: string;
      samples: [string, Record<string, string>, Record<string, string> | null][];
    }[];
    const read = JSON.parse(await runPython(script, JSON.stringify({ text, om }))) as { text: Read; om: Read };
    for (const format of ['text', 'om'] as const) {
      const fams = Object.fromEntries(read[format].map((f) => [f.name, f]));
      assert.equal(fams.proto_seconds?.help, 'toString\n"__proto__"\\');
      // The bound is written `1` in text and `1.0` in OpenMetrics.
      const bucket = fams.proto_seconds!.samples.find(([n, l]) => n === 'proto_seconds_bucket' && Number(l.le) === 1);
      assert.ok(bucket, `${format}: bucket le=1 read back`);
      const { le: _le, ...bucketLabels } = bucket[1];
      assert.deepEqual(bucketLabels, { ...constLabels, valueOf: '__proto__' });
      assert.deepEqual(fams.proto_size!.samples.find(([n]) => n === 'proto_size')?.[1], {
        hasOwnProperty: 'prototype',
        quantile: '0.5',
      });
      assert.deepEqual(fams.proto_events!.samples[0]![1], { prototype: '__proto__' });
      if (format === 'om') {
        assert.deepEqual(bucket?.[2], { constructor: '__proto__', toString: 'x' });
        assert.deepEqual(fams.proto_events!.samples[0]![2], { hasOwnProperty: 'constructor' });
      }
    }
    if (peerOptions(promtool).skip === undefined) {
      const result = await checkMetrics(text);
      // Label names like `hasOwnProperty` break promlint's snake_case convention on purpose: naming findings only.
      assert.equal(rejection(result, text, true), undefined, result.stdout + result.stderr);
    }
    assertNotPolluted(before);
  });
});
