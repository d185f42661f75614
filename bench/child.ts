/**
 * Runs one group of measures in this (fresh) process and reports to the parent over the IPC channel.
 * Started by the runner as: node --import tsx --expose-gc child.ts GROUP_ID OPTIONS_JSON
 */
import { groupById } from './cases/index.js';
import { measureFilter, type BenchOptions } from './group.js';
import { blackHole } from './measure.js';
import type { ChildMessage } from './runner.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('child.ts must be started by the bench runner (no IPC channel)'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

async function main(): Promise<void> {
  const [id, optionsJson] = process.argv.slice(2);
  const group = id === undefined ? undefined : groupById(id);
  if (group === undefined || optionsJson === undefined) throw new Error(`unknown group ${JSON.stringify(id)}`);
  const options = JSON.parse(optionsJson) as BenchOptions;
  const pending: Promise<void>[] = [];
  await group.run({
    options,
    wants: measureFilter(options.only),
    progress: (text) => void pending.push(send({ type: 'progress', text })),
    emit: (result) => void pending.push(send({ type: 'result', result })),
  });
  await Promise.all(pending);
  await send({ type: 'done', blackHole: blackHole() });
}

main().then(
  () => process.disconnect?.(),
  async (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    try {
      await send({ type: 'error', message: text });
    } catch {
      process.stderr.write(text + '\n');
    }
    process.exitCode = 1;
    process.disconnect?.();
  },
);
