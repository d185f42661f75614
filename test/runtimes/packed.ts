/**
 * The packed package as users get it: `npm pack` of the built dist, unpacked under node_modules/zerotel of
 * a temporary app directory, next to the test programs (programs/*.ts and the bench workload they build),
 * transpiled to plain JavaScript with their imports pointed at the unpacked package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The zerotel/metrics entry inside the package. The one place to change when the build layout changes
 * (the ES module build); the other dist modules the programs load are found beside it.
 */
export const PACKED_METRICS_ENTRY = 'dist/esm/metrics/index.js';

/** The package's compiled lib/ folder, derived from the entry (`dist/esm/metrics/index.js` -> `dist/esm`). */
const PACKED_LIB = dirname(dirname(PACKED_METRICS_ENTRY));

/** Program sources (repo-relative) and where their JavaScript goes in the app directory. */
const PROGRAMS: Readonly<Record<string, string>> = {
  'test/runtimes/programs/suite.ts': 'suite.js',
  'test/runtimes/programs/node-main.ts': 'node-main.js',
  'test/runtimes/programs/bun-main.ts': 'bun-main.js',
  'test/runtimes/programs/deno-main.ts': 'deno-main.js',
  'test/runtimes/programs/worker.ts': 'worker.js',
  'test/runtimes/programs/trace-suite.ts': 'trace-suite.js',
  'test/runtimes/programs/report-io.ts': 'report-io.js',
  'test/runtimes/programs/reporting-worker.ts': 'reporting-worker.js',
  'test/runtimes/programs/trace-main.ts': 'trace-main.js',
  'test/runtimes/programs/trace-worker.ts': 'trace-worker.js',
  'test/runtimes/programs/trace-worker-als.ts': 'trace-worker-als.js',
  'test/runtimes/programs/metric-push-suite.ts': 'metric-push-suite.js',
  'test/runtimes/programs/metric-push-main.ts': 'metric-push-main.js',
  'test/runtimes/programs/metric-push-worker.ts': 'metric-push-worker.js',
  'bench/workloads.ts': 'bench/workloads.js',
  'bench/zerotel-sink.ts': 'bench/zerotel-sink.js',
};

/** lib/ modules the programs may use, and where each is in the package: the entry, or dist beside it. */
function packedPath(libModule: string): string {
  if (libModule === 'lib/metrics/index.ts' || libModule === 'lib/index.ts') return packedEntryPath('metrics');
  if (libModule === 'lib/trace/index.ts') return packedEntryPath('trace');
  if (libModule === 'lib/otlp/index.ts') return packedEntryPath('otlp');
  if (libModule.startsWith('lib/fixture/'))
    return join(PACKED_LIB, libModule.slice('lib/'.length).replace(/\.ts$/, '.js'));
  throw new Error(
    `a runtime test program imports ${libModule}: programs may use only zerotel/metrics, zerotel/trace, zerotel/otlp (and the fixture runner)`,
  );
}

/** The module of the package an import of `zerotel` or `zerotel/<entry>` loads. */
export function packedEntryPath(entry: string): string {
  if (entry === 'metrics') return PACKED_METRICS_ENTRY;
  return join(PACKED_LIB, entry === '' ? 'index.js' : `${entry}/index.js`);
}

/**
 * Points a program's imports of `zerotel` and `zerotel/<entry>` at the unpacked package, by relative path
 * from `fromDir` (inside the app directory): workerd resolves no package names, and the package's
 * exports map may not list every entry yet.
 */
export function pointPackageImports(js: string, fromDir: string): string {
  return js.replace(
    /(\bfrom\s*|\bimport\s*\(\s*)(['"])zerotel(?:\/([\w-]+))?\2/g,
    (_all, lead: string, quote: string, entry?: string) => {
      let path = relative(fromDir, join('node_modules/zerotel', packedEntryPath(entry ?? '')))
        .split(sep)
        .join('/');
      if (!path.startsWith('.')) path = './' + path;
      return `${lead}${quote}${path}${quote}`;
    },
  );
}

export interface PackedApp {
  /** The app directory: the programs, and the package in node_modules/zerotel. */
  readonly dir: string;
  /** The tarball `npm pack` made. */
  readonly tarball: string;
  /** Removes everything. */
  dispose(): void;
}

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Rewrites the relative imports of `js` (compiled from repo file `from`) to their place in the app. */
function pointImports(js: string, from: string): string {
  const outDir = dirname(PROGRAMS[from]!);
  return js.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g,
    (_all, lead: string, quote: string, spec: string) => {
      const target = relative(ROOT, resolve(ROOT, dirname(from), spec.replace(/\.js$/, '.ts')))
        .split(sep)
        .join('/');
      const placed = target.startsWith('lib/') ? join('node_modules/zerotel', packedPath(target)) : PROGRAMS[target];
      if (placed === undefined)
        throw new Error(`${from} imports ${spec} (${target}), which is not among the runtime test programs`);
      let path = relative(outDir, placed).split(sep).join('/');
      if (!path.startsWith('.')) path = './' + path;
      return `${lead}${quote}${path}${quote}`;
    },
  );
}

/** Packs the built package and lays out the app directory. Needs `npm run build` to have run. */
export function preparePackedApp(): PackedApp {
  const entrySource = join(ROOT, PACKED_METRICS_ENTRY);
  if (!existsSync(entrySource)) {
    throw new Error(
      `${PACKED_METRICS_ENTRY} is missing: run \`npm run build\` before the runtime tests (npm test does)`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'zerotel-runtimes-'));
  try {
    // --ignore-scripts: a `prepare` build would rebuild dist/ under the feet of other tests running now.
    const packed = JSON.parse(
      run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work, '--loglevel=error'], ROOT),
    ) as { filename: string }[];
    const tarball = join(work, packed[0]!.filename);
    const dir = join(work, 'app');
    const pkg = join(dir, 'node_modules', 'zerotel');
    mkdirSync(pkg, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1'], work);
    if (!existsSync(join(pkg, PACKED_METRICS_ENTRY)))
      throw new Error(`the packed package has no ${PACKED_METRICS_ENTRY}`);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'zerotel-runtime-check', private: true, type: 'module' }),
    );
    for (const [source, out] of Object.entries(PROGRAMS)) {
      const compiled = ts.transpileModule(readFileSync(join(ROOT, source), 'utf8'), {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        fileName: source,
      }).outputText;
      mkdirSync(dirname(join(dir, out)), { recursive: true });
      writeFileSync(join(dir, out), pointImports(compiled, source));
    }
    return { dir, tarball, dispose: () => rmSync(work, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
