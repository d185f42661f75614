/**
 * Running the runtime programs that do one thing and report it as JSON: as a process (Node, Bun, Deno;
 * the report on stdout), or as a worker under workerd (`POST` the run as JSON, the report is the answer).
 * Shared by the tests that send telemetry from each runtime to a receiver (traces, metrics).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import * as protoLoader from '@grpc/proto-loader';
import { OFFICIAL_PROTOS, type OtlpReceiver, startOtlpReceiver } from '../otlp/otlp-receiver.js';
import { findRuntime } from './binaries.js';
import { exchange } from './http-exchange.js';
import { type PackedApp, preparePackedApp } from './packed.js';
import { runWithInput, runtimeEnv } from './processes.js';
import { startWorker, type WorkerOptions } from './workerd.js';

export type ProcessRuntime = 'node' | 'bun' | 'deno';

/** The command that runs the app's `file`: Bun without auto-install, Deno with network to 127.0.0.1 and nothing else. */
export function commandFor(runtime: ProcessRuntime, file: string): [string, string[]] {
  if (runtime === 'node') return [process.execPath, [file]];
  const peer = findRuntime(runtime);
  assert.ok(peer.path, peer.missing);
  return runtime === 'bun'
    ? [peer.path, ['--no-install', file]]
    : [peer.path, ['run', '--no-prompt', '--allow-net=127.0.0.1', file]];
}

/** Runs the app's `file` on `runtime` with `args` and parses the report it printed. */
export async function runReportingProcess<Report>(
  app: PackedApp,
  runtime: ProcessRuntime,
  file: string,
  args: readonly string[],
): Promise<Report> {
  const [command, runtimeArgs] = commandFor(runtime, file);
  const env = runtimeEnv({ DENO_DIR: join(app.dir, '..', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' });
  const out = await runWithInput(command, [...runtimeArgs, ...args], { cwd: app.dir, env, input: '' });
  return JSON.parse(Buffer.from(out).toString('utf8')) as Report;
}

/** Starts the worker `main` of the app, POSTs `run` to `path`, and returns its report; workerd is stopped after. */
export async function runReportingWorker<Report>(
  workerd: string,
  app: PackedApp,
  main: string,
  path: string,
  run: unknown,
  options: WorkerOptions = {},
): Promise<Report> {
  const worker = await startWorker(workerd, app.dir, main, options);
  try {
    const res = await exchange(`http://127.0.0.1:${worker.port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(run),
      timeoutMs: 60_000,
    });
    assert.equal(res.status, 200, `${res.body.toString('utf8')}\n${worker.log()}`);
    return JSON.parse(res.body.toString('utf8')) as Report;
  } finally {
    worker.stop();
  }
}

/**
 * A request message type of the official OTLP protos, through @grpc/proto-loader: 64-bit integers as
 * strings, enums as numbers, bytes as base64, oneofs named, defaults and empty lists filled in (the
 * receiver's JSON decoding gives the same shape).
 */
export function otlpRequestType(protoFile: string, typeName: string): protoLoader.MessageTypeDefinition<object, any> {
  return protoLoader.loadSync(protoFile, {
    includeDirs: [OFFICIAL_PROTOS],
    longs: String,
    enums: Number,
    bytes: String,
    oneofs: true,
    defaults: true,
    arrays: true,
  })[typeName] as protoLoader.MessageTypeDefinition<object, any>;
}

/** OTLP KeyValue attributes as an object, each value by its oneof. */
export function attributesOf(list: any[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a: any) => [a.key, a.value[a.value.value]]));
}

export interface AppAndReceiver {
  readonly app: PackedApp;
  readonly receiver: OtlpReceiver;
}

/** The packed app and an OTLP receiver for the tests of the enclosing `describe`: made before them, removed after. */
export function usePackedAppAndReceiver(): AppAndReceiver {
  const state: { app?: PackedApp; receiver?: OtlpReceiver } = {};
  before(async () => {
    state.app = preparePackedApp();
    state.receiver = await startOtlpReceiver();
  });
  after(async () => {
    await state.receiver?.stop();
    state.app?.dispose();
  });
  return state as AppAndReceiver;
}
