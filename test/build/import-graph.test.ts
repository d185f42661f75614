/**
 * The library's modules form no circle: every import (static `import` and `export ... from`, type-only
 * ones included, since a type-only circle still ties two modules' designs together) is read from
 * lib/**\/*.ts, and each strongly connected group of more than one module is printed as a failure.
 * The folders form no circle either (no arrow runs back up from a lower layer), entry modules aside:
 * an entry (`index.ts`) gathers names from several folders by design.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LIB = join(ROOT, 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative modules `file` imports or re-exports from, as lib/ paths. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (specifier === undefined || !specifier.startsWith('.')) continue;
    found.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** Tarjan's strongly connected components: the groups of modules that reach each other. */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || (graph.get(node) ?? []).includes(node)) groups.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

/** One shortest circle through `start` inside its group, for a message a person can follow. */
function circleThrough(start: string, graph: Map<string, string[]>, group: Set<string>): string[] {
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!group.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(from.get(path[0]!)!);
        return [...path, start];
      }
      if (!from.has(next)) {
        from.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

function moduleGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(LIB)) graph.set(file, importsOf(file));
  return graph;
}

/** The top folder under lib/ (`compat` for lib/compat/prom-client/...), `(root)` for lib/*.ts. */
function folderOf(file: string): string {
  const parts = relative(LIB, file).split('/');
  return parts.length === 1 ? '(root)' : parts[0]!;
}

describe('lib/ import graph', () => {
  it('has no circle (type-only imports included)', () => {
    const graph = moduleGraph();
    assert.ok(graph.size > 100, `only ${graph.size} modules found under lib/`);
    const name = (file: string): string => relative(ROOT, file);
    const report = circles(graph).map((group) => {
      const members = new Set(group);
      return `${group.length} modules, e.g. ${circleThrough(group[0]!, graph, members).map(name).join(' -> ')}\n    all: ${group.map(name).join(', ')}`;
    });
    assert.deepEqual(report, [], `import circles:\n  ${report.join('\n  ')}`);
  });

  it('has no circle between folders, entry modules aside', () => {
    const folders = new Map<string, string[]>();
    const why = new Map<string, string>();
    for (const [file, imports] of moduleGraph()) {
      if (file.endsWith('/index.ts')) continue;
      const from = folderOf(file);
      const targets = folders.get(from) ?? [];
      folders.set(from, targets);
      for (const target of imports) {
        const to = folderOf(target);
        if (to === from || targets.includes(to)) continue;
        targets.push(to);
        why.set(`${from} -> ${to}`, `${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
      }
    }
    assert.ok(folders.size > 8, `only ${folders.size} folders found under lib/`);
    const report = circles(folders).map((group) => {
      const path = circleThrough(group[0]!, folders, new Set(group));
      const arrows = path.slice(1).map((to, i) => `${path[i]} -> ${to} (${why.get(`${path[i]} -> ${to}`)})`);
      return arrows.join('; ');
    });
    assert.deepEqual(report, [], `folder circles:\n  ${report.join('\n  ')}`);
  });
});
