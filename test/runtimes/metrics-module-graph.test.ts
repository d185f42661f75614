/**
 * zerotel/metrics must load on runtimes without Node's built-ins (workerd without nodejs_compat): this walks
 * the module graph of its entry from source and fails on any import that is not one of our own modules,
 * on Node-only globals, and on timers, randomness or I/O started while a module loads. zerotel/otlp, whose
 * gRPC parts use Node when they run, is held to less: it loads no Node module and starts nothing while loading.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = resolve(ROOT, 'lib/metrics/index.ts');

/** Globals that exist on Node (and Bun) but not on workerd or in the web platform. */
const NODE_ONLY_GLOBALS = new Set([
  'Buffer',
  'process',
  'setImmediate',
  'clearImmediate',
  'require',
  'module',
  '__dirname',
  '__filename',
  'global',
]);

/** Calls that workerd refuses while a script is being loaded (timers, randomness, I/O). */
const FORBIDDEN_AT_LOAD = new Set([
  'setTimeout',
  'setInterval',
  'queueMicrotask',
  'fetch',
  'Math.random',
  'crypto.getRandomValues',
  'crypto.randomUUID',
]);

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

interface Graph {
  readonly files: string[];
  readonly findings: Finding[];
}

function where(source: ts.SourceFile, node: ts.Node): { file: string; line: number } {
  return {
    file: relative(ROOT, source.fileName),
    line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
  };
}

/** Module specifiers of static imports/re-exports, dynamic import() and require() calls. */
function specifiers(source: ts.SourceFile): { spec: string; node: ts.Node }[] {
  const found: { spec: string; node: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push({ spec: node.moduleSpecifier.text, node });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const arg = node.arguments[0]!;
      if (isDynamicImport || isRequire) {
        found.push({ spec: ts.isStringLiteralLike(arg) ? arg.text : '<computed>', node });
      }
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) found.push({ spec: arg.literal.text, node });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** True when `id` is a name being read, not a property name, a declaration's name or a label. */
function isFreeReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (ts.isQualifiedName(parent) && parent.right === id) return false;
  if (
    (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) &&
    parent.name === id
  ) {
    return false;
  }
  if (
    (ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessor(parent) ||
      ts.isSetAccessor(parent)) &&
    parent.name === id
  ) {
    return false;
  }
  if (ts.isParameter(parent) || ts.isVariableDeclaration(parent) || ts.isBindingElement(parent))
    return parent.name !== id;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  return true;
}

/** Reads of Node-only globals. Strict by design: a local that shadows one of these names counts too. */
function nodeOnlyGlobals(source: ts.SourceFile): Finding[] {
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && NODE_ONLY_GLOBALS.has(node.text) && isFreeReference(node)) {
      findings.push({ ...where(source, node), problem: `uses the Node-only global ${node.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) {
    const target = callee.expression;
    const base = ts.isIdentifier(target)
      ? target.text
      : ts.isPropertyAccessExpression(target) &&
          ts.isIdentifier(target.expression) &&
          target.expression.text === 'globalThis'
        ? target.name.text
        : '';
    return base === 'globalThis' ? callee.name.text : base + '.' + callee.name.text;
  }
  return '';
}

/**
 * Calls that run while the module loads: everything at top level except inside function bodies and
 * non-static class members (those run only when called or constructed).
 */
function loadTimeCalls(source: ts.SourceFile): Finding[] {
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node)) return;
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        const isStatic =
          ts.isClassStaticBlockDeclaration(member) ||
          (ts.isPropertyDeclaration(member) && (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) !== 0);
        if (isStatic) visit(member);
      }
      for (const clause of node.heritageClauses ?? []) visit(clause);
      return;
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node);
      if (FORBIDDEN_AT_LOAD.has(name))
        findings.push({ ...where(source, node), problem: `calls ${name} while the module loads` });
    }
    ts.forEachChild(node, visit);
  };
  for (const statement of source.statements) visit(statement);
  return findings;
}

/** Every module reachable from `entry` through relative imports, with what is wrong in each. */
function walk(entry: string): Graph {
  const files: string[] = [];
  const findings: Finding[] = [];
  const queue = [entry];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    files.push(relative(ROOT, file));
    const source = parse(file);
    for (const { spec, node } of specifiers(source)) {
      if (spec.startsWith('./') || spec.startsWith('../')) {
        queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      } else {
        findings.push({
          ...where(source, node),
          problem: `imports '${spec}', which is not one of zerotel's own modules`,
        });
      }
    }
    findings.push(...nodeOnlyGlobals(source), ...loadTimeCalls(source));
  }
  return { files, findings };
}

/**
 * Imports that load another module while this one loads: static imports and re-exports that are not
 * `import type`/`export type` (under verbatimModuleSyntax every other one stays in the JavaScript).
 */
function staticValueImports(source: ts.SourceFile): Finding[] {
  const findings: Finding[] = [];
  for (const statement of source.statements) {
    const spec =
      (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) ||
      (ts.isExportDeclaration(statement) && !statement.isTypeOnly)
        ? statement.moduleSpecifier
        : undefined;
    if (spec === undefined || !ts.isStringLiteral(spec)) continue;
    if (!spec.text.startsWith('./') && !spec.text.startsWith('../'))
      findings.push({ ...where(source, statement), problem: `loads '${spec.text}' while it loads` });
  }
  return findings;
}

/** A module's syntax tree, from its file or from `text`. */
function parse(file: string, text = readFileSync(file, 'utf8')): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

function report(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}: ${f.problem}`).join('\n');
}

describe('zerotel/metrics loads without Node built-ins', () => {
  it('imports only its own modules, uses no Node-only global and starts nothing while loading', () => {
    const graph = walk(ENTRY);
    // The walk reached the writers and the engine, so the check covers what the entry really loads.
    for (const expected of [
      'lib/metrics/registry.ts',
      'lib/exposition/text.ts',
      'lib/exposition/protobuf.ts',
      'lib/protobuf/writer.ts',
    ]) {
      assert.ok(graph.files.includes(expected), `${expected} should be reachable from the entry`);
    }
    assert.equal(report(graph.findings), '', `zerotel/metrics is not runtime-neutral:\n${report(graph.findings)}`);
  });

  it('catches each kind of problem (checked on a module that has them all)', () => {
    const source = parse(
      'bad.ts',
      [
        "import { gzipSync } from 'node:zlib';",
        "export { x } from 'some-package';",
        'const pending = setTimeout(() => {}, 1);',
        'const seed = Math.random();',
        'export function size(s: string): number { return Buffer.byteLength(s) + (process.pid ?? 0); }',
        'export class Later { static id = globalThis.crypto.getRandomValues(new Uint8Array(1)); run() { setImmediate(() => {}); } }',
        'export function fine(): void { setTimeout(() => {}, 1); }',
      ].join('\n'),
    );
    const problems = [
      ...specifiers(source).map((s) => s.spec),
      ...nodeOnlyGlobals(source).map((f) => `${f.line}: ${f.problem}`),
      ...loadTimeCalls(source).map((f) => `${f.line}: ${f.problem}`),
    ];
    assert.deepEqual(problems, [
      'node:zlib',
      'some-package',
      '5: uses the Node-only global Buffer',
      '5: uses the Node-only global process',
      '6: uses the Node-only global setImmediate',
      '3: calls setTimeout while the module loads',
      '4: calls Math.random while the module loads',
      '6: calls crypto.getRandomValues while the module loads',
    ]);
  });
});

describe('zerotel/otlp loads without Node built-ins', () => {
  // Its gRPC parts use Node (node:http2, Buffer) when they run; loading the entry must not need it, so
  // that the OTLP/HTTP exporters and the periodic reader work on workerd.
  it('loads no module but its own and starts nothing while loading', () => {
    const graph = walk(resolve(ROOT, 'lib/otlp/index.ts'));
    for (const expected of ['lib/otlp/grpc-transport.ts', 'lib/otlp/metric-exporter.ts', 'lib/otlp/periodic-reader.ts'])
      assert.ok(graph.files.includes(expected), `${expected} should be reachable from the entry`);
    const findings = graph.files.flatMap((file) => {
      const source = parse(resolve(ROOT, file));
      return [...staticValueImports(source), ...loadTimeCalls(source)];
    });
    assert.equal(report(findings), '', `zerotel/otlp cannot load everywhere:\n${report(findings)}`);
  });

  it('tells imports that load a module from those that are types only', () => {
    const source = parse(
      'mixed.ts',
      [
        "import type http2 from 'node:http2';",
        "import { type Socket } from 'node:net';",
        "export type { Readable } from 'node:stream';",
        "export { gzip } from 'node:zlib';",
        "import { helper } from './helper.js';",
        "export function later(): Promise<unknown> { return import('node:fs'); }",
      ].join('\n'),
    );
    assert.deepEqual(
      staticValueImports(source).map((f) => `${f.line}: ${f.problem}`),
      ["2: loads 'node:net' while it loads", "4: loads 'node:zlib' while it loads"],
    );
  });
});
