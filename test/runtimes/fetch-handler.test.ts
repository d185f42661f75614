/**
 * The fetch-based `/metrics` handler answers exactly as the node:http one: for each request, the node:http
 * handler is scraped on a real server and the fetch handler is called with the same request, and status,
 * headers and (decompressed) body must match. Its gzip is checked with node:zlib, an independent inflater.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  Counter,
  Histogram,
  Registry,
  Summary,
  metricsFetchHandler,
  metricsHandler,
  type Collector,
  type MetricsHandlerOptions,
} from '../../lib/index.js';
import { exchange } from './http-exchange.js';

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Headers the server adds by itself, whatever the handler said. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

function filled(): Registry {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'fetch_requests_total', help: 'Requests.', labelNames: ['code'], registers });
  requests.labels('200').inc(7);
  requests.labels('500').addWithExemplar(1, { trace_id: 'abc123' });
  const latency = new Histogram({ name: 'fetch_latency_seconds', help: 'Latency.', buckets: [0.1, 1], registers });
  for (const v of [0.05, 0.5, 3]) latency.observe(v);
  const sizes = new Summary({ name: 'fetch_size_bytes', help: 'Sizes with "quotes" and \\ and ünïcödé.', registers });
  for (const v of [10, 20, 30]) sizes.observe(v);
  return registry;
}

function failing(): Registry {
  const registry = new Registry();
  const broken: Collector = {
    describe: () => [],
    collect() {
      throw new Error('backend unreachable');
    },
  };
  registry.register(broken);
  return registry;
}

function decoded(answer: Answer): Answer {
  return answer.headers['content-encoding'] === 'gzip' && answer.body.length > 0
    ? { ...answer, body: gunzipSync(answer.body) }
    : answer;
}

const PROTOBUF = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
const PROMETHEUS_2 =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const REQUESTS: readonly { method: string; accept?: string; acceptEncoding?: string }[] = [
  { method: 'GET' },
  { method: 'GET', accept: '*/*' },
  { method: 'GET', accept: PROMETHEUS_2 },
  { method: 'GET', accept: PROMETHEUS_2, acceptEncoding: 'gzip' },
  { method: 'GET', accept: `${PROTOBUF},${PROMETHEUS_2}`, acceptEncoding: 'deflate, gzip;q=0.5' },
  { method: 'GET', accept: 'application/openmetrics-text', acceptEncoding: 'gzip;q=0' },
  { method: 'GET', accept: 'text/plain;version=0.0.4', acceptEncoding: 'gzip' },
  { method: 'HEAD', accept: PROMETHEUS_2 },
  { method: 'HEAD', acceptEncoding: 'gzip' },
  { method: 'POST' },
  { method: 'DELETE', accept: PROTOBUF },
];

const CONFIGS: readonly { what: string; registry: () => Registry; options: Omit<MetricsHandlerOptions, 'registry'> }[] =
  [
    { what: 'defaults', registry: filled, options: {} },
    { what: 'no gzip, no OpenMetrics', registry: filled, options: { gzip: false, openMetrics: false } },
    { what: 'with _created lines', registry: filled, options: { created: true } },
    { what: 'a collector that throws', registry: failing, options: {} },
  ];

describe('metricsFetchHandler answers as metricsHandler does', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  async function serve(options: MetricsHandlerOptions): Promise<number> {
    const handle = metricsHandler(options);
    const server = createServer((req, res) => void handle(req, res));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async function scrapeNode(port: number, r: (typeof REQUESTS)[number]): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (r.accept !== undefined) headers['accept'] = r.accept;
    if (r.acceptEncoding !== undefined) headers['accept-encoding'] = r.acceptEncoding;
    const res = await exchange(`http://127.0.0.1:${port}/metrics`, { method: r.method, headers });
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (!TRANSPORT_HEADERS.has(name) && typeof value === 'string') kept[name] = value;
    }
    return { status: res.status, headers: kept, body: res.body };
  }

  async function callFetch(
    handler: (request: Request) => Promise<Response>,
    r: (typeof REQUESTS)[number],
  ): Promise<Answer> {
    const headers = new Headers();
    if (r.accept !== undefined) headers.set('accept', r.accept);
    if (r.acceptEncoding !== undefined) headers.set('accept-encoding', r.acceptEncoding);
    const response = await handler(new Request('http://127.0.0.1/metrics', { method: r.method, headers }));
    const kept: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      kept[name] = value;
    });
    return { status: response.status, headers: kept, body: Buffer.from(await response.arrayBuffer()) };
  }

  for (const config of CONFIGS) {
    describe(config.what, () => {
      let port = 0;
      let handler: (request: Request) => Promise<Response>;
      before(async () => {
        const registry = config.registry();
        port = await serve({ ...config.options, registry });
        handler = metricsFetchHandler({ ...config.options, registry });
      });

      for (const r of REQUESTS) {
        it(`${r.method} Accept: ${r.accept ?? 'none'}, Accept-Encoding: ${r.acceptEncoding ?? 'none'}`, async () => {
          const rawNode = await scrapeNode(port, r);
          const rawFetch = await callFetch(handler, r);
          const viaNode = decoded(rawNode);
          const viaFetch = decoded(rawFetch);
          // Content-Length: node:http sets it by itself for error answers, where a Response leaves it to the
          // server; on 200 both handlers send the length of the bytes they send.
          const { 'content-length': nodeLength, ...nodeHeaders } = viaNode.headers;
          const { 'content-length': fetchLength, ...fetchHeaders } = viaFetch.headers;
          assert.equal(viaFetch.status, viaNode.status);
          assert.deepEqual(fetchHeaders, nodeHeaders);
          if (viaNode.status === 200 && r.method === 'GET') {
            assert.equal(nodeLength, String(rawNode.body.length));
            assert.equal(fetchLength, String(rawFetch.body.length));
          }
          assert.equal(viaFetch.body.toString('latin1'), viaNode.body.toString('latin1'));
          if (r.method === 'HEAD') assert.equal(viaFetch.body.length, 0);
        });
      }
    });
  }

  it('sends the length of the gzip body it sends, and that body inflates to the plain one', async () => {
    const handler = metricsFetchHandler({ registry: filled() });
    const zipped = await handler(new Request('http://127.0.0.1/metrics', { headers: { 'accept-encoding': 'gzip' } }));
    const plain = await handler(new Request('http://127.0.0.1/metrics'));
    const bytes = Buffer.from(await zipped.arrayBuffer());
    assert.equal(zipped.headers.get('content-encoding'), 'gzip');
    assert.equal(zipped.headers.get('content-length'), String(bytes.length));
    assert.deepEqual(gunzipSync(bytes), Buffer.from(await plain.arrayBuffer()));
  });
});
