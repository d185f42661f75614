/**
 * The built package works on its own: dist/ (built by `npm run build`, which `npm test` runs first) is
 * installed into a temporary directory outside the repository, where no node_modules can help it, and
 * imported by its name from plain `node` (no tsx, no loader), as a user's program would.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  files?: string[];
  dependencies?: Record<string, string>;
  exports?: unknown;
};

const PROGRAM = `import { Counter, Registry, writeText } from 'zerotel';

const registry = new Registry();
const requests = new Counter({
  name: 'dist_requests_total',
  help: 'Requests served by the installed package.',
  labelNames: ['code', 'method'],
  registers: [registry],
});
requests.labels('200', 'GET').inc();
requests.labels('200', 'GET').inc(2);
requests.labels('500', 'POST').inc(0.5);
requests.labels({ code: '404', method: 'GET' }).inc();
process.stdout.write(writeText(registry.collect()));
`;

const EXPECTED = [
  '# HELP dist_requests_total Requests served by the installed package.',
  '# TYPE dist_requests_total counter',
  'dist_requests_total{code="200",method="GET"} 3',
  'dist_requests_total{code="404",method="GET"} 1',
  'dist_requests_total{code="500",method="POST"} 0.5',
  '',
].join('\n');

/** Runs a module with plain node in `cwd`, without the test runner's loader or options. */
function runNode(cwd: string, file: string) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_PATH;
  return spawnSync(process.execPath, [file], { cwd, env, encoding: 'utf8', timeout: 60_000 });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('built package (dist/) imported by name from plain node', () => {
  let temp = '';
  let app = '';

  before(() => {
    assert.ok(
      existsSync(join(DIST, 'esm', 'index.js')) && existsSync(join(DIST, 'cjs', 'index.js')),
      'dist/esm/index.js or dist/cjs/index.js is missing: run `npm run build` first (`npm test` does it before the tests)',
    );
    temp = realpathSync(mkdtempSync(join(tmpdir(), 'zerotel-dist-')));
    // Install as npm would: package.json and the entries of its "files" list.
    const pkg = join(temp, 'pkg');
    mkdirSync(pkg);
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    for (const entry of manifest.files ?? ['dist']) {
      if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(pkg, entry), { recursive: true });
    }
    app = join(temp, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(pkg, join(app, 'node_modules', 'zerotel'), 'dir');
    writeFileSync(join(app, 'main.mjs'), PROGRAM);
    // The same program as CommonJS: require() of the package name, in a .cjs file.
    writeFileSync(
      join(app, 'main.cjs'),
      PROGRAM.replace(
        "import { Counter, Registry, writeText } from 'zerotel';",
        "const { Counter, Registry, writeText } = require('zerotel');",
      ),
    );
  });

  after(() => {
    if (temp !== '') rmSync(temp, { recursive: true, force: true });
  });

  it('the install directory is outside the repository, with no node_modules above it', () => {
    const rel = relative(ROOT, temp);
    assert.ok(rel.startsWith('..') || rel.includes(':'), `temporary directory ${temp} is inside the repository`);
    for (let dir = dirname(temp); ; dir = dirname(dir)) {
      assert.ok(!existsSync(join(dir, 'node_modules')), `${join(dir, 'node_modules')} could satisfy imports`);
      if (dirname(dir) === dir) break;
    }
  });

  it('renders a registry exactly', () => {
    const run = runNode(app, 'main.mjs');
    assert.equal(run.error, undefined, String(run.error));
    assert.equal(run.status, 0, `node exited with ${run.status}:\n${run.stderr}`);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, EXPECTED);
  });

  it('renders the same bytes through require() (a real CommonJS build, not require of ESM)', () => {
    const run = runNode(app, 'main.cjs');
    assert.equal(run.status, 0, `node exited with ${run.status}:\n${run.stderr}`);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, EXPECTED);
    for (const file of filesUnder(join(DIST, 'cjs')).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(file, 'utf8');
      assert.doesNotMatch(code, /^\s*(?:import|export)\s/m, `${file} holds ESM syntax`);
    }
  });

  it('every subpath entry loads by import and by require, with the same names', () => {
    const entries = Object.keys(manifest.exports as Record<string, unknown>).filter((k) => k !== './package.json');
    assert.deepEqual(entries, [
      '.',
      './metrics',
      './runtime',
      './trace',
      './otlp',
      './http',
      './opa',
      './prom-client',
      './push',
    ]);
    const names = (kind: 'mjs' | 'cjs', entry: string): string[] => {
      const spec = `zerotel${entry.slice(1)}`;
      const file = `names-${entry.replace(/\W/g, '_')}.${kind}`;
      writeFileSync(
        join(app, file),
        kind === 'mjs'
          ? `const m = await import(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()));`
          : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(spec)})).filter((k) => k !== 'default').sort()));`,
      );
      const run = runNode(app, file);
      assert.equal(run.status, 0, `${spec} (${kind}): ${run.stderr}`);
      return JSON.parse(run.stdout) as string[];
    };
    for (const entry of entries) {
      const esm = names('mjs', entry);
      assert.ok(esm.length > 0, `${entry} exports nothing`);
      assert.deepEqual(names('cjs', entry), esm, `${entry}: require() and import disagree`);
    }
  });

  it('the exports map is in force: package.json is exported, dist internals are not', () => {
    writeFileSync(
      join(app, 'exports.mjs'),
      `import { createRequire } from 'node:module';
console.log(createRequire(import.meta.url)('zerotel/package.json').name);
try {
  await import('zerotel/dist/esm/index.js');
  console.log('internal import allowed');
} catch (error) {
  console.log(error.code);
}
`,
    );
    const run = runNode(app, 'exports.mjs');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'zerotel\nERR_PACKAGE_PATH_NOT_EXPORTED\n');
  });

  it('declares no runtime dependencies and imports nothing but node: built-ins and its own files', () => {
    assert.equal(manifest.name, 'zerotel');
    const deps = manifest.dependencies;
    assert.ok(deps === undefined || Object.keys(deps).length === 0, `dependencies: ${JSON.stringify(deps)}`);
    const bare: string[] = [];
    for (const file of filesUnder(DIST).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(file, 'utf8');
      const specifiers = [
        // Static imports and re-exports start a line in tsc's output; prose like "from '0'" in a comment does not.
        ...code.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
        ...code.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]/g),
      ].map((m) => m[1]!);
      for (const s of specifiers) {
        if (!s.startsWith('.') && !s.startsWith('node:'))
          bare.push(
            `${file
              .slice(DIST.length + 1)
              .split(sep)
              .join('/')}: ${s}`,
          );
      }
    }
    assert.deepEqual(bare, [], 'dist imports packages that an install without dependencies lacks');
  });
});
