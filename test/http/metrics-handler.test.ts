/**
 * The `/metrics` handler on a real node:http server: content negotiation with the exact Accept headers
 * Prometheus sends, bodies identical to the writers' output, gzip, HEAD, methods, and collection errors.
 *
 * Accept headers, from prometheus/prometheus scrape/scrape.go and config/config.go:
 * - up to 2.48, two constants (`scrapeAcceptHeader`, and `scrapeAcceptHeaderWithProtobuf` with native
 *   histograms enabled);
 * - from 2.49, built by `acceptHeader()` from `scrape_protocols`: each protocol gets `;q=0.<weight>`,
 *   the weight starting at (number of known protocols + 1) and decreasing, then the match-anything
 *   range with the next one;
 * - 3.x adds `text/plain;version=1.0.0` and an `escaping=` parameter: first on every protocol
 *   (`escaping=allow-utf-8` under UTF-8 name validation), later only on the 1.0.0 text formats, set from
 *   the name escaping scheme (`allow-utf-8`, or `underscores` under legacy validation).
 */
import assert from 'node:assert/strict';
import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  metricsHandler,
  negotiate,
  writeOpenMetrics,
  writeProtobuf,
  writeText,
  type Collector,
  type ExpositionFormat,
  type MetricsHandlerOptions,
} from '../../lib/index.js';

const TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const OM1_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const OM0_TYPE = 'application/openmetrics-text; version=0.0.1; charset=utf-8';
const PROTO_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

const PROTO = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';

/** Accept headers and what client_golang's promhttp (with OpenMetrics enabled) answers to them. */
const ACCEPT_TABLE: readonly {
  what: string;
  accept: string | undefined;
  format: ExpositionFormat;
  contentType: string;
}[] = [
  {
    what: 'Prometheus 2.x up to 2.48, default',
    accept:
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    format: 'openmetrics',
    contentType: OM1_TYPE,
  },
  {
    what: 'Prometheus 2.x up to 2.48, native histograms enabled (protobuf first)',
    accept: `${PROTO},application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1`,
    format: 'protobuf',
    contentType: PROTO_TYPE,
  },
  {
    what: 'Prometheus 2.49-2.55, default scrape_protocols',
    accept:
      'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    format: 'openmetrics',
    contentType: OM1_TYPE,
  },
  {
    what: 'Prometheus 2.49-2.55, protobuf first',
    accept: `${PROTO};q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,application/openmetrics-text;version=0.0.1;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1`,
    format: 'protobuf',
    contentType: PROTO_TYPE,
  },
  {
    what: 'Prometheus 3.0, default (escaping on every protocol)',
    accept:
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3,*/*;q=0.2',
    format: 'openmetrics',
    contentType: OM1_TYPE,
  },
  {
    what: 'Prometheus 3.0, protobuf first',
    accept: `${PROTO};escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;escaping=allow-utf-8;q=0.2,*/*;q=0.1`,
    format: 'protobuf',
    contentType: PROTO_TYPE,
  },
  {
    what: 'Prometheus 3.x, default (UTF-8 names)',
    accept:
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    format: 'openmetrics',
    contentType: OM1_TYPE,
  },
  {
    what: 'Prometheus 3.x, protobuf first (native histograms)',
    accept: `${PROTO};q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1`,
    format: 'protobuf',
    contentType: PROTO_TYPE,
  },
  {
    what: 'Prometheus 3.x, legacy name validation',
    accept:
      'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=underscores;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    format: 'openmetrics',
    contentType: OM1_TYPE,
  },
  {
    // client_golang 1.14 knows no text 1.0.0: it falls through to */* and answers text 0.0.4.
    what: 'Prometheus 3.x, scrape_protocols: [PrometheusText1.0.0]',
    accept: 'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,*/*;q=0.5',
    format: 'text',
    contentType: TEXT_TYPE,
  },
  {
    what: 'Prometheus 3.x, scrape_protocols: [PrometheusText0.0.4]',
    accept: 'text/plain;version=0.0.4;q=0.6,*/*;q=0.5',
    format: 'text',
    contentType: TEXT_TYPE,
  },
  {
    what: 'Prometheus 3.x, scrape_protocols: [OpenMetricsText0.0.1]',
    accept: 'application/openmetrics-text;version=0.0.1;q=0.6,*/*;q=0.5',
    format: 'openmetrics',
    contentType: OM0_TYPE,
  },
  { what: 'no Accept header', accept: undefined, format: 'text', contentType: TEXT_TYPE },
  { what: 'empty Accept header', accept: '', format: 'text', contentType: TEXT_TYPE },
  { what: 'curl (*/*)', accept: '*/*', format: 'text', contentType: TEXT_TYPE },
  {
    what: 'a browser',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    format: 'text',
    contentType: TEXT_TYPE,
  },
  { what: 'text/plain without version', accept: 'text/plain', format: 'text', contentType: TEXT_TYPE },
  {
    what: 'OpenMetrics without version',
    accept: 'application/openmetrics-text',
    format: 'openmetrics',
    contentType: OM0_TYPE,
  },
  {
    what: 'OpenMetrics 1.0.0 with spaces and charset',
    accept: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
    format: 'openmetrics',
    contentType: OM1_TYPE,
  },
  {
    what: 'higher q wins over header order',
    accept: 'text/plain;version=0.0.4;q=0.3,application/openmetrics-text;version=1.0.0;q=0.9',
    format: 'openmetrics',
    contentType: OM1_TYPE,
  },
  {
    what: 'unknown OpenMetrics version',
    accept: 'application/openmetrics-text;version=2.0.0',
    format: 'text',
    contentType: TEXT_TYPE,
  },
  {
    what: 'protobuf without the delimited encoding',
    accept: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily',
    format: 'text',
    contentType: TEXT_TYPE,
  },
  { what: 'unrelated type only', accept: 'application/json', format: 'text', contentType: TEXT_TYPE },
];

/** A registry with every kind of line a scrape can hold, exemplars included (only OpenMetrics shows them). */
function sampleRegistry(): Registry {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests "served".\nBy code.',
    labelNames: ['code'],
    registers,
  });
  requests.labels('200').inc(41);
  requests.labels('500').addWithExemplar(1, { trace_id: 'abc123' });
  new Gauge({ name: 'temperature_celsius', help: 'Température ☀', constLabels: { room: 'Küche 😀' }, registers }).set(
    -3.5,
  );
  const latency = new Histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1], registers });
  latency.observe(0.05);
  latency.observeWithExemplar(0.5, { trace_id: 'def456' });
  return registry;
}

interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function listen(options: MetricsHandlerOptions): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer(metricsHandler(options));
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

function fetchRaw(port: number, method: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/metrics', method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** What the writers produce for the registry, in each format. */
function rendered(registry: Registry, format: ExpositionFormat): Buffer {
  const families = registry.collect();
  if (format === 'protobuf') return Buffer.from(writeProtobuf(families));
  return Buffer.from(format === 'openmetrics' ? writeOpenMetrics(families) : writeText(families), 'utf8');
}

describe('negotiate()', () => {
  for (const row of ACCEPT_TABLE) {
    it(row.what, () => {
      assert.deepEqual(negotiate(row.accept), { format: row.format, contentType: row.contentType });
    });
  }
});

describe('metricsHandler on a node:http server', () => {
  const registry = sampleRegistry();
  let server: Server;
  let port = 0;

  before(async () => {
    ({ server, port } = await listen({ registry }));
  });
  after(() => close(server));

  for (const row of ACCEPT_TABLE) {
    it(`GET, ${row.what}: ${row.contentType}, body as the writer's`, async () => {
      const res = await fetchRaw(port, 'GET', row.accept === undefined ? {} : { Accept: row.accept });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], row.contentType);
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(Number(res.headers['content-length']), res.body.length);
      assert.ok(res.body.equals(rendered(registry, row.format)), `body differs from ${row.format} writer output`);
    });
  }

  it('the sample registry shows exemplars in OpenMetrics only', async () => {
    const om = await fetchRaw(port, 'GET', { Accept: 'application/openmetrics-text;version=1.0.0' });
    assert.match(om.body.toString('utf8'), /# \{trace_id="abc123"\} 1\.0 /);
    assert.match(om.body.toString('utf8'), /# EOF\n$/);
    const text = await fetchRaw(port, 'GET');
    assert.doesNotMatch(text.body.toString('utf8'), /trace_id/);
  });

  for (const format of ['text', 'openmetrics', 'protobuf'] as const) {
    it(`gzip when Accept-Encoding allows it (${format})`, async () => {
      const accept = ACCEPT_TABLE.find((r) => r.format === format && r.accept !== undefined)!.accept!;
      const res = await fetchRaw(port, 'GET', { Accept: accept, 'Accept-Encoding': 'gzip' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.equal(Number(res.headers['content-length']), res.body.length);
      assert.ok(gunzipSync(res.body).equals(rendered(registry, format)), 'gunzipped body differs');
    });
  }

  const encodings: readonly [string, boolean][] = [
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['GZIP', true],
    ['gzip;q=0', false],
    ['gzip;q=0.0, identity', false],
    ['identity', false],
    ['deflate, br', false],
  ];
  for (const [acceptEncoding, gzipped] of encodings) {
    it(`Accept-Encoding "${acceptEncoding}": ${gzipped ? 'gzip' : 'identity'}`, async () => {
      const res = await fetchRaw(port, 'GET', { 'Accept-Encoding': acceptEncoding });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], gzipped ? 'gzip' : undefined);
      const body = gzipped ? gunzipSync(res.body) : res.body;
      assert.ok(body.equals(rendered(registry, 'text')));
    });
  }

  it('HEAD: headers of the GET, no body', async () => {
    const get = await fetchRaw(port, 'GET', { Accept: 'application/openmetrics-text;version=1.0.0' });
    const head = await fetchRaw(port, 'HEAD', { Accept: 'application/openmetrics-text;version=1.0.0' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], OM1_TYPE);
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    assert.equal(head.body.length, 0);
  });

  for (const method of ['POST', 'PUT', 'DELETE']) {
    it(`${method}: 405 with Allow`, async () => {
      const res = await fetchRaw(port, method);
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'GET, HEAD');
      assert.doesNotMatch(res.body.toString('utf8'), /http_requests_total/);
    });
  }
});

describe('metricsHandler options', () => {
  it('openMetrics: false answers OpenMetrics requests with text', async () => {
    const registry = sampleRegistry();
    const { server, port } = await listen({ registry, openMetrics: false });
    try {
      const res = await fetchRaw(port, 'GET', { Accept: ACCEPT_TABLE[0]!.accept! });
      assert.equal(res.headers['content-type'], TEXT_TYPE);
      assert.ok(res.body.equals(rendered(registry, 'text')));
    } finally {
      await close(server);
    }
  });

  it('gzip: false never compresses', async () => {
    const registry = sampleRegistry();
    const { server, port } = await listen({ registry, gzip: false });
    try {
      const res = await fetchRaw(port, 'GET', { 'Accept-Encoding': 'gzip' });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.ok(res.body.equals(rendered(registry, 'text')));
    } finally {
      await close(server);
    }
  });
});

describe('metricsHandler with a failing collection', () => {
  const MESSAGE = 'sensor 7 unreadable: "disk" on fire';

  /** A user's collector whose collect throws (empty describe: an unchecked collector). */
  const failingCollector: Collector = {
    describe: () => [],
    collect() {
      throw new Error(MESSAGE);
    },
  };

  for (const accept of [undefined, ACCEPT_TABLE[0]!.accept!, ACCEPT_TABLE[1]!.accept!]) {
    it(`500 with the message and no partial body (Accept: ${accept ?? 'none'})`, async () => {
      const registry = sampleRegistry();
      registry.register(failingCollector);
      const { server, port } = await listen({ registry });
      try {
        const headers: Record<string, string> = { 'Accept-Encoding': 'gzip' };
        if (accept !== undefined) headers.Accept = accept;
        const res = await fetchRaw(port, 'GET', headers);
        assert.equal(res.status, 500);
        assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(res.headers['content-encoding'], undefined);
        const body = res.body.toString('utf8');
        assert.ok(body.includes(MESSAGE), `message missing from ${JSON.stringify(body)}`);
        // Nothing of the metrics that did gather is sent.
        for (const fragment of [
          '# HELP',
          '# TYPE',
          'http_requests_total',
          'temperature_celsius',
          'latency_seconds',
          '# EOF',
        ]) {
          assert.ok(!body.includes(fragment), `partial body: ${JSON.stringify(fragment)} in ${JSON.stringify(body)}`);
        }
      } finally {
        await close(server);
      }
    });
  }

  it('500 when a metric collect callback rejects', async () => {
    const registry = sampleRegistry();
    new Gauge({
      name: 'queue_depth',
      help: 'Depth.',
      registers: [registry],
      collect: async () => {
        throw new Error('queue backend unreachable');
      },
    });
    const { server, port } = await listen({ registry });
    try {
      const res = await fetchRaw(port, 'GET');
      assert.equal(res.status, 500);
      const body = res.body.toString('utf8');
      assert.match(body, /queue backend unreachable/);
      assert.doesNotMatch(body, /# HELP|http_requests_total/);
    } finally {
      await close(server);
    }
  });

  it('the server keeps serving after a failed scrape', async () => {
    const registry = sampleRegistry();
    registry.register(failingCollector);
    const { server, port } = await listen({ registry });
    try {
      assert.equal((await fetchRaw(port, 'GET')).status, 500);
      registry.unregister(failingCollector);
      const res = await fetchRaw(port, 'GET');
      assert.equal(res.status, 200);
      assert.ok(res.body.equals(rendered(registry, 'text')));
    } finally {
      await close(server);
    }
  });
});
