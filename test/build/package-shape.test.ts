/**
 * The package as a user installs it: publint and arethetypeswrong read the packed tarball (types resolve for
 * CommonJS and ESM consumers under node16/nodenext and bundler resolution), and a metrics-only bundle carries
 * no tracing, OTLP, HTTP or OPA code (the `sideEffects` field lets esbuild drop them).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');

function run(tool: string, args: readonly string[]) {
  return spawnSync(join(BIN, tool), args, { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
}

describe('package shape', { timeout: 300_000 }, () => {
  it('publint finds no problem in the packed package', () => {
    const r = run('publint', []);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All good!/, r.stdout);
  });

  it('arethetypeswrong resolves every entry for CommonJS and ESM consumers (node16, bundler)', () => {
    const r = run('attw', ['--pack', '.', '--profile', 'node16', '--format', 'json']);
    assert.equal(r.status, 0, r.stdout.slice(0, 4000) + r.stderr);
    const report = JSON.parse(r.stdout) as {
      analysis: { problems: { resolutionKind?: string }[]; entrypoints: Record<string, unknown> };
    };
    // node10 (TypeScript's pre-exports resolution) cannot see subpath entries; the node16 profile ignores it.
    assert.deepEqual(report.analysis.problems.filter((p) => p.resolutionKind !== 'node10'), []);
    assert.ok(Object.keys(report.analysis.entrypoints).includes('./metrics'));
  });

  describe('a metrics-only esbuild bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-bundle-'));
    // The package resolves through its exports map from node_modules, as in a user's project.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'zerotel'), 'dir');
    after(() => rmSync(dir, { recursive: true, force: true }));

    const unwanted = /dist\/esm\/(trace|otlp|opa|http|runtime)\//;
    for (const specifier of ['zerotel/metrics', 'zerotel']) {
      it(`from ${specifier} holds only metrics and exposition modules`, async () => {
        const entry = join(dir, `app-${specifier.replace(/\W/g, '_')}.mjs`);
        writeFileSync(
          entry,
          `import { Counter, Registry, writeText } from '${specifier}';
const registry = new Registry();
new Counter({ name: 'bundled_total', help: 'x', registers: [registry] }).inc();
console.log(writeText(registry.collect()));
`,
        );
        const result = await build({
          entryPoints: [entry],
          bundle: true,
          write: false,
          metafile: true,
          format: 'esm',
          platform: 'node',
          logLevel: 'silent',
        });
        // What the output holds: inputs esbuild read but dropped (unused, side-effect free) contribute no bytes.
        const output = Object.values(result.metafile.outputs)[0]!;
        const inputs = Object.entries(output.inputs)
          .filter(([, v]) => v.bytesInOutput > 0)
          .map(([k]) => k);
        assert.ok(inputs.some((i) => i.includes('dist/esm/metrics/counter.js')), inputs.join('\n'));
        assert.deepEqual(inputs.filter((i) => unwanted.test(i)), [], 'modules that a metrics-only app does not need');
        assert.deepEqual(output.imports.map((i) => i.path), [], 'a metrics-only bundle imports no node: built-in');
      });
    }
  });
});
