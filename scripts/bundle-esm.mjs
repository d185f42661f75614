// After tsc has compiled lib/ to build/esm: bundles every ESM entry of package.json `exports` (and the
// `npm start` program) into dist/esm with code splitting. Node pays a fixed cost per module it loads, so
// a few shared chunks import faster than ~40 small files; splitting keeps one copy of each class, so an
// `instanceof` holds across entries. The .d.ts files stay where tsc put them (dist/esm).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const STAGING = resolve(ROOT, 'build/esm');
const OUT = resolve(ROOT, 'dist/esm');
// Not entries of the package, but files of it that share the library's chunks: the program `npm start` runs,
// and the fixture reader and runner that the runtime tests run on the packed package (Bun, Deno, workerd).
const PROGRAMS = ['./dist/esm/opa/serve-cli.js', './dist/esm/fixture/fixture.js', './dist/esm/fixture/run.js'];
// Stands for a binding module's path in the output until the importing file's place is known.
const BINDING_MARKER = 'zerotel-binding:';

const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
const esmEntries = Object.values(manifest.exports)
  .map((conditions) => conditions?.import?.default)
  .filter((path) => typeof path === 'string' && path.startsWith('./dist/esm/'));

// The binding modules (`*-metrics.js`) register metric bindings when they load: package.json lists them as side
// effects so that bundlers keep them. They stay files of their own at their own paths (entries of this build that
// the other outputs import), so that the `sideEffects` list names them, not a chunk whose name is a hash.
const bindings = manifest.sideEffects
  .filter((path) => path.startsWith('./dist/*/') && !path.endsWith('/index.js'))
  .map((path) => path.slice('./dist/*/'.length));

const entryPoints = [...new Set([...esmEntries, ...PROGRAMS].map((path) => path.slice('./dist/esm/'.length)))]
  .concat(bindings)
  .map((path) => resolve(STAGING, path));

const keepBindingsApart = {
  name: 'keep-bindings-apart',
  setup(build) {
    build.onResolve({ filter: /-metrics\.js$/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const path = relative(STAGING, resolve(args.resolveDir, args.path));
      return bindings.includes(path) ? { path: BINDING_MARKER + path, external: true } : undefined;
    });
  },
};

const result = await build({
  absWorkingDir: ROOT,
  entryPoints,
  outbase: STAGING,
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  // Node built-ins stay imports where the source has them (runtime-neutral entries load them lazily, at run time).
  external: ['node:*'],
  target: 'node20.16',
  chunkNames: 'chunks/[name]-[hash]',
  // The compiled modules as tsc wrote them: package.json's `sideEffects` is for the package's users, not this build.
  ignoreAnnotations: true,
  // Readable stack traces: names and lines as written.
  minify: false,
  legalComments: 'none',
  plugins: [keepBindingsApart],
  metafile: true,
  write: false,
  logLevel: 'warning',
});

for (const file of result.outputFiles) {
  const text = file.text.replace(/(["'])zerotel-binding:([^"']+)\1/g, (_, quote, path) => {
    const target = relative(dirname(file.path), resolve(OUT, path));
    return quote + (target.startsWith('.') ? target : `./${target}`) + quote;
  });
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, text);
}

// Which library modules each built file holds, for the tests that check what a user's bundle carries. Not shipped.
writeFileSync(resolve(ROOT, 'build/esm-metafile.json'), `${JSON.stringify(result.metafile, null, 1)}\n`);
