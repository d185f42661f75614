/**
 * Renders conformance fixtures (JSON: families and the operations applied to them), byte for byte.
 *
 *   npx tsx scripts/render.ts FIXTURE.json --format text|openmetrics|protobuf
 *     One fixture to stdout in one format. Exit codes: 0 rendered; 1 the fixture was refused (stderr
 *     starts with `stage: <stage>`); 2 bad arguments or an unreadable/malformed fixture file.
 *
 *   npx tsx scripts/render.ts --batch IN_DIR --out OUT_DIR
 *     Every `*.json` in IN_DIR, in one process, into OUT_DIR in the Go generator's layout: NAME.txt,
 *     NAME.om.txt and NAME.pb, or NAME.error.txt for a refused fixture (a stale output of the other
 *     kind is removed). Exit codes: 0 every fixture was read (refusals included); 2 bad arguments, or
 *     some fixture was unreadable or malformed (each named on stderr; the others are still written).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Fixture, FixtureFormatError, parseFixtureBytes } from '../lib/fixture/fixture.js';
import { failureReport, fixtureOutputs, OUTPUT_SUFFIXES } from '../lib/fixture/outputs.js';
import { runFixture } from '../lib/fixture/run.js';
import { type ExpositionFormat, renderFormat } from '../lib/exposition/render.js';

const USAGE =
  'usage: render.ts FIXTURE.json --format text|openmetrics|protobuf\n' +
  '       render.ts --batch IN_DIR --out OUT_DIR';

type Args =
  | { mode: 'single'; file: string; format: ExpositionFormat }
  | { mode: 'batch'; inDir: string; outDir: string };

function parseArgs(argv: readonly string[]): Args {
  let file: string | undefined;
  let format: string | undefined;
  let inDir: string | undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--format') format = argv[++i];
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else if (arg === '--batch') inDir = argv[++i] ?? usage('--batch needs IN_DIR');
    else if (arg.startsWith('--batch=')) inDir = arg.slice('--batch='.length);
    else if (arg === '--out') outDir = argv[++i] ?? usage('--out needs OUT_DIR');
    else if (arg.startsWith('--out=')) outDir = arg.slice('--out='.length);
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else usage(`unexpected argument ${arg}`);
  }
  if (inDir !== undefined || outDir !== undefined) {
    if (inDir === undefined) usage('--out needs --batch IN_DIR');
    if (outDir === undefined) usage('missing --out OUT_DIR');
    if (file !== undefined) usage(`unexpected argument ${file} with --batch`);
    if (format !== undefined) usage('--format does not apply to --batch (it writes all three formats)');
    return { mode: 'batch', inDir, outDir };
  }
  if (file === undefined) usage('missing FIXTURE.json');
  if (format !== 'text' && format !== 'openmetrics' && format !== 'protobuf') {
    usage(format === undefined ? 'missing --format' : `unknown format ${JSON.stringify(format)}`);
  }
  return { mode: 'single', file, format };
}

function usage(problem: string): never {
  process.stderr.write(`render: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

/** Reads and parses a fixture; on failure, says why on stderr and returns undefined. */
function load(file: string): Fixture | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    process.stderr.write(`render: cannot read ${file}: ${(error as Error).message}\n`);
    return undefined;
  }
  try {
    return parseFixtureBytes(bytes);
  } catch (error) {
    if (!(error instanceof FixtureFormatError)) throw error;
    process.stderr.write(`render: ${file}: ${error.message}\n`);
    return undefined;
  }
}

function single(file: string, format: ExpositionFormat): number {
  const fixture = load(file);
  if (fixture === undefined) return 2;
  const outcome = runFixture(fixture);
  if (!outcome.ok) {
    process.stderr.write(failureReport(outcome.failure));
    return 1;
  }
  process.stdout.write(renderFormat(outcome.families, format));
  return 0;
}

function batch(inDir: string, outDir: string): number {
  let names: string[];
  try {
    names = readdirSync(inDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (error) {
    process.stderr.write(`render: cannot list ${inDir}: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    process.stderr.write(`render: cannot create ${outDir}: ${(error as Error).message}\n`);
    return 2;
  }
  let status = 0;
  for (const name of names) {
    const fixture = load(join(inDir, name));
    if (fixture === undefined) {
      status = 2;
      continue;
    }
    const outputs = fixtureOutputs(fixture);
    const base = join(outDir, basename(name, '.json'));
    for (const suffix of OUTPUT_SUFFIXES) {
      const content = outputs.get(suffix);
      if (content === undefined) rmSync(base + suffix, { force: true });
      else writeFileSync(base + suffix, content);
    }
  }
  return status;
}

const args = parseArgs(process.argv.slice(2));
process.exitCode = args.mode === 'single' ? single(args.file, args.format) : batch(args.inDir, args.outDir);
