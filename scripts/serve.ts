/**
 * `npm start`: serves zerotel's metrics on 127.0.0.1:8181 (`--addr host:port` to change).
 * A small demonstration until the OPA-shaped reference server lands: `/metrics` (content negotiation,
 * gzip) and `/health`, with a request histogram recorded for every request.
 */
import { createServer } from 'node:http';
import { Counter, Histogram, Registry, metricsHandler } from '../lib/index.js';

function parseAddr(argv: readonly string[]): { host: string; port: number } {
  let addr = '127.0.0.1:8181';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--addr') addr = argv[++i] ?? '';
    else if (arg.startsWith('--addr=')) addr = arg.slice(7);
    else fail(`unknown argument ${JSON.stringify(arg)} (usage: npm start -- [--addr host:port])`);
  }
  const colon = addr.lastIndexOf(':');
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = Number(addr.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`--addr must be host:port, got ${JSON.stringify(addr)}`);
  }
  return { host, port };
}

function fail(message: string): never {
  process.stderr.write(`serve: ${message}\n`);
  process.exit(2);
}

const { host, port } = parseAddr(process.argv.slice(2));
const registry = new Registry();
const requests = new Counter({
  name: 'http_requests_total',
  help: 'Requests served, by handler and code.',
  labelNames: ['code', 'handler'],
  registers: [registry],
});
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'A histogram of duration for requests.',
  labelNames: ['code', 'handler', 'method'],
  buckets: [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 0.01, 0.1, 1],
  registers: [registry],
});
const serveMetrics = metricsHandler({ registry });

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    void serveMetrics(req, res);
    return;
  }
  const start = process.hrtime.bigint();
  let code = 200;
  if (path === '/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}\n');
  } else {
    code = 404;
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"code":"resource_not_found"}\n');
  }
  const handler = path === '/health' ? 'health' : 'other';
  requests.labels(String(code), handler).inc();
  duration.labels(String(code), handler, (req.method ?? 'GET').toLowerCase()).observe(
    Number(process.hrtime.bigint() - start) / 1e9,
  );
});

server.listen(port, host, () => {
  const address = server.address();
  const shown = typeof address === 'object' && address !== null ? `${address.address}:${address.port}` : String(address);
  process.stdout.write(`zerotel listening on http://${shown} (try /metrics and /health)\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
