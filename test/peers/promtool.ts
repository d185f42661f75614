/**
 * promtool as a peer: `promtool check metrics` reads an exposition on stdin with Prometheus' own text
 * parser, then lints it. Its exit code mixes two different things, which the helpers here separate:
 *   1 = the input could not be parsed ("error while linting: ..."): always a failure for us;
 *   3 = it parsed, but promlint found problems (one "<metric> <text>" line each), most of them naming
 *       conventions that some inputs break on purpose (e.g. the conformance fixture `name_suffixes`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import type { PeerStatus } from './require-peer.js';
import { assertPeer, isExecutable } from './require-peer.js';

export interface PromtoolPeer extends PeerStatus {
  /** Path of the promtool executable, when found. */
  readonly path: string | undefined;
  /** First line of `promtool --version`, when it ran. */
  readonly version: string | undefined;
}

/** One promlint finding: the metric family and the rule's message. */
export interface LintProblem {
  readonly metric: string;
  readonly text: string;
}

export interface CheckResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The parser's message when promtool could not parse the input at all. */
  readonly parseError: string | undefined;
  /** promlint findings (only meaningful when the input parsed). */
  readonly lint: readonly LintProblem[];
}

/** Exit codes of promtool's check commands. */
export const PROMTOOL_OK = 0;
export const PROMTOOL_FAILURE = 1;
export const PROMTOOL_LINT_PROBLEMS = 3;

let cached: PromtoolPeer | undefined;

/** Finds promtool: exactly $PROMTOOL when set, else the PATH, then Debian's /usr/bin/promtool. */
export function findPromtool(): PromtoolPeer {
  if (cached !== undefined) return cached;
  const candidates: string[] = [];
  if (process.env.PROMTOOL) {
    candidates.push(process.env.PROMTOOL);
  } else {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir !== '') candidates.push(join(dir, 'promtool'));
    candidates.push('/usr/bin/promtool');
  }
  const path = candidates.find(isExecutable);
  if (path === undefined) {
    cached = {
      name: 'promtool',
      path,
      version: undefined,
      missing: `no executable promtool (looked at ${candidates.join(', ')}; Debian package "prometheus")`,
    };
    return cached;
  }
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const version = `${probe.stdout ?? ''}${probe.stderr ?? ''}`.split('\n')[0]?.trim();
  cached =
    probe.status === 0
      ? { name: 'promtool', path, version, missing: undefined }
      : {
          name: 'promtool',
          path,
          version: undefined,
          missing: `${path} --version failed: ${probe.error?.message ?? version}`,
        };
  return cached;
}

/** Runs `promtool check metrics` on `input` (fed through stdin) and splits parse errors from lint findings. */
export async function checkMetrics(
  input: string | Uint8Array,
  extraArgs: readonly string[] = [],
): Promise<CheckResult> {
  const peer = findPromtool();
  assertPeer(peer);
  const { code, stdout, stderr } = await run(peer.path!, ['check', 'metrics', ...extraArgs], input);
  let parseError: string | undefined;
  const lint: LintProblem[] = [];
  for (const line of `${stdout}\n${stderr}`.split('\n')) {
    if (line.trim() === '') continue;
    const error = /^error while linting:\s*(.*)$/.exec(line);
    if (error) {
      parseError = error[1];
      continue;
    }
    const space = line.indexOf(' ');
    if (space > 0) lint.push({ metric: line.slice(0, space), text: line.slice(space + 1) });
  }
  if (code === PROMTOOL_FAILURE && parseError === undefined) parseError = (stderr || stdout).trim() || 'exit code 1';
  return { code, stdout, stderr, parseError, lint };
}

/** The output of `promtool check metrics --help`, to learn what this version can do. */
export async function checkMetricsHelp(): Promise<string> {
  const peer = findPromtool();
  assertPeer(peer);
  const { stdout, stderr } = await run(peer.path!, ['check', 'metrics', '--help'], '');
  return stdout + stderr;
}

/**
 * promlint's rules about names (metric names, label names, units, suffixes). They say nothing about whether
 * the exposition is well formed; some inputs break them on purpose.
 */
const NAMING_RULES: readonly RegExp[] = [
  /^counter metrics should have "_total" suffix$/,
  /^non-counter metrics should not have "_total" suffix$/,
  /^non-histogram metrics should not have "_bucket" suffix$/,
  /^non-histogram and non-summary metrics should not have "_(count|sum)" suffix$/,
  /^non-histogram metrics should not have "le" label$/,
  /^non-summary metrics should not have "quantile" label$/,
  /^metric name should not include type '\w+'$/,
  /^metric names should not contain ':'$/,
  /^(metric|label) names should be written in 'snake_case' not 'camelCase'$/,
  /^metric names should not contain abbreviated units$/,
  /^use base unit "\w+" instead of "\w+"$/,
];

/** True for a promlint finding about naming conventions only. */
export function isNamingProblem(problem: LintProblem): boolean {
  return NAMING_RULES.some((rule) => rule.test(problem.text));
}

/** Names of the families whose `# HELP` line has an empty text in a text-format exposition. */
export function familiesWithEmptyHelp(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# HELP (\S+) ?$/gm)) names.add(m[1]!);
  return names;
}

/**
 * Why a check result is not acceptable, or undefined when it is. A parse error always is; lint findings are
 * accepted only when `allowNaming` and they are naming rules, or when they are "no help text" for a family
 * whose HELP is really empty in the input (promlint treats an empty HELP as none).
 */
export function rejection(result: CheckResult, input: string, allowNaming: boolean): string | undefined {
  if (result.parseError !== undefined || result.code === PROMTOOL_FAILURE) {
    return `promtool could not parse the exposition: ${result.parseError}`;
  }
  const emptyHelp = familiesWithEmptyHelp(input);
  const unexpected = result.lint.filter(
    (p) => !((allowNaming && isNamingProblem(p)) || (p.text === 'no help text' && emptyHelp.has(p.metric))),
  );
  if (unexpected.length > 0) {
    return `promtool lint problems not explained by the input: ${unexpected.map((p) => `${p.metric}: ${p.text}`).join('; ')}`;
  }
  if (result.code !== PROMTOOL_OK && result.code !== PROMTOOL_LINT_PROBLEMS) {
    return `promtool exited with unexpected code ${result.code}: ${result.stderr}`;
  }
  if (result.code === PROMTOOL_LINT_PROBLEMS && result.lint.length === 0) {
    return `promtool reported lint problems (exit 3) that could not be read: ${result.stderr}`;
  }
  return undefined;
}

function run(
  path: string,
  args: readonly string[],
  input: string | Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    // promtool may exit before reading everything (e.g. on a parse error): that is not our failure.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(input);
  });
}
