/**
 * Finds the Bun, Deno and workerd executables that the npm dev dependencies `bun`, `deno` and `workerd`
 * install. Each ships its binary in a platform package among its optionalDependencies; the main package's
 * install script only copies or links it into place. So the platform package is looked at first, and the
 * tests work whether or not npm ran those install scripts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isExecutable, type PeerStatus } from '../peers/require-peer.js';

export interface RuntimePeer extends PeerStatus {
  /** The executable, when found and working. */
  readonly path: string | undefined;
  /** What `--version` printed (first line). */
  readonly version: string | undefined;
}

interface Layout {
  /** The npm package users install. */
  readonly main: string;
  /** Where the binary is inside the platform package. */
  readonly inPlatformPackage: string;
  /** Where the install script puts it inside the main package. */
  readonly inMainPackage: string;
}

const LAYOUTS = {
  bun: { main: 'bun', inPlatformPackage: 'bin/bun', inMainPackage: 'bin/bun.exe' },
  deno: { main: 'deno', inPlatformPackage: 'deno', inMainPackage: 'deno' },
  workerd: { main: 'workerd', inPlatformPackage: 'bin/workerd', inMainPackage: 'bin/workerd' },
} as const satisfies Record<string, Layout>;

export type RuntimeName = keyof typeof LAYOUTS;

const require = createRequire(import.meta.url);
const found = new Map<RuntimeName, RuntimePeer>();

/** Candidate binaries: the installed platform package's, then the one the install script placed. */
function candidates(layout: Layout): string[] {
  let mainDir: string;
  try {
    mainDir = dirname(require.resolve(`${layout.main}/package.json`));
  } catch {
    return [];
  }
  const manifest = JSON.parse(readFileSync(join(mainDir, 'package.json'), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
  };
  const paths: string[] = [];
  for (const platformPackage of Object.keys(manifest.optionalDependencies ?? {})) {
    let dir: string;
    try {
      dir = dirname(require.resolve(`${platformPackage}/package.json`, { paths: [mainDir] }));
    } catch {
      continue; // not for this platform, so npm did not install it
    }
    paths.push(join(dir, layout.inPlatformPackage));
  }
  paths.push(join(mainDir, layout.inMainPackage));
  return paths.filter((p) => existsSync(p) && isExecutable(p));
}

/** The runtime's executable from node_modules, checked by running `--version`. */
export function findRuntime(name: RuntimeName): RuntimePeer {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const layout: Layout = LAYOUTS[name];
  const tried: string[] = [];
  let peer: RuntimePeer | undefined;
  for (const path of candidates(layout)) {
    const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 60_000 });
    const version = `${probe.stdout ?? ''}${probe.stderr ?? ''}`.trim().split('\n')[0];
    if (probe.status === 0) {
      peer = { name, path, version, missing: undefined };
      break;
    }
    tried.push(`${path}: ${probe.error?.message ?? version ?? `exit ${probe.status}`}`);
  }
  peer ??= {
    name,
    path: undefined,
    version: undefined,
    missing:
      tried.length > 0
        ? `no working binary (${tried.join('; ')})`
        : `the npm dev dependency "${layout.main}" is not installed with its platform package (npm ci installs it)`,
  };
  found.set(name, peer);
  return peer;
}
