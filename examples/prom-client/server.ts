/**
 * A typical prom-client service, moved to zerotel by changing its import and nothing else: default
 * metrics, a request counter and a latency histogram labelled by route and status, and /metrics.
 *
 *   npx tsx examples/prom-client/server.ts            # listens on 127.0.0.1, a free port (printed)
 *   PORT=9000 npx tsx examples/prom-client/server.ts
 */
import http from 'node:http';
import client from '../../lib/compat/prom-client/index.js'; // was: import client from 'prom-client';

client.collectDefaultMetrics({ prefix: 'demo_' });
client.register.setDefaultLabels({ service: 'demo' });

const requests = new client.Counter({
  name: 'demo_http_requests_total',
  help: 'HTTP requests served.',
  labelNames: ['route', 'status'],
});
const latency = new client.Histogram({
  name: 'demo_http_request_duration_seconds',
  help: 'HTTP request latency.',
  labelNames: ['route', 'status'],
  buckets: client.exponentialBuckets(0.001, 4, 6),
});

const server = http.createServer(async (req, res) => {
  const end = latency.startTimer({ route: req.url ?? '/' });
  if (req.url === '/metrics') {
    res.setHeader('Content-Type', client.register.contentType);
    res.end(await client.register.metrics());
    return;
  }
  const status = req.url === '/' ? 200 : 404;
  res.writeHead(status).end(status === 200 ? 'hello\n' : 'not found\n');
  requests.inc({ route: req.url ?? '/', status });
  end({ status });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
