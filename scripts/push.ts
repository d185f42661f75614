/**
 * Builds a conformance fixture's metric set and pushes it once, for audits and scripts. Usage:
 *   node_modules/.bin/tsx scripts/push.ts FIXTURE.json --to MODE --url URL [--job NAME]
 * MODE and URL:
 *   otlp-grpc       http://H:P (the collector's gRPC address)
 *   otlp-http       the full URL, e.g. http://H:P/v1/metrics (protobuf)
 *   otlp-http-json  the full URL, e.g. http://H:P/v1/metrics (OTLP/JSON)
 *   remote-write    the full URL, e.g. http://H:P/api/v1/write
 *   pushgateway     the base URL, e.g. http://H:P
 * --job: the Pushgateway job (default "zerotel") and, for OTLP, the resource's service.name.
 * Exit codes: 0 the receiver answered 2xx (gRPC: OK); 1 it did not, or nothing answered (the message
 * names the endpoint and the status); 2 bad arguments, an unreadable or malformed fixture, or a fixture
 * the metrics engine refuses.
 */
import { readFileSync } from 'node:fs';
import { type Fixture, FixtureFormatError, parseFixture } from '../lib/fixture/fixture.js';
import { runFixture } from '../lib/fixture/run.js';
import type { FamilySnapshot } from '../lib/metrics/snapshot.js';
import { OtlpGrpcMetricExporter, OtlpHttpMetricExporter } from '../lib/otlp/metric-exporter.js';
import { writeText } from '../lib/exposition/text.js';
import { pushToGateway } from '../lib/push/pushgateway.js';
import { RemoteWriteClient } from '../lib/push/remote-write.js';

const MODES = ['otlp-grpc', 'otlp-http', 'otlp-http-json', 'remote-write', 'pushgateway'] as const;
type Mode = (typeof MODES)[number];

const USAGE = `usage: push.ts FIXTURE.json --to ${MODES.join('|')} --url URL [--job NAME]`;

interface Target {
  readonly url: string;
  readonly job: string;
}

/** What one push did: delivered, or not (the message names the endpoint and the status). */
type Outcome = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly message: string };

/** A push whose every attempt is the only one: the CLI reports, it does not retry. */
const ONCE = { enabled: false } as const;

/** One function per mode. */
const PUSHERS: Partial<Record<Mode, (families: readonly FamilySnapshot[], target: Target) => Promise<Outcome>>> = {
  'otlp-grpc': (families, { url, job }) =>
    otlp(new OtlpGrpcMetricExporter({ endpoint: url, retry: ONCE, resource: { 'service.name': job } }), families),
  'otlp-http': (families, { url, job }) =>
    otlp(
      new OtlpHttpMetricExporter({
        endpoint: url,
        protocol: 'http/protobuf',
        retry: ONCE,
        resource: { 'service.name': job },
      }),
      families,
    ),
  'otlp-http-json': (families, { url, job }) =>
    otlp(
      new OtlpHttpMetricExporter({
        endpoint: url,
        protocol: 'http/json',
        retry: ONCE,
        resource: { 'service.name': job },
      }),
      families,
    ),
  pushgateway: async (families, { url, job }) => {
    // PUT: the pushed set replaces whatever the group held, so one push leaves exactly the fixture's series.
    try {
      const result = await pushToGateway({ url, job, method: 'PUT', body: writeText(families), timeout: 30_000 });
      if (result.status < 200 || result.status >= 300)
        return { ok: false, message: `${url}: HTTP ${result.status} ${result.body}`.trim() };
      return {
        ok: true,
        detail: `${families.length} families to ${url} as job ${JSON.stringify(job)} (HTTP ${result.status})`,
      };
    } catch (error) {
      return { ok: false, message: `${url}: ${(error as Error).message}` };
    }
  },
  'remote-write': async (families, { url }) => {
    const result = await new RemoteWriteClient({ url, retry: ONCE }).pushFamilies(families);
    return result.kind === 'success'
      ? { ok: true, detail: `${result.samples} samples to ${url} (HTTP ${result.status})` }
      : { ok: false, message: result.message };
  },
};

async function otlp(
  exporter: OtlpGrpcMetricExporter | OtlpHttpMetricExporter,
  families: readonly FamilySnapshot[],
): Promise<Outcome> {
  try {
    const result = await exporter.export(families);
    if (result.kind === 'failure') return { ok: false, message: result.message };
    const rejected =
      result.rejectedPoints > 0
        ? `, ${result.rejectedPoints} rejected${result.message ? `: ${result.message}` : ''}`
        : '';
    return { ok: true, detail: `${result.points} points to ${exporter.config.endpoint}${rejected}` };
  } finally {
    await exporter.shutdown();
  }
}

function usage(problem: string): never {
  process.stderr.write(`push: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { file: string; mode: Mode; url: string; job: string } {
  let file: string | undefined;
  const values: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const option = /^--(to|url|job)(?:=(.*))?$/s.exec(arg);
    if (option !== null) {
      const value = option[2] ?? argv[++i];
      if (value === undefined) usage(`--${option[1]} needs a value`);
      values[option[1]!] = value;
    } else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else usage(`unexpected argument ${arg}`);
  }
  if (file === undefined) usage('missing FIXTURE.json');
  const mode = values.to;
  if (mode === undefined) usage('missing --to');
  if (!(MODES as readonly string[]).includes(mode)) usage(`unknown --to ${JSON.stringify(mode)}`);
  const url = values.url;
  if (url === undefined) usage('missing --url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    usage(`--url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    usage(`--url must be http:// or https://, got ${JSON.stringify(url)}`);
  const job = values.job ?? 'zerotel';
  if (job === '') usage('--job must not be empty');
  return { file, mode: mode as Mode, url, job };
}

async function main(): Promise<void> {
  const { file, mode, url, job } = parseArgs(process.argv.slice(2));
  const push = PUSHERS[mode];
  if (push === undefined) usage(`--to ${mode} is not yet available in this build`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    usage(`cannot read ${file}: ${(error as Error).message}`);
  }
  let fixture: Fixture;
  try {
    fixture = parseFixture(text);
  } catch (error) {
    if (!(error instanceof FixtureFormatError)) throw error;
    usage(`${file}: ${error.message}`);
  }
  const outcome = runFixture(fixture);
  if (!outcome.ok)
    usage(`${file}: the fixture was refused at stage ${outcome.failure.stage}: ${outcome.failure.message}`);
  // The gRPC transport unrefs its connection so idle exporters never hold a process open; here the push is
  // the whole point of the process, so hold it open until the push (and the connection's close) are done.
  const hold = setInterval(() => {}, 60_000);
  let result: Outcome;
  try {
    result = await push(outcome.families, { url, job });
  } finally {
    clearInterval(hold);
  }
  if (result.ok) {
    process.stdout.write(`push: ${mode}: delivered ${result.detail}\n`);
  } else {
    process.stderr.write(`push: ${mode}: ${result.message}\n`);
    process.exitCode = 1;
  }
}

await main();
