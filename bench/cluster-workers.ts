/** Starts cluster workers running cluster-worker.ts and waits (bounded) until each is ready. */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';

export const WORKER_SCRIPT = fileURLToPath(new URL('./cluster-worker.ts', import.meta.url));

export async function forkWorkers(count: number, workload: 'test' | 'w1', timeoutMs = 60_000): Promise<Worker[]> {
  cluster.setupPrimary({ exec: WORKER_SCRIPT, execArgv: ['--import', 'tsx'], silent: false });
  const workers: Worker[] = [];
  const ready = Promise.all(
    Array.from({ length: count }, () => {
      const worker = cluster.fork({ WORKLOAD: workload });
      workers.push(worker);
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (m: { ready?: number }) => m?.ready !== undefined && resolve());
        worker.on('exit', (code) => reject(new Error(`worker ${worker.id} exited with ${code} before it was ready`)));
      });
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`workers not ready within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    stopWorkers(workers);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return workers;
}

export function stopWorkers(workers: readonly Worker[]): void {
  for (const worker of workers) {
    worker.removeAllListeners('exit');
    if (!worker.isDead()) worker.process.kill('SIGKILL');
  }
}
