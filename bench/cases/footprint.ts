/**
 * Footprint: what a service takes on by depending on zerotel or on prom-client. Installed size of the
 * runtime dependency tree (walked from package.json `dependencies` through node_modules, apparent file
 * sizes), the package with that tree, cold `import` time and RSS after the import, each import in a fresh
 * process. zerotel is imported from the built dist/index.js when present, else from the sources through
 * the tsx loader (which then adds transpiling to its time); the `info` of the measure says which.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchGroup } from '../group.js';
import { stats, type Stats } from '../measure.js';

export const FOOTPRINT_NAMES = {
  deps: 'runtime dependencies installed size',
  total: 'installed size with runtime dependencies',
  importTime: 'cold import time',
  rss: 'RSS after import',
} as const;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PackageJson {
  readonly name?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly files?: readonly string[];
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Apparent size of every file under `path`, not descending into `node_modules` (those are counted as packages). */
function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const entry of readdirSync(path)) if (entry !== 'node_modules') total += sizeOf(join(path, entry));
  return total;
}

/** Where Node would find package `name` required from package directory `from`. */
function locate(name: string, from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Every installed package in the runtime dependency tree of the package at `dir` (not counting itself). */
export function dependencyTree(dir: string): Map<string, number> {
  const found = new Map<string, number>();
  const visit = (pkgDir: string) => {
    const pkg = readPackage(pkgDir);
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const at = locate(name, pkgDir);
      if (at === undefined || found.has(at)) continue;
      found.set(at, sizeOf(at));
      visit(at);
    }
  };
  visit(dir);
  return found;
}

function sum(sizes: Iterable<number>): number {
  let total = 0;
  for (const s of sizes) total += s;
  return total;
}

/** A figure measured once: the same number as median, min and max. */
function once(value: number): Stats {
  return { median: value, min: value, max: value, samples: 1 };
}

interface ImportSample {
  readonly ms: number;
  readonly rss: number;
}

/** Imports `url` in a fresh Node process (with extra `execArgv`), returning the import time and RSS after it. */
function importOnce(url: string | undefined, execArgv: readonly string[]): ImportSample {
  const script =
    'const start = performance.now();' +
    (url === undefined ? '' : `await import(${JSON.stringify(url)});`) +
    'const ms = performance.now() - start;' +
    'process.stdout.write(JSON.stringify({ ms, rss: process.memoryUsage().rss }));';
  const child = spawnSync(process.execPath, [...execArgv, '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`importing ${url ?? 'nothing'} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ImportSample;
}

export const footprintGroup: BenchGroup = {
  id: 'footprint',
  title: 'Footprint: dependencies, import time, memory',
  mode: 'standard',
  measureNames: () => Object.values(FOOTPRINT_NAMES),
  async run(ctx) {
    const require = createRequire(import.meta.url);
    const promDir = dirname(realpathSync(require.resolve('prom-client/package.json')));
    const ourTree = dependencyTree(ROOT);
    const promTree = dependencyTree(promDir);
    const kib = (bytes: number) => bytes / 1024;
    const promPackages = [...promTree.keys()].map((dir) => readPackage(dir).name ?? dir).sort();

    if (ctx.wants(FOOTPRINT_NAMES.deps)) {
      ctx.emit({
        name: FOOTPRINT_NAMES.deps,
        unit: 'KiB',
        contenders: { zerotel: once(kib(sum(ourTree.values()))), 'prom-client': once(kib(sum(promTree.values()))) },
        mainPeer: 'prom-client',
        info: {
          'zerotel packages': ourTree.size,
          'prom-client packages': `${promTree.size} (${promPackages.join(', ')})`,
        },
      });
    }

    const dist = join(ROOT, 'dist', 'esm', 'index.js');
    const built = existsSync(dist);
    if (ctx.wants(FOOTPRINT_NAMES.total)) {
      // What npm would install: the published `files` (dist, proto) and package.json; the sources stand in for dist when it is not built.
      const files = (readPackage(ROOT).files ?? []).map((f) => (!built && f === 'dist' ? 'lib' : f));
      const ours = sum(
        [...files, 'package.json'].filter((f) => existsSync(join(ROOT, f))).map((f) => sizeOf(join(ROOT, f))),
      );
      ctx.emit({
        name: FOOTPRINT_NAMES.total,
        unit: 'KiB',
        contenders: {
          zerotel: once(kib(ours + sum(ourTree.values()))),
          'prom-client': once(kib(sizeOf(promDir) + sum(promTree.values()))),
        },
        mainPeer: 'prom-client',
        info: {
          'zerotel counted': built ? 'dist/ + proto/ + package.json' : 'lib/ + proto/ + package.json (dist/ not built)',
        },
      });
    }

    const tsx = import.meta.resolve('tsx');
    // Each entry a user can import on its own, in a fresh process: the root pays for everything, the subpaths
    // only for their part.
    const entries = ['index', 'metrics/index', 'runtime/index', 'trace/index', 'otlp/index', 'http/index'];
    const entryName = (e: string) => (e === 'index' ? 'zerotel' : `zerotel/${e.replace('/index', '')}`);
    const importOf = (e: string) =>
      built
        ? {
            url: pathToFileURL(join(ROOT, 'dist', 'esm', `${e}.js`)).href,
            execArgv: [] as string[],
            from: `dist/esm/${e}.js (plain node)`,
          }
        : {
            url: pathToFileURL(join(ROOT, 'lib', `${e}.ts`)).href,
            execArgv: ['--import', tsx],
            from: `lib/${e}.ts through the tsx loader (dist/ not built; includes transpiling)`,
          };
    const suffixOf = (e: string) => (e === 'index' ? '' : ` (${entryName(e)})`);
    const wanted = entries.some(
      (e) => ctx.wants(FOOTPRINT_NAMES.importTime + suffixOf(e)) || ctx.wants(FOOTPRINT_NAMES.rss + suffixOf(e)),
    );
    if (!wanted) return;
    const promUrl = pathToFileURL(require.resolve('prom-client')).href;
    const rounds = ctx.options.quick ? 3 : 12;
    const samples = new Map<string, ImportSample[]>();
    const runs: [string, () => ImportSample][] = [
      ...entries.map((e): [string, () => ImportSample] => [
        entryName(e),
        () => importOnce(importOf(e).url, importOf(e).execArgv),
      ]),
      ['prom-client', () => importOnce(promUrl, [])],
      ['bare', () => importOnce(undefined, importOf('index').execArgv)],
    ];
    for (const [name] of runs) samples.set(name, []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < runs.length; k++) {
        const [name, run] = runs[(round + k) % runs.length]!;
        samples.get(name)!.push(run());
      }
      ctx.progress(`imports: round ${round + 1}/${rounds}`);
      await new Promise<void>((r) => setImmediate(r));
    }
    const of = (name: string, pick: (s: ImportSample) => number) => stats(samples.get(name)!.map(pick));
    const mib = (s: ImportSample) => s.rss / (1024 * 1024);
    for (const e of entries) {
      const name = entryName(e);
      // The root entry keeps the measure names it always had; the subpath entries say which they are.
      const suffix = suffixOf(e);
      if (ctx.wants(FOOTPRINT_NAMES.importTime + suffix)) {
        ctx.emit({
          name: FOOTPRINT_NAMES.importTime + suffix,
          unit: 'ms',
          contenders: { zerotel: of(name, (s) => s.ms), 'prom-client': of('prom-client', (s) => s.ms) },
          mainPeer: 'prom-client',
          info: { 'zerotel imported from': importOf(e).from },
        });
      }
      if (ctx.wants(FOOTPRINT_NAMES.rss + suffix)) {
        ctx.emit({
          name: FOOTPRINT_NAMES.rss + suffix,
          unit: 'MiB',
          contenders: { zerotel: of(name, mib), 'prom-client': of('prom-client', mib) },
          mainPeer: 'prom-client',
          info: {
            'zerotel imported from': importOf(e).from,
            'node importing nothing': `${of('bare', mib).median.toFixed(1)} MiB${built ? '' : ' (with the tsx loader)'}`,
          },
        });
      }
    }
  },
};
