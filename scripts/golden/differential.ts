/**
 * The differential fuzzer: seeded random fixtures rendered by client_golang (the Go generator beside
 * this file, built once per run) and by zerotel (`scripts/render.ts --batch`), compared file by file.
 * A difference passes only when the deviation table expects it; the first unexplained ones are
 * minimised (families, ops, labels and buckets removed while the difference stays).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFixtureBytes } from '../../lib/fixture/fixture.js';
import { fixtureOutputs } from '../../lib/fixture/outputs.js';
import { type Deviation, DEVIATIONS, type Outcome } from './deviations.js';
import { type RandomFixture, randomFixture, serializeFixture } from './random-fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOPATH = '/usr/share/gocode';
const CLIENT_GOLANG = join(GOPATH, 'src/github.com/prometheus/client_golang/prometheus');
const EXPFMT = join(GOPATH, 'src/github.com/prometheus/common/expfmt');

/** Why the Go side cannot run here, or undefined when it can. */
export function goMissing(): string | undefined {
  const go = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 60_000 });
  if (go.error !== undefined || go.status !== 0) return 'the go command is not installed (Debian: golang-go)';
  if (!existsSync(CLIENT_GOLANG)) {
    return `client_golang sources are not in ${CLIENT_GOLANG} (Debian: golang-github-prometheus-client-golang-dev)`;
  }
  if (!existsSync(EXPFMT))
    return `prometheus/common sources are not in ${EXPFMT} (Debian: golang-github-prometheus-common-dev)`;
  return undefined;
}

/** Builds a Go program of this directory's tree (offline, GOPATH mode against Debian's sources). */
export function buildGo(pkg: string, binary: string): void {
  execFileSync('go', ['build', '-o', binary, pkg], {
    cwd: ROOT,
    env: { ...process.env, GO111MODULE: 'off', GOPATH },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 600_000,
  });
}

/** Reads the outcome of one fixture from an output directory of either side. */
export function readOutcome(dir: string, name: string): Outcome {
  const base = join(dir, name);
  if (existsSync(base + '.error.txt')) {
    const text = readFileSync(base + '.error.txt', 'utf8');
    const field = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(text)?.[1];
    const num = (k: string) => (field(k) === undefined ? undefined : Number(field(k)));
    return {
      kind: 'refused',
      stage: field('stage') ?? '?',
      familyIndex: num('family_index'),
      opIndex: num('op_index'),
      family: field('family'),
      message: field('error') ?? '',
    };
  }
  if (!existsSync(base + '.txt')) return { kind: 'unreadable' };
  return {
    kind: 'rendered',
    txt: readFileSync(base + '.txt'),
    om: readFileSync(base + '.om.txt'),
    pb: readFileSync(base + '.pb'),
  };
}

/** How two outcomes differ, in a line; undefined when they agree. */
export function difference(go: Outcome, zt: Outcome): string | undefined {
  if (go.kind !== zt.kind) return `Go ${describe(go)}, zerotel ${describe(zt)}`;
  if (go.kind === 'refused' && zt.kind === 'refused') {
    // The error messages are each library's own; where and on what family it refused must agree.
    if (
      go.stage !== zt.stage ||
      go.familyIndex !== zt.familyIndex ||
      go.opIndex !== zt.opIndex ||
      go.family !== zt.family
    ) {
      return `Go ${describe(go)}, zerotel ${describe(zt)}`;
    }
    return undefined;
  }
  if (go.kind === 'rendered' && zt.kind === 'rendered') {
    for (const f of ['txt', 'om', 'pb'] as const) {
      if (Buffer.compare(go[f], zt[f]) !== 0) return `${f} differs: ${firstDiff(go[f], zt[f], f === 'pb')}`;
    }
  }
  return undefined;
}

function describe(o: Outcome): string {
  if (o.kind === 'refused') {
    return `refused at ${o.stage}${o.familyIndex === undefined ? '' : ` family ${o.familyIndex} ${o.family}`}${o.opIndex === undefined ? '' : ` op ${o.opIndex}`} (${o.message})`;
  }
  return o.kind === 'rendered' ? 'rendered' : 'could not read the fixture';
}

function firstDiff(a: Buffer, b: Buffer, binary: boolean): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (binary)
    return `at byte ${i}: Go ${a.subarray(i, i + 12).toString('hex')} zerotel ${b.subarray(i, i + 12).toString('hex')}`;
  const lineStart = a.lastIndexOf(10, i - 1) + 1;
  const line = (x: Buffer) =>
    JSON.stringify(x.subarray(lineStart, x.indexOf(10, i) < 0 ? undefined : x.indexOf(10, i)).toString('utf8'));
  return `line ${a.subarray(0, lineStart).toString().split('\n').length}: Go ${line(a)} zerotel ${line(b)}`;
}

/** One fixture whose outputs differ and no deviation explains it. */
export interface Mismatch {
  readonly name: string;
  readonly difference: string;
  readonly fixture: RandomFixture;
  /** The smallest fixture found that still differs, as file bytes, and its difference. */
  minimal?: { bytes: Uint8Array; difference: string };
}

export interface RoundResult {
  readonly seed: number;
  readonly count: number;
  readonly rendered: number;
  readonly refused: number;
  /** Fixtures with a native histogram family that Go rendered. */
  readonly nativeRendered: number;
  /** Differences the deviation table expects, by deviation id. */
  readonly expected: ReadonlyMap<string, number>;
  readonly mismatches: readonly Mismatch[];
}

export interface RoundOptions {
  readonly seed: number;
  readonly count: number;
  /** The built Go generator. */
  readonly goBinary: string;
  /** How many mismatches to minimise (each costs up to a few hundred Go runs). */
  readonly minimise?: number;
  /** Where to write the fixtures and outputs; a temporary directory (removed) by default. */
  readonly workDir?: string | undefined;
}

/** Generates `count` fixtures from `seed`, renders them on both sides and compares. */
export function runRound(options: RoundOptions): RoundResult {
  const work = options.workDir ?? mkdtempSync(join(tmpdir(), 'zerotel-fuzz-'));
  try {
    const inDir = join(work, 'in');
    const goDir = join(work, 'go');
    const ztDir = join(work, 'zerotel');
    for (const d of [inDir, goDir, ztDir]) mkdirSync(d, { recursive: true });
    const fixtures: RandomFixture[] = [];
    const names: string[] = [];
    for (let i = 0; i < options.count; i++) {
      const fx = randomFixture(options.seed, i);
      const name = `f${String(i).padStart(6, '0')}`;
      fixtures.push(fx);
      names.push(name);
      writeFileSync(join(inDir, name + '.json'), serializeFixture(fx));
    }
    runGo(
      options.goBinary,
      names.map((n) => join(inDir, n + '.json')),
      goDir,
    );
    const render = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/render.ts', '--batch', inDir, '--out', ztDir],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 900_000,
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    if (render.status !== 0 && render.status !== 2) {
      throw new Error(`render.ts --batch failed (${render.status ?? render.signal}): ${render.stderr}`);
    }
    let rendered = 0;
    let refused = 0;
    let nativeRendered = 0;
    const expected = new Map<string, number>();
    const mismatches: Mismatch[] = [];
    for (let i = 0; i < names.length; i++) {
      const go = readOutcome(goDir, names[i]!);
      const zt = readOutcome(ztDir, names[i]!);
      if (go.kind === 'rendered') rendered++;
      if (
        go.kind === 'rendered' &&
        fixtures[i]!.families.some((f) => f.native !== undefined && f.native.raw === undefined)
      )
        nativeRendered++;
      if (go.kind === 'refused') refused++;
      const diff = difference(go, zt);
      if (diff === undefined) continue;
      const deviation = explain(fixtures[i]!, go, zt);
      if (deviation !== undefined) expected.set(deviation.id, (expected.get(deviation.id) ?? 0) + 1);
      else mismatches.push({ name: names[i]!, difference: diff, fixture: fixtures[i]! });
    }
    for (const m of mismatches.slice(0, options.minimise ?? 3)) m.minimal = minimise(m.fixture, options.goBinary, work);
    return { seed: options.seed, count: options.count, rendered, refused, nativeRendered, expected, mismatches };
  } finally {
    if (options.workDir === undefined) rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the Go generator over many fixtures, a bounded number of paths per process. */
function runGo(binary: string, files: readonly string[], outDir: string): void {
  for (let i = 0; i < files.length; i += 2000) {
    // Exit status 1 only reports fixtures Go could not decode; those have no outputs, which is compared.
    const r = spawnSync(binary, ['-out', outDir, ...files.slice(i, i + 2000)], {
      encoding: 'utf8',
      timeout: 900_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0 && r.status !== 1) throw new Error(`Go generator failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
}

/** The deviation that explains a difference, if one does. */
function explain(fx: RandomFixture, go: Outcome, zt: Outcome): Deviation | undefined {
  const bytes = serializeFixture(fx);
  return DEVIATIONS.find((d) => d.explains(bytes, go, zt));
}

/** Both outcomes of one fixture, Go in a process, zerotel in this one (as render.ts would produce). */
function outcomes(bytes: Uint8Array, goBinary: string, work: string): { go: Outcome; zt: Outcome } {
  const dir = join(work, 'minimise');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'm.json'), bytes);
  spawnSync(goBinary, ['-out', join(dir, 'go'), join(dir, 'm.json')], { timeout: 120_000 });
  mkdirSync(join(dir, 'zt'));
  try {
    for (const [suffix, content] of fixtureOutputs(parseFixtureBytes(bytes)))
      writeFileSync(join(dir, 'zt', 'm' + suffix), content);
  } catch {
    // A fixture zerotel cannot read leaves no outputs, as render.ts does.
  }
  return { go: readOutcome(join(dir, 'go'), 'm'), zt: readOutcome(join(dir, 'zt'), 'm') };
}

/** Greedy structural shrinking, bounded in attempts: keeps each removal that leaves an unexplained difference. */
function minimise(fx: RandomFixture, goBinary: string, work: string): { bytes: Uint8Array; difference: string } {
  let best = structuredClone(fx);
  let budget = 400;
  const differs = (candidate: RandomFixture): string | undefined => {
    if (budget-- <= 0) return undefined;
    const bytes = serializeFixture(candidate);
    const { go, zt } = outcomes(bytes, goBinary, work);
    const diff = difference(go, zt);
    if (diff === undefined || DEVIATIONS.some((d) => d.explains(bytes, go, zt))) return undefined;
    return diff;
  };
  const attempt = (mutate: (c: RandomFixture) => boolean): boolean => {
    const candidate = structuredClone(best);
    if (!mutate(candidate)) return false;
    if (differs(candidate) === undefined) return false;
    best = candidate;
    return true;
  };
  for (let changed = true; changed && budget > 0; ) {
    changed = false;
    for (let f = best.families.length - 1; f >= 0; f--) {
      changed = attempt((c) => (c.families.splice(f, 1), c.families.length > 0)) || changed;
    }
    for (let f = 0; f < best.families.length; f++) {
      // Halve the ops first (big summaries), then one at a time from the end.
      while (
        best.families[f]!.ops.length > 1 &&
        attempt((c) => (c.families[f]!.ops.splice(0, Math.ceil(c.families[f]!.ops.length / 2)), true))
      )
        changed = true;
      for (let o = best.families[f]!.ops.length - 1; o >= 0; o--)
        changed = attempt((c) => (c.families[f]!.ops.splice(o, 1), true)) || changed;
      const fam = best.families[f]!;
      if (fam.constLabels !== undefined) {
        for (let k = fam.constLabels.length - 1; k >= 0; k--)
          changed = attempt((c) => (c.families[f]!.constLabels!.splice(k, 1), true)) || changed;
        changed = attempt((c) => (delete c.families[f]!.constLabels, true)) || changed;
      }
      for (const key of ['buckets', 'objectives'] as const) {
        const list = best.families[f]![key];
        if (list === undefined) continue;
        for (let k = list.length - 1; k >= 0; k--)
          changed = attempt((c) => (c.families[f]![key]!.splice(k, 1), true)) || changed;
        changed = attempt((c) => (delete c.families[f]![key], true)) || changed;
      }
      const native = best.families[f]!.native;
      if (native !== undefined) {
        for (let k = native.fields.length - 1; k >= 0; k--)
          changed = attempt((c) => (c.families[f]!.native!.fields.splice(k, 1), true)) || changed;
        changed = attempt((c) => (delete c.families[f]!.native, true)) || changed;
      }
      const labels = best.families[f]!.labels;
      if (labels !== undefined) {
        for (let k = labels.length - 1; k >= 0; k--) {
          changed =
            attempt((c) => {
              const g = c.families[f]!;
              g.labels!.splice(k, 1);
              for (const o of g.ops) o.labels?.splice(k, 1);
              return true;
            }) || changed;
        }
      }
      changed = attempt((c) => ((c.families[f]!.help = new TextEncoder().encode('""')), true)) || changed;
      if (best.families[f]!.quirks !== undefined)
        changed = attempt((c) => (delete c.families[f]!.quirks, true)) || changed;
    }
  }
  const bytes = serializeFixture(best);
  const { go, zt } = outcomes(bytes, goBinary, work);
  return { bytes, difference: difference(go, zt) ?? 'no longer differs' };
}

/** A readable report of a round: counts, expected deviations, and each unexplained mismatch. */
export function formatRound(result: RoundResult): string {
  const lines = [
    `seed ${result.seed}: ${result.count} fixtures, Go rendered ${result.rendered} (${result.nativeRendered} with native histograms) and refused ${result.refused}; ` +
      `${result.mismatches.length} unexplained mismatch(es)`,
  ];
  for (const [id, n] of result.expected) lines.push(`  expected deviation ${id}: ${n}`);
  for (const m of result.mismatches.slice(0, 10)) {
    lines.push(`  MISMATCH ${m.name} (fixture ${m.fixture.description}): ${m.difference}`);
    if (m.minimal !== undefined) {
      lines.push(`    minimised: ${m.minimal.difference}`);
      lines.push(`    ${Buffer.from(m.minimal.bytes).toString('utf8').trim().split('\n').join('\n    ')}`);
    }
  }
  return lines.join('\n');
}
