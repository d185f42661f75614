/**
 * The app's worker.js under a real workerd, without nodejs_compat: a config listing the worker's module
 * graph (workerd loads only the modules its config names), served on a loopback port picked at run time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { killGroup, runtimeEnv } from './processes.js';

/** The compatibility date the worker is written for; never nodejs_compat (see WorkerOptions). */
const COMPATIBILITY_DATE = '2025-06-01';

export interface WorkerOptions {
  /**
   * Compatibility flags. Only `nodejs_als` is expected: it gives the worker node:async_hooks (and
   * nothing else of Node), which is then the one non-relative import allowed.
   */
  readonly compatibilityFlags?: readonly 'nodejs_als'[];
}

/**
 * The modules reachable from `main` by relative imports, as workerd names them (paths in `dir`). Read
 * with TypeScript's import scanner, so an import-like phrase in a comment is not taken for one.
 */
function moduleGraph(dir: string, main: string, builtins: ReadonlySet<string>): string[] {
  const names: string[] = [];
  const queue = [main];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (names.includes(name)) continue;
    names.push(name);
    const source = readFileSync(join(dir, name), 'utf8');
    for (const { fileName: spec } of ts.preProcessFile(source, true, true).importedFiles) {
      if (builtins.has(spec)) continue;
      if (!spec.startsWith('./') && !spec.startsWith('../')) {
        throw new Error(`${name} imports '${spec}': a worker without nodejs_compat can load only its own modules`);
      }
      queue.push(normalize(join(dirname(name), spec)));
    }
  }
  return names;
}

function config(modules: readonly string[], port: number, flags: readonly string[]): string {
  const list = modules
    .map((m) => `(name = ${JSON.stringify(m)}, esModule = embed ${JSON.stringify(m)})`)
    .join(',\n    ');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    # Outbound fetch may reach loopback only (the test's receivers), nothing else.
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const mainWorker :Workerd.Worker = (
  modules = [
    ${list}
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  compatibilityFlags = [${flags.map((f) => JSON.stringify(f)).join(', ')}],
  globalOutbound = "loopback",
);
`;
}

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export interface RunningWorker {
  readonly port: number;
  /** workerd's output so far, for failure messages. */
  log(): string;
  stop(): void;
}

/** Starts workerd on the worker `main` of `dir` and waits until it accepts connections. */
export async function startWorker(
  workerd: string,
  dir: string,
  main: string,
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  const flags = options.compatibilityFlags ?? [];
  const modules = moduleGraph(dir, main, new Set(flags.includes('nodejs_als') ? ['node:async_hooks'] : []));
  let lastError = '';
  // A port picked free can be taken before workerd binds it: then try another, a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // One config per worker, so that several workers can run from one app directory.
    const configFile = `${main.replace(/[^\w-]/g, '-')}.capnp`;
    writeFileSync(join(dir, configFile), config(modules, port, flags));
    const child: ChildProcess = spawn(workerd, ['serve', configFile], {
      cwd: dir,
      env: runtimeEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      if (await accepts(port)) {
        return { port, log: () => output, stop: () => killGroup(child) };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    killGroup(child);
    lastError = `workerd ${child.exitCode === null ? 'did not listen within 60 s' : `exited with ${child.exitCode}`}: ${output}`;
    if (!/address already in use/i.test(output)) break;
  }
  throw new Error(lastError);
}
