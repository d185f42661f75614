/**
 * client_golang as a measured peer: the Go benchmark program beside the golden generator
 * (scripts/golden/bench/main.go), built once per source version when Go and Debian's client_golang
 * packages are installed, driven one sample at a time so its samples interleave with the others.
 * Go times its own work (the pipe round trip is not in its figures), as the Node contenders time theirs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildGo, goMissing } from '../scripts/golden/differential.js';

export const GO_PEER = 'client_golang';

export interface GoPeer {
  /** Builds a workload in a fresh registry; the sha256 and size of its first text scrape. */
  build(workload: 'W1' | 'W2' | 'W3'): Promise<{ sha256: string; bytes: number }>;
  /** Changes every series (untimed), then returns the nanoseconds of one gather + text encode. */
  scrape(): Promise<number>;
  /** Nanoseconds of `n` operations of a hot path. */
  hot(name: 'H1' | 'H2' | 'H3' | 'H4', n: number): Promise<number>;
  close(): void;
}

const SOURCE = fileURLToPath(new URL('../scripts/golden/bench/main.go', import.meta.url));

/** Starts the Go peer, or says why it cannot run here. */
export function startGoPeer(): GoPeer | { readonly missing: string } {
  const missing = goMissing();
  if (missing !== undefined) return { missing };
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'zerotel-go-bench');
  const binary = join(dir, `bench-${hash}`);
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${binary}.${process.pid}`;
    try {
      buildGo('./scripts/golden/bench', partial);
    } catch (error) {
      return { missing: `the Go bench program does not build: ${(error as Error).message}` };
    }
    renameSync(partial, binary);
  }
  return connect(spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] }));
}

function connect(child: ChildProcessWithoutNullStreams): GoPeer {
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const request = async (line: string): Promise<string> => {
    child.stdin.write(line + '\n');
    const next = await lines.next();
    if (next.done === true) throw new Error(`the Go bench program exited: ${stderr.trim()}`);
    if (next.value.startsWith('error ')) throw new Error(`Go bench program: ${next.value.slice(6)} (after "${line}")`);
    return next.value;
  };
  const nanoseconds = async (line: string) => {
    const ns = Number(await request(line));
    if (!Number.isFinite(ns)) throw new Error(`Go bench program answered "${line}" with no duration`);
    return ns;
  };
  return {
    async build(workload) {
      const [, sha256, bytes] = (await request(`build ${workload}`)).split(' ');
      return { sha256: sha256!, bytes: Number(bytes) };
    },
    scrape: () => nanoseconds('scrape'),
    hot: (name, n) => nanoseconds(`hot ${name} ${n}`),
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}
