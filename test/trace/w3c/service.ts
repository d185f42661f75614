/**
 * The W3C trace-context suite's test service, written only against @opentelemetry/api, with one SDK
 * registered behind it: `zerotel` (its context manager, propagators and tracer provider) or
 * `opentelemetry-js` (its W3C propagator and tracer provider), for comparison.
 *
 *   node --import tsx service.ts zerotel|opentelemetry-js
 *
 * Listens on 127.0.0.1 (a free port) and prints `listening PORT`. For each POST it continues the
 * incoming context in a SERVER span and, for every `{url, arguments}` of the JSON body, makes a
 * POST to `url` with `arguments` as the body, in a CLIENT span whose context it injects, as the
 * suite's README asks.
 */
import { request, createServer, type IncomingMessage } from 'node:http';
import * as api from '@opentelemetry/api';

async function register(sdk: string): Promise<void> {
  if (sdk === 'zerotel') {
    const z = await import('../../../lib/trace/index.js');
    api.context.setGlobalContextManager(new z.AsyncLocalStorageContextManager().enable());
    api.propagation.setGlobalPropagator(
      new z.CompositePropagator({ propagators: [new z.W3CTraceContextPropagator(), new z.W3CBaggagePropagator()] }),
    );
    api.trace.setGlobalTracerProvider(new z.TracerProvider({ sampler: new z.AlwaysOnSampler() }));
  } else if (sdk === 'opentelemetry-js') {
    const core = await import('@opentelemetry/core');
    const sdkTrace = await import('@opentelemetry/sdk-trace');
    api.propagation.setGlobalPropagator(
      new core.CompositePropagator({
        propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
      }),
    );
    api.trace.setGlobalTracerProvider(new sdkTrace.TracerProvider({ sampler: new sdkTrace.AlwaysOnSampler() }));
  } else {
    throw new Error(`usage: service.ts zerotel|opentelemetry-js (got ${JSON.stringify(sdk)})`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.setTimeout(10_000, () => req.destroy());
    req.end(body);
  });
}

async function main(): Promise<void> {
  await register(process.argv[2] ?? '');
  const tracer = api.trace.getTracer('w3c-service');
  const server = createServer((req, res) => {
    const parent = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan('handle', { kind: api.SpanKind.SERVER }, parent);
    const ctx = api.trace.setSpan(parent, span);
    readBody(req)
      .then(async (text) => {
        const actions = (text === '' ? [] : JSON.parse(text)) as { url: string; arguments: unknown }[];
        for (const action of Array.isArray(actions) ? actions : []) {
          // Each call is its own CLIENT span, as an HTTP client instrumentation makes it.
          const client = tracer.startSpan('POST', { kind: api.SpanKind.CLIENT }, ctx);
          const headers: Record<string, string> = {};
          api.propagation.inject(api.trace.setSpan(ctx, client), headers);
          await post(action.url, JSON.stringify(action.arguments ?? []), headers);
          client.end();
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      })
      .catch((error: unknown) => res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error)))
      .finally(() => span.end());
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
