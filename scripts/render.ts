/**
 * Renders a conformance fixture (JSON: families and the operations applied to them) to stdout in one
 * exposition format, byte for byte. Usage:
 *   npx tsx scripts/render.ts FIXTURE.json --format text|openmetrics|protobuf
 * Exit codes: 0 rendered; 1 the fixture was refused (stderr starts with `stage: <stage>`);
 * 2 bad arguments or an unreadable/malformed fixture file.
 */
import { readFileSync } from 'node:fs';
import { FixtureFormatError, parseFixture } from '../lib/fixture/fixture.js';
import { runFixture } from '../lib/fixture/run.js';
import { type ExpositionFormat, renderFormat } from '../lib/exposition/render.js';

const USAGE = 'usage: render.ts FIXTURE.json --format text|openmetrics|protobuf';

function parseArgs(argv: readonly string[]): { file: string; format: ExpositionFormat } {
  let file: string | undefined;
  let format: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--format') format = argv[++i];
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else usage(`unexpected argument ${arg}`);
  }
  if (file === undefined) usage('missing FIXTURE.json');
  if (format !== 'text' && format !== 'openmetrics' && format !== 'protobuf') {
    usage(format === undefined ? 'missing --format' : `unknown format ${JSON.stringify(format)}`);
  }
  return { file, format };
}

function usage(problem: string): never {
  process.stderr.write(`render: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

const { file, format } = parseArgs(process.argv.slice(2));
let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  process.stderr.write(`render: cannot read ${file}: ${(error as Error).message}\n`);
  process.exit(2);
}
let fixture;
try {
  fixture = parseFixture(text);
} catch (error) {
  if (!(error instanceof FixtureFormatError)) throw error;
  process.stderr.write(`render: ${file}: ${error.message}\n`);
  process.exit(2);
}
const outcome = runFixture(fixture);
if (!outcome.ok) {
  const f = outcome.failure;
  let report = `stage: ${f.stage}\n`;
  if (f.familyIndex !== undefined) report += `family_index: ${f.familyIndex}\nfamily: ${JSON.stringify(f.family)}\n`;
  if (f.opIndex !== undefined) report += `op_index: ${f.opIndex}\n`;
  report += `error: ${f.message}\n`;
  process.stderr.write(report);
  process.exit(1);
}
process.stdout.write(renderFormat(outcome.families, format));
