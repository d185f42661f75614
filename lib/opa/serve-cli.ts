/**
 * `npm start`: the zerotel reference server, an OPA-shaped HTTP server with OPA's monitoring surface
 * (`/metrics`, `/health`, `/v1/data`, `/v1/status`, tracing, status pushes, decision logs).
 *
 *   npm start -- [--addr host:port] [--config-file FILE]
 *
 * Defaults: 127.0.0.1:8181 and the embedded configuration (no tracing, no status, no decision logs).
 * Bad arguments exit 2 with the usage; an invalid configuration exits 1 listing every problem; SIGINT
 * or SIGTERM shuts down gracefully (requests in flight finish, spans and a final status are flushed,
 * within 10 s) and exits 0.
 */
import type { AddressInfo } from 'node:net';
import { ConfigError, defaultConfig, loadConfigFile, type ReferenceConfig } from './config.js';
import { createReferenceServer, type ReferenceServer } from './app.js';

const USAGE = 'usage: npm start -- [--addr host:port] [--config-file FILE]';
const SHUTDOWN_TIMEOUT_MS = 10_000;

function usageError(message: string): never {
  process.stderr.write(`serve: ${message}\n${USAGE}\n`);
  process.exit(2);
}

interface Args {
  readonly host: string;
  readonly port: number;
  readonly configFile: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  let addr = '127.0.0.1:8181';
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (flag: string): string => {
      if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) usageError(`${flag} needs a value`);
      return next;
    };
    if (arg === '--addr' || arg.startsWith('--addr=')) addr = value('--addr');
    else if (arg === '--config-file' || arg.startsWith('--config-file=')) configFile = value('--config-file');
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else usageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const colon = addr.lastIndexOf(':');
  const host = colon < 0 ? '' : addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = addr.slice(colon + 1);
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (colon < 0 || !Number.isInteger(port) || port > 65535)
    usageError(`--addr must be host:port, got ${JSON.stringify(addr)}`);
  if (configFile === '') usageError('--config-file needs a file name');
  return { host: host === '' ? '127.0.0.1' : host, port, configFile };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let config: ReferenceConfig;
  try {
    config = args.configFile === undefined ? defaultConfig() : loadConfigFile(args.configFile);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`serve: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let server: ReferenceServer;
  try {
    server = createReferenceServer({ config });
  } catch (error) {
    // A setting the configuration check let through but a component refused: still a setting, not a crash.
    process.stderr.write(
      `serve: cannot start with this configuration: ${(error as Error)?.message ?? String(error)}\n`,
    );
    process.exit(1);
  }
  let address: AddressInfo;
  try {
    address = await server.listen(args.port, args.host);
  } catch (error) {
    process.stderr.write(`serve: cannot listen on ${args.host}:${args.port}: ${(error as Error).message}\n`);
    await server.shutdown(1000);
    process.exit(1);
  }
  const shown =
    address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  process.stderr.write(
    `zerotel reference server listening on ${server.tls ? 'https' : 'http'}://${shown} (try /metrics, /health, /v1/data)\n`,
  );

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        process.stderr.write(`serve: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`serve: ${signal} received, shutting down\n`);
      void server.shutdown(SHUTDOWN_TIMEOUT_MS).then((clean) => {
        if (!clean) process.stderr.write('serve: shutdown finished with work cut short by its deadline\n');
        process.exit(0);
      });
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`serve: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
