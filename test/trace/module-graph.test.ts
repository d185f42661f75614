/**
 * Tracing loads without the metrics engine: walks the modules zerotel/trace loads at run time (static
 * imports and re-exports that are not type-only, and dynamic imports) from source, and fails on any in
 * lib/metrics/. The metrics bindings (`*-metrics.ts`) are the only bridge, and the trace entry loads none.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Relative specifiers of the imports that load a module when `source` runs (type-only ones load nothing). */
function runtimeImports(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isImportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly ||
        (clause !== undefined &&
          ts.isNamedExports(clause) &&
          clause.elements.length > 0 &&
          clause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      found.push(arg !== undefined && ts.isStringLiteralLike(arg) ? arg.text : '<computed>');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Each module `entry` loads at run time (relative to the repository), with the module that loads it. */
function loadedModules(entry: string): Map<string, string> {
  const loadedBy = new Map<string, string>([[relative(ROOT, entry), '(entry)']]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const source = ts.createSourceFile(
      file,
      readFileSync(file, 'utf8'),
      ts.ScriptTarget.ES2022,
      true,
      ts.ScriptKind.TS,
    );
    for (const spec of runtimeImports(source)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const key = relative(ROOT, target);
      if (loadedBy.has(key)) continue;
      loadedBy.set(key, relative(ROOT, file));
      queue.push(target);
    }
  }
  return loadedBy;
}

function metricsModules(loaded: Map<string, string>): string[] {
  return [...loaded]
    .filter(([file]) => file.startsWith('lib/metrics/'))
    .map(([file, by]) => `${file} (loaded by ${by})`);
}

describe('zerotel/trace loads no module of the metrics engine', () => {
  it('the trace entry reaches the processors, and nothing in lib/metrics/', () => {
    const loaded = loadedModules(resolve(ROOT, 'lib/trace/index.ts'));
    for (const expected of [
      'lib/trace/processors/batch-span-processor.ts',
      'lib/trace/processors/encoded-queue.ts',
      'lib/trace/tracer.ts',
    ]) {
      assert.ok(loaded.has(expected), `${expected} should be reachable from the entry`);
    }
    assert.deepEqual(metricsModules(loaded), []);
  });

  it('neither do the OTLP span exporters', () => {
    for (const engine of ['lib/otlp/grpc-trace-exporter.ts', 'lib/otlp/http-trace-exporter.ts']) {
      assert.deepEqual(metricsModules(loadedModules(resolve(ROOT, engine))), [], engine);
    }
  });

  it('the bindings do load it, so the walk sees through re-exports and type-only imports', () => {
    const loaded = loadedModules(resolve(ROOT, 'lib/trace/batch.ts'));
    assert.ok(loaded.has('lib/metrics/counter.ts'));
    const source = ts.createSourceFile(
      'probe.ts',
      [
        "import type { A } from './a.js';",
        "import { type B } from './b.js';",
        "import { type C, d } from './c.js';",
        "export type { E } from './e.js';",
        "export { f } from './f.js';",
        "import './g.js';",
        "const h = () => import('./h.js');",
      ].join('\n'),
      ts.ScriptTarget.ES2022,
      true,
      ts.ScriptKind.TS,
    );
    assert.deepEqual(runtimeImports(source), ['./c.js', './f.js', './g.js', './h.js']);
  });
});
