import { builtinModule, hostProcess } from '../host.js';
import type { Env } from '../config/env.js';

/** What can be detected: each a group of resource attributes read from Node built-ins. */
export type ResourceDetector = 'host' | 'os' | 'process';
export const RESOURCE_DETECTORS: readonly ResourceDetector[] = ['host', 'os', 'process'];

/** Node's `os.arch()` in the semantic conventions' `host.arch` values. */
function hostArch(nodeArch: string): string {
  switch (nodeArch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return 'x86';
    case 'arm':
      return 'arm32';
    case 'ppc':
      return 'ppc32';
    default:
      return nodeArch;
  }
}

/** Node's `os.platform()` in the semantic conventions' `os.type` values. */
function osType(nodePlatform: string): string {
  switch (nodePlatform) {
    case 'win32':
      return 'windows';
    case 'sunos':
      return 'solaris';
    default:
      return nodePlatform;
  }
}

/** node:os where the runtime has it (loaded on use, so other runtimes never import it). */
function nodeOs(): typeof import('node:os') | undefined {
  return builtinModule<typeof import('node:os')>('node:os');
}

/** Sets `key` to what `read` gives, leaving it out when the built-in is unavailable or throws. */
function tryRead(out: Record<string, string | number>, key: string, read: () => string | number | undefined): void {
  try {
    const value = read();
    if (value !== undefined && value !== '') out[key] = value;
  } catch {
    // Optional: a runtime without this built-in simply has no such attribute.
  }
}

/**
 * Resource attributes about the machine and the process: `host.name`, `host.arch` (host); `os.type`
 * (os); `process.pid`, `process.runtime.name`, `process.runtime.version` (process). Each one is
 * optional: what a runtime cannot tell is left out.
 */
export function detectResourceAttributes(
  detectors: readonly ResourceDetector[] = RESOURCE_DETECTORS,
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (detectors.includes('host')) {
    tryRead(out, 'host.name', () => nodeOs()?.hostname());
    tryRead(out, 'host.arch', () => {
      const os = nodeOs();
      return os === undefined ? undefined : hostArch(os.arch());
    });
  }
  if (detectors.includes('os'))
    tryRead(out, 'os.type', () => {
      const os = nodeOs();
      return os === undefined ? undefined : osType(os.platform());
    });
  const proc = hostProcess();
  if (detectors.includes('process') && proc !== undefined) {
    tryRead(out, 'process.pid', () => proc.pid);
    tryRead(out, 'process.runtime.name', () => (proc.release?.name === 'node' ? 'nodejs' : proc.release?.name));
    tryRead(out, 'process.runtime.version', () => proc.versions?.node);
  }
  return out;
}

/**
 * The detectors OTEL_NODE_RESOURCE_DETECTORS names (comma-separated: host, os, process, env, all,
 * none; default all). `env` is always on (OTEL_RESOURCE_ATTRIBUTES is read regardless); unknown
 * names are reported through `warn` and ignored.
 */
export function resourceDetectorsFromEnv(env: Env, warn: (message: string) => void): ResourceDetector[] {
  const text = env['OTEL_NODE_RESOURCE_DETECTORS']?.trim();
  if (text === undefined || text === '') return [...RESOURCE_DETECTORS];
  const chosen = new Set<ResourceDetector>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '' || name === 'env' || name === 'none') continue;
    if (name === 'all') for (const d of RESOURCE_DETECTORS) chosen.add(d);
    else if ((RESOURCE_DETECTORS as readonly string[]).includes(name)) chosen.add(name as ResourceDetector);
    else
      warn(
        `OTEL_NODE_RESOURCE_DETECTORS: unknown detector ${JSON.stringify(name)} ignored (known: env, host, os, process, all, none)`,
      );
  }
  return [...chosen];
}
