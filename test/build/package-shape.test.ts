/**
 * The package as a user installs it: publint and arethetypeswrong read the packed tarball (types resolve for
 * CommonJS and ESM consumers under node16/nodenext and bundler resolution), and a metrics-only bundle carries
 * no tracing, OTLP, HTTP or OPA code (the `sideEffects` field lets esbuild drop them).
 *
 * dist/esm is itself an esbuild bundle (entries and shared chunks), so a user's bundle is read in library
 * modules through the build's metafile (build/esm-metafile.json): a built file that puts any byte in the user's
 * bundle counts with every library module it holds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The binding modules (and the slot and observer types they fill) that the root entry loads for `registry` options. */
const BINDING_GLUE = [
  'lib/trace/binding-slot.ts',
  'lib/trace/processors/batch-observer.ts',
  'lib/trace/processors/batch-metrics.ts',
  'lib/otlp/span-export-observer.ts',
  'lib/otlp/exporter-metrics.ts',
];
const BIN = join(ROOT, 'node_modules', '.bin');
const BUILD_METAFILE = join(ROOT, 'build', 'esm-metafile.json');

/** The library modules (lib/...ts) each built file of dist/esm holds, from the metafile the build wrote. */
function builtModules(): Map<string, string[]> {
  assert.ok(existsSync(BUILD_METAFILE), `${BUILD_METAFILE} is missing: run \`npm run build\``);
  const meta = JSON.parse(readFileSync(BUILD_METAFILE, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  return new Map(
    Object.entries(meta.outputs).map(([file, output]) => [
      file,
      Object.entries(output.inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([input]) => input.replace(/^build\/esm\//, 'lib/').replace(/\.js$/, '.ts')),
    ]),
  );
}

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
    assert.deepEqual(
      report.analysis.problems.filter((p) => p.resolutionKind !== 'node10'),
      [],
    );
    assert.ok(Object.keys(report.analysis.entrypoints).includes('./metrics'));
  });

  it('a bundle of BatchSpanProcessor({ registry }) from the root entry keeps the metrics binding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-bundle-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(ROOT, join(dir, 'node_modules', 'zerotel'), 'dir');
      writeFileSync(
        join(dir, 'app.mjs'),
        `import { BatchSpanProcessor, Registry, writeText } from 'zerotel';
const registry = new Registry();
new BatchSpanProcessor({ export: async () => ({ kind: 'success' }), shutdown: async () => {} }, { registry, flushOnExit: false });
console.log(writeText(registry.collect()).split('\\n').filter((l) => l.startsWith('# TYPE')).join('\\n'));
`,
      );
      await build({
        entryPoints: [join(dir, 'app.mjs')],
        bundle: true,
        outfile: join(dir, 'out.mjs'),
        format: 'esm',
        platform: 'node',
        logLevel: 'silent',
      });
      const run = spawnSync(process.execPath, [join(dir, 'out.mjs')], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(
        run.stdout,
        [
          '# TYPE zerotel_trace_export_duration_seconds histogram',
          '# TYPE zerotel_trace_queue_capacity gauge',
          '# TYPE zerotel_trace_queue_size gauge',
          '# TYPE zerotel_trace_spans_dropped_total counter',
          '# TYPE zerotel_trace_spans_exported_total counter',
          '',
        ].join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a metrics-only esbuild bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zerotel-bundle-'));
    // The package resolves through its exports map from node_modules, as in a user's project.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'zerotel'), 'dir');
    after(() => rmSync(dir, { recursive: true, force: true }));

    const unwanted = /^lib\/(trace|otlp|opa|http|runtime)\//;
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
          // Input paths in the metafile are relative to this directory.
          absWorkingDir: ROOT,
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
        const files = Object.entries(output.inputs)
          .filter(([, v]) => v.bytesInOutput > 0)
          .map(([k]) => relative(ROOT, resolve(ROOT, k)));
        const held = builtModules();
        const inputs = files.flatMap((f) =>
          f.startsWith('dist/') ? (held.get(f) ?? [`${f} (not in the build)`]) : [],
        );
        assert.ok(
          inputs.some((i) => i === 'lib/metrics/counter.ts'),
          inputs.join('\n'),
        );
        // The root entry keeps the bindings of the engines' `registry` options (a few lines of glue, no tracer,
        // exporter or transport), so that BatchSpanProcessor({ registry }) works in a bundle too.
        const glue = specifier === 'zerotel' ? BINDING_GLUE : [];
        assert.deepEqual(
          inputs.filter((i) => unwanted.test(i) && !glue.includes(i)),
          [],
          'modules that a metrics-only app does not need',
        );
        assert.deepEqual(
          output.imports.map((i) => i.path),
          [],
          'a metrics-only bundle imports no node: built-in',
        );
      });
    }
  });
});
