/**
 * The ES module build is an esbuild bundle with code splitting (scripts/bundle-esm.mjs): each entry of the
 * exports map keeps its path, shared code sits in dist/esm/chunks/. This checks what the splitting must not
 * break: each library module is built once (one class, so `instanceof` holds across entries), the entries
 * that run without Node load no `node:` module (the library reaches Node's built-ins lazily, at run time, and
 * the bundle must not hoist them), and the binding modules that `sideEffects` names are files of their own.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const META = join(ROOT, 'build', 'esm-metafile.json');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { import?: { default?: string } } | string>;
  sideEffects: string[];
  scripts: Record<string, string>;
};

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }>; entryPoint?: string }>;
}

function metafile(): Metafile {
  assert.ok(existsSync(META), `${META} is missing: run \`npm run build\``);
  return JSON.parse(readFileSync(META, 'utf8')) as Metafile;
}

/** Specifiers of the static imports and re-exports in esbuild's output (each starts a line there). */
function staticImports(code: string): string[] {
  return [
    ...code.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*"([^"]+)"/gm),
    ...code.matchAll(/^import\s*"([^"]+)"/gm),
  ].map((m) => m[1]!);
}

/** Every built file an import of `entry` loads (repository-relative), and the non-relative specifiers it meets. */
function loadGraph(entry: string): { files: string[]; external: string[] } {
  const files: string[] = [];
  const external = new Set<string>();
  const queue = [join(ROOT, entry)];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const name = relative(ROOT, file);
    if (files.includes(name)) continue;
    files.push(name);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else external.add(spec);
    }
  }
  return { files, external: [...external].sort() };
}

const esmEntry = (subpath: string): string => {
  const target = manifest.exports[subpath];
  assert.ok(typeof target === 'object' && target.import?.default !== undefined, `no ESM entry for ${subpath}`);
  return target.import.default.replace(/^\.\//, '');
};

describe('the ES module bundle (dist/esm)', () => {
  it('builds each library module into exactly one file', () => {
    const builtIn = new Map<string, string[]>();
    for (const [file, output] of Object.entries(metafile().outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        if (bytesInOutput > 0) builtIn.set(input, [...(builtIn.get(input) ?? []), file]);
      }
    }
    assert.ok(builtIn.has('build/esm/metrics/counter.js'), [...builtIn.keys()].join('\n'));
    const twice = [...builtIn].filter(([, files]) => files.length > 1).map(([m, files]) => `${m}: ${files.join(', ')}`);
    assert.deepEqual(twice, [], 'modules built into more than one file (a class per copy)');
  });

  it('keeps every entry of the exports map, the npm start program and the binding modules at their paths', () => {
    const outputs = new Set(Object.keys(metafile().outputs));
    const entries = Object.keys(manifest.exports)
      .filter((k) => k !== './package.json')
      .map(esmEntry);
    const program = /\bnode (dist\/esm\/\S+\.js)/.exec(manifest.scripts.start!)?.[1];
    assert.equal(program, 'dist/esm/opa/serve-cli.js');
    const bindings = manifest.sideEffects
      .filter((p) => !p.endsWith('/index.js'))
      .map((p) => p.replace(/^\.\/dist\/\*\//, 'dist/esm/'));
    assert.equal(bindings.length, 3);
    for (const file of [...entries, program, ...bindings]) {
      assert.ok(outputs.has(file), `${file} is not a file of the build`);
      assert.ok(existsSync(join(ROOT, file)), `${file} is missing`);
      assert.ok(existsSync(join(ROOT, file.replace(/\.js$/, '.d.ts'))), `${file}: no .d.ts beside it`);
    }
    // The rest are shared chunks, all in one folder.
    const others = [...outputs].filter((f) => !entries.includes(f) && f !== program && !bindings.includes(f));
    assert.deepEqual(
      others.filter((f) => !f.startsWith('dist/esm/chunks/') && !f.startsWith('dist/esm/fixture/')),
      [],
    );
  });

  for (const subpath of ['./metrics', './otlp']) {
    it(`zerotel${subpath.slice(1)} loads no node: module (built-ins stay lazy)`, () => {
      const graph = loadGraph(esmEntry(subpath));
      assert.ok(
        graph.files.some((f) => f.startsWith('dist/esm/chunks/')),
        `the walk read no chunk: ${graph.files.join(', ')}`,
      );
      assert.deepEqual(graph.external, [], `static imports of ${graph.files.join(', ')}`);
    });
  }

  it('the root entry loads the binding modules as the files `sideEffects` names', () => {
    const graph = loadGraph(esmEntry('.'));
    for (const binding of ['dist/esm/trace/processors/batch-metrics.js', 'dist/esm/otlp/exporter-metrics.js'])
      assert.ok(graph.files.includes(binding), `${binding} is not loaded by the root entry`);
    // The root entry carries the Node-only parts (runtime metrics, HTTP handlers), so the walk does meet node:
    // there; it proves the walk sees a bundle's static imports of built-ins.
    assert.ok(graph.external.length > 0 && graph.external.every((s) => s.startsWith('node:')), graph.external.join());
  });
});
