/**
 * Debian's prometheus-pushgateway as a peer: started on 127.0.0.1 on a free port, without persistence,
 * optionally under a route prefix; stopped (the whole process group) by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../opa/helpers.js';
import { isExecutable, type PeerStatus } from './require-peer.js';

export const PUSHGATEWAY_PATH = process.env.PUSHGATEWAY ?? '/usr/bin/prometheus-pushgateway';

export function findPushgateway(): PeerStatus {
  if (isExecutable(PUSHGATEWAY_PATH)) return { name: 'prometheus-pushgateway', missing: undefined };
  return {
    name: 'prometheus-pushgateway',
    missing: `no executable ${PUSHGATEWAY_PATH} (Debian package "prometheus-pushgateway")`,
  };
}

export interface RunningPushgateway {
  /** Base URL including the route prefix, e.g. `http://127.0.0.1:40123/gw`. */
  readonly url: string;
  /** The gateway's own /metrics exposition. */
  scrape(): Promise<string>;
  stop(): void;
}

/** Starts a gateway and waits (bounded) until it answers /-/ready. */
export async function startPushgateway(routePrefix = ''): Promise<RunningPushgateway> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    PUSHGATEWAY_PATH,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--persistence.file=',
      `--web.route-prefix=${routePrefix}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}${routePrefix}`;
  const stop = (): void => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`prometheus-pushgateway did not become ready: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async scrape() {
      return (await fetch(`${url}/metrics`)).text();
    },
    stop,
  };
}
