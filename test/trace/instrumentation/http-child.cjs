'use strict';
/**
 * A CommonJS program as an instrumented application is written: @opentelemetry/instrumentation-http
 * registered, zerotel's context manager, propagators and tracer provider behind @opentelemetry/api,
 * spans sent through zerotel's OTLP/gRPC exporter to 127.0.0.1:PORT. It serves one request on
 * node:http and makes it with node:http, then prints what the server received as one JSON line.
 *
 *   node --import tsx http-child.cjs PORT
 */
const api = require('@opentelemetry/api');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const zerotel = require('../../../lib/trace/index.ts');
const { OtlpGrpcTraceExporter } = require('../../../lib/otlp/index.ts');

const port = Number(process.argv[2]);
const exporter = new OtlpGrpcTraceExporter({ endpoint: `http://127.0.0.1:${port}`, compression: 'none', env: {} });
const provider = new zerotel.TracerProvider({
  resource: zerotel.createResource({ 'service.name': 'http-e2e' }),
  spanProcessors: [new zerotel.BatchSpanProcessor(exporter, { env: {} })],
});
api.context.setGlobalContextManager(new zerotel.AsyncLocalStorageContextManager().enable());
api.propagation.setGlobalPropagator(
  new zerotel.CompositePropagator({
    propagators: [new zerotel.W3CTraceContextPropagator(), new zerotel.W3CBaggagePropagator()],
  }),
);
api.trace.setGlobalTracerProvider(provider);
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });

// Loaded after the instrumentation is registered, as its documentation asks.
const http = require('http');

let received;
const server = http.createServer((req, res) => {
  received = {
    traceparent: req.headers['traceparent'],
    activeSpan: api.trace.getActiveSpan()?.spanContext().spanId,
  };
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});

server.listen(0, '127.0.0.1', () => {
  const target = `http://127.0.0.1:${server.address().port}/hello?x=1`;
  http.get(target, (res) => {
    res.resume();
    res.on('end', async () => {
      server.close();
      await provider.forceFlush();
      await provider.shutdown();
      process.stdout.write(JSON.stringify({ ...received, status: res.statusCode }) + '\n');
      process.exit(0);
    });
  });
});
setTimeout(() => {
  process.stderr.write('no answer in 60 s\n');
  process.exit(2);
}, 60_000).unref();
