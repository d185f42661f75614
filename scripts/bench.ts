/**
 * `npm run bench`: zerotel against prom-client and the floor (the cost of writing the bytes alone), every
 * group of measures in a fresh child process, peers interleaved with zerotel in the same run.
 *
 *   npm run bench -- [--quick] [--json] [--report DIR] [--only REGEX] [--fixture FILE] [--list]
 *
 * stdout carries only the result (the table, or JSON with --json); progress goes to stderr.
 * Exit codes: 0 done; 1 a group of measures failed; 2 bad arguments or an unusable fixture file.
 */
import { readFileSync } from 'node:fs';
import { GROUPS } from '../bench/cases/index.js';
import { measureFilter, type BenchGroup } from '../bench/group.js';
import { writeHtmlReport } from '../bench/html.js';
import { parseCli, USAGE, UsageError, type CliOptions } from '../bench/options.js';
import { Progress } from '../bench/progress.js';
import { buildDocument, renderTable } from '../bench/report.js';
import { runGroups } from '../bench/runner.js';
import { FixtureFormatError, parseFixture } from '../lib/fixture/fixture.js';

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

function fail(problem: string): never {
  process.stderr.write(`bench: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

function options(): CliOptions {
  try {
    return parseCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
}

/** Refuses an unreadable or malformed fixture before any child starts. */
function checkFixture(file: string): void {
  try {
    parseFixture(readFileSync(file, 'utf8'));
  } catch (error) {
    if (error instanceof FixtureFormatError) fail(`${file}: ${error.message}`);
    fail(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function main(): Promise<void> {
  const cli = options();
  if (cli.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (cli.fixture !== undefined) checkFixture(cli.fixture);
  const wants = measureFilter(cli.only);
  const mode = cli.fixture === undefined ? 'standard' : 'fixture';
  const groups: BenchGroup[] = GROUPS.filter((g) => g.mode === mode && g.measureNames(cli).some(wants));
  if (cli.list) {
    const names = GROUPS.filter((g) => g.mode === mode).flatMap((g) => g.measureNames(cli));
    process.stdout.write(names.map((name) => name + '\n').join(''));
    return;
  }
  if (groups.length === 0) fail(`no measure matches --only ${JSON.stringify(cli.only)} (see --list)`);

  const started = new Date();
  const t0 = performance.now();
  const progress = new Progress();
  const { results, errors } = await runGroups(
    groups,
    { quick: cli.quick, only: cli.only, fixture: cli.fixture },
    {
      onGroup: (group, i, n) => progress.stage(`[${i + 1}/${n}] ${group.title}`),
      onProgress: (text) => progress.update(text),
      onOutput: (text) => progress.log(text),
    },
  );
  progress.done();
  for (const e of errors) process.stderr.write(`bench: group ${e}\n`);

  const doc = buildDocument(results, errors, {
    quick: cli.quick,
    only: cli.only,
    fixture: cli.fixture,
    durationSeconds: (performance.now() - t0) / 1000,
    date: started,
  });
  if (cli.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else process.stdout.write(renderTable(doc));
  if (cli.report !== undefined) process.stderr.write(`bench: report written to ${writeHtmlReport(cli.report, doc)}\n`);
  if (errors.length > 0) process.exitCode = 1;
}

await main();
