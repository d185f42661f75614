/**
 * Smoke tests of `npm run bench`: the CLI runs (a tiny, quick subset), keeps its output contract and
 * writes its report. No timing is asserted: only that every figure is there and is a finite number.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { goMissing } from '../../scripts/golden/differential.js';
import { inCI } from '../peers/require-peer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT = 120_000;

function bench(args: readonly string[]) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: TIMEOUT,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

function assertPositive(value: unknown, what: string): void {
  assert.equal(typeof value, 'number', `${what} is not a number: ${JSON.stringify(value)}`);
  assert.ok(Number.isFinite(value as number) && (value as number) > 0, `${what} is not finite and positive: ${value}`);
}

type Measure = Record<string, unknown> & {
  name: string;
  unit: string;
  zerotel: number;
  ratio: number | null;
  ratios: Record<string, number | null>;
  min: Record<string, number>;
  max: Record<string, number>;
};

describe('npm run bench', { timeout: TIMEOUT * 4 }, () => {
  it('--quick --json prints only JSON with every figure of the selected measures', { timeout: TIMEOUT }, () => {
    const { status, stdout, stderr } = bench(['--quick', '--json', '--only', '^(W2 gather|H1 )']);
    assert.equal(status, 0, stderr);
    const doc = JSON.parse(stdout) as { metadata: Record<string, unknown>; measures: Measure[]; errors: string[] };
    assert.equal(typeof doc.metadata.date, 'string');
    assert.ok(!Number.isNaN(Date.parse(doc.metadata.date as string)));
    assert.equal(doc.metadata.node, process.version);
    assert.equal(typeof doc.metadata.cpu, 'string');
    assert.equal(doc.metadata.quick, true);
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(doc.measures.map((m) => m.name).sort(), ['H1 bound counter inc', 'W2 gather + text']);
    for (const m of doc.measures) {
      assert.equal(typeof m.unit, 'string');
      assertPositive(m.zerotel, `${m.name} zerotel`);
      assertPositive(m['prom-client'], `${m.name} prom-client`);
      assertPositive(m.ratio, `${m.name} ratio`);
      for (const [peer, ratio] of Object.entries(m.ratios)) assertPositive(ratio, `${m.name} ratios.${peer}`);
      for (const [name, min] of Object.entries(m.min)) {
        assertPositive(min, `${m.name} min.${name}`);
        assertPositive(m.max[name], `${m.name} max.${name}`);
        assert.ok(min <= m.max[name]!, `${m.name}: min above max for ${name}`);
      }
    }
    const w2 = doc.measures.find((m) => m.name === 'W2 gather + text')!;
    assertPositive(w2.floor, 'W2 floor');
    assertPositive(w2.zerotelOverFloor, 'W2 zerotel / floor');
    // client_golang is measured in the same run wherever Go and its packages are installed (always in CI).
    const goMissingReason = goMissing();
    if (inCI())
      assert.equal(goMissingReason, undefined, 'CI=true: Go with client_golang is required for the bench peer');
    const goMeasured = goMissingReason === undefined;
    assert.deepEqual(
      Object.keys(w2.ratios).sort(),
      goMeasured ? ['client_golang', 'floor', 'prom-client'] : ['floor', 'prom-client'],
    );
    if (goMeasured) {
      for (const m of doc.measures) assertPositive(m['client_golang'], `${m.name} client_golang`);
      const h1 = doc.measures.find((m) => m.name === 'H1 bound counter inc')!;
      assert.equal(h1.reference, undefined, 'no quoted client_golang figure beside a measured one');
    }
    assert.equal(w2.ratio, w2.ratios['prom-client']);
  });

  it('--fixture benchmarks the fixture in every format', { timeout: TIMEOUT }, () => {
    const fixture = join('test', 'conformance', 'reference', 'counter_labels.json');
    const { status, stdout, stderr } = bench(['--quick', '--json', '--fixture', fixture]);
    assert.equal(status, 0, stderr);
    const doc = JSON.parse(stdout) as { measures: Measure[] };
    assert.equal(doc.measures.length, 6);
    for (const m of doc.measures) {
      assert.match(m.name, /^fixture counter_labels (text|OpenMetrics|protobuf)( \+ gzip)?$/);
      assertPositive(m.zerotel, `${m.name} zerotel`);
      assertPositive((m.info as Record<string, unknown>).bytes, `${m.name} bytes`);
      assert.equal(m.ratio, null);
    }
  });

  it('--report writes a self-contained HTML page with charts', { timeout: TIMEOUT }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-bench-'));
    try {
      const { status, stdout, stderr } = bench(['--quick', '--only', '^H1 ', '--report', dir]);
      assert.equal(status, 0, stderr);
      assert.match(stdout, /H1 bound counter inc/);
      const html = readFileSync(join(dir, 'index.html'), 'utf8');
      assert.match(html, /<svg/);
      assert.match(html, /H1 bound counter inc/);
      // The codes are defined on the page for readers who don't know the workloads.
      assert.match(html, /<dt>H1<\/dt><dd>inc\(\) on a counter child bound once<\/dd>/);
      assert.doesNotMatch(html, /<script|<link|src=/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses unknown options with exit code 2 and the usage', { timeout: TIMEOUT }, () => {
    const { status, stdout, stderr } = bench(['--no-such-option']);
    assert.equal(status, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /usage:/);
  });
});
