/**
 * Prometheus' own parser (through `promtool check metrics`) accepts what zerotel writes: every accepted
 * conformance fixture, the W1 and W3 workloads, and a registry using every metric type with exemplars,
 * const labels and unicode. Lint findings about names are accepted only where the input breaks naming
 * conventions on purpose (the conformance fixtures); the other inputs must come out clean.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry, Summary, writeOpenMetrics, writeText } from '../../lib/index.js';
import { parseFixture } from '../../lib/fixture/fixture.js';
import { runFixture } from '../../lib/fixture/run.js';
import { buildW1, buildW3 } from '../../bench/workloads.js';
import { zerotelSink } from '../../bench/zerotel-sink.js';
import { checkMetrics, checkMetricsHelp, findPromtool, PROMTOOL_OK, rejection } from './promtool.js';
import { assertPeer, peerOptions } from './require-peer.js';

const promtool = findPromtool();
const REFERENCE = new URL('../conformance/reference/', import.meta.url);

/** Runs promtool on `text` and fails with promtool's own words unless the result is acceptable. */
async function assertAccepted(text: string, what: string, allowNaming: boolean): Promise<void> {
  const result = await checkMetrics(text);
  const problem = rejection(result, text, allowNaming);
  assert.equal(problem, undefined, `${what}: ${problem}\n--- promtool output ---\n${result.stdout}${result.stderr}`);
  if (!allowNaming) assert.equal(result.code, PROMTOOL_OK, `${what}: promtool exit code ${result.code}`);
}

/** A registry using every metric type, const labels, exemplars and unicode (BMP and astral). */
function everyTypeRegistry(): Registry {
  const registry = new Registry();
  const registers = [registry];
  const service = { service: 'café ☕ 東京 😀' };

  const requests = new Counter({
    name: 'app_requests_total',
    help: 'Requests served, by "code" and path.\nSecond line, with a backslash \\ and 😀.',
    labelNames: ['code', 'path'],
    constLabels: service,
    registers,
  });
  requests.labels('200', '/über/😀').inc(3);
  requests.labels('500', 'quote " backslash \\ newline \n tab \t cr \r end').inc();
  requests.labels({ code: '404', path: '/missing' }).addWithExemplar(1, {
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
  });

  const plain = new Counter({ name: 'app_restarts_total', help: 'Restarts.', registers });
  plain.addWithExemplar(2.5, { trace_id: 'ünïcödé 😀' });

  const temperature = new Gauge({
    name: 'app_temperature_celsius',
    help: 'Température in °C (ℝ ∪ {NaN, ±∞}).',
    labelNames: ['room'],
    registers,
  });
  temperature.labels('Küche').set(21.5);
  temperature.labels('東京').set(-3.25);
  temperature.labels('nan').set(Number.NaN);
  temperature.labels('inf').set(Number.POSITIVE_INFINITY);
  temperature.labels('minus_inf').set(Number.NEGATIVE_INFINITY);
  temperature.labels('tiny').set(5e-324);
  temperature.labels('huge').set(1.7976931348623157e308);
  temperature.labels('').set(-0);

  const up = new Gauge({ name: 'app_up', help: '', registers });
  up.set(1);

  const latency = new Histogram({
    name: 'app_request_duration_seconds',
    help: 'Request latency.',
    labelNames: ['method'],
    constLabels: service,
    buckets: [0.005, 0.1, 1, 10],
    registers,
  });
  latency.labels('GET').observeWithExemplar(0.05, { trace_id: 'abc' });
  latency.labels('GET').observe(3);
  latency.labels('GET').observeWithExemplar(42, { trace_id: 'over every bound' });
  latency.labels('PÖST').observe(0.005);

  const batch = new Histogram({ name: 'app_batch_size_bytes', help: 'Batch sizes.', registers });
  batch.observe(1024);

  const size = new Summary({
    name: 'app_response_size_bytes',
    help: 'Response sizes.',
    labelNames: ['route'],
    objectives: { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 },
    registers,
  });
  for (let i = 1; i <= 100; i++) size.labels('/ü').observe(i * 10);
  size.labels('/empty window');

  const wait = new Summary({ name: 'app_queue_wait_seconds', help: 'Queue wait (no quantiles).', registers });
  wait.observe(0.25);
  wait.observe(1.5);
  return registry;
}

describe('promtool check metrics accepts zerotel text output', peerOptions(promtool), () => {
  it('promtool is installed', (t) => {
    assertPeer(promtool);
    t.diagnostic(`${promtool.path}: ${promtool.version}`);
  });

  const fixtures = readdirSync(REFERENCE)
    .filter((f) => f.endsWith('.json') && !f.startsWith('error_'))
    .map((f) => f.slice(0, -5))
    .sort();

  it('has reference fixtures', () => assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixtures found`));

  for (const name of fixtures) {
    it(`fixture ${name}`, async () => {
      const outcome = runFixture(parseFixture(readFileSync(new URL(`${name}.json`, REFERENCE), 'utf8')));
      assert.ok(outcome.ok, outcome.ok ? '' : `zerotel refused the fixture: ${outcome.failure.message}`);
      // Fixtures break naming conventions on purpose (names without _total, with ':', empty help...).
      await assertAccepted(writeText(outcome.families), name, true);
    });
  }

  it('workload W1 (3,000 series), lint-clean', async () => {
    const registry = new Registry();
    buildW1(zerotelSink(registry));
    await assertAccepted(writeText(registry.collect()), 'W1', false);
  });

  it('workload W3 (100,000 series), lint-clean', async () => {
    const registry = new Registry();
    buildW3(zerotelSink(registry));
    await assertAccepted(writeText(registry.collect()), 'W3', false);
  });

  it('every metric type with exemplars, const labels and unicode, lint-clean', async () => {
    const text = writeText(everyTypeRegistry().collect());
    // The input really contains what the test is about.
    assert.match(text, /service="café ☕ 東京 😀"/);
    assert.match(text, /_bucket\{/);
    assert.match(text, /quantile="0\.99"/);
    assert.match(text, /room="nan"\} NaN/);
    // Empty help on app_up: promlint says "no help text", which `rejection` accepts for an empty HELP only.
    const result = await checkMetrics(text);
    assert.equal(rejection(result, text, false), undefined, `${result.stdout}${result.stderr}`);
    assert.deepEqual(result.lint, [{ metric: 'app_up', text: 'no help text' }]);
  });

  it('OpenMetrics output: promtool checks the exemplar-free part; python checks the rest', async () => {
    // promtool's `check metrics` (2.42 on Debian 12) reads only the text format 0.0.4, and OpenMetrics
    // exemplars (` # {...}`) are a syntax error for its parser. So the exemplar-free OpenMetrics samples
    // (counters with `_total`, gauges, histograms, summaries, `# EOF`) go through it here, in its own
    // grammar, and the full OpenMetrics output is read by Python's OpenMetrics parser
    // (python-parsers.test.ts).
    const help = await checkMetricsHelp();
    const om = writeOpenMetrics(everyTypeRegistry().collect());
    if (/openmetrics/i.test(help)) {
      const full = await checkMetrics(om);
      assert.equal(full.parseError, undefined, `${full.stdout}${full.stderr}`);
      return;
    }
    const withoutExemplars = om
      .split('\n')
      // OpenMetrics escapes `"` in HELP, which the text grammar does not know.
      .map((line) => (line.startsWith('# HELP') ? line.replaceAll('\\"', '"') : line))
      .map((line) => (line.startsWith('#') ? line : line.replace(/ # \{.*$/, '')))
      .filter((line) => line !== '# EOF' && !line.startsWith('# UNIT'))
      .join('\n');
    const result = await checkMetrics(withoutExemplars);
    assert.equal(result.parseError, undefined, `${result.stdout}${result.stderr}`);
  });
});
