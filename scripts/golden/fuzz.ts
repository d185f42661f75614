/**
 * The differential fuzzer from the command line: random fixtures through client_golang and zerotel.
 *
 *   npx tsx scripts/golden/fuzz.ts [--count N] [--seed S] [--rounds R] [--keep DIR]
 *
 * Each round generates N fixtures (default 5000) from a seed (default: random, printed), renders them on
 * both sides and compares; R rounds use the seeds S, S+1, ... Exit 1 on any difference the deviation
 * table (scripts/golden/deviations.ts, docs/exactness.md) does not expect, after printing the first ones
 * minimised. --keep DIR keeps the fixtures and both sides' outputs of the last round.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGo, formatRound, goMissing, runRound } from './differential.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`fuzz: ${name} needs a non-negative integer\n`);
    process.exit(2);
  }
  return value;
}

const count = option('--count', 5000);
const rounds = option('--rounds', 1);
const seed = option('--seed', Math.floor(Math.random() * 2 ** 32));
const keepAt = process.argv.indexOf('--keep');
const keep = keepAt < 0 ? undefined : process.argv[keepAt + 1];

const missing = goMissing();
if (missing !== undefined) {
  process.stderr.write(`fuzz: cannot run the Go side: ${missing}\n`);
  process.exit(2);
}
const binary = join(mkdtempSync(join(tmpdir(), 'zerotel-golden-')), 'golden');
buildGo('./scripts/golden', binary);
let failed = false;
for (let r = 0; r < rounds; r++) {
  const started = Date.now();
  const result = runRound({
    seed: (seed + r) >>> 0,
    count,
    goBinary: binary,
    workDir: r === rounds - 1 ? keep : undefined,
  });
  process.stdout.write(`${formatRound(result)}\n  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (result.mismatches.length > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
