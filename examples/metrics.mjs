// A counter and a histogram served on /metrics by node:http. Run: node examples/metrics.mjs [port]
import { createServer } from 'node:http';
import { Counter, Histogram, Registry, metricsHandler } from 'zerotel';

const registry = new Registry();
const requests = new Counter({
  name: 'http_requests_total',
  help: 'Requests by code and method.',
  labelNames: ['code', 'method'],
  registers: [registry],
});
const latency = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'A histogram of duration for requests.',
  labelNames: ['code', 'method'],
  buckets: [0.005, 0.05, 0.5],
  registers: [registry],
});

const ok = requests.labels('200', 'get'); // a bound child: keep it, inc() then allocates nothing
ok.inc();
requests.inc({ code: '404', method: 'get' }); // prom-client style works too
latency.labels('200', 'get').observe(0.0042);

const serveMetrics = metricsHandler({ registry });
const server = createServer((req, res) => (req.url === '/metrics' ? serveMetrics(req, res) : res.end()));
server.listen(Number(process.argv[2] ?? 9464), '127.0.0.1', async () => {
  const { port } = server.address();
  console.log(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  server.close();
});
