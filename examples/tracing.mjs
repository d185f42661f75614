// Spans exported by OTLP/gRPC to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4317).
// Run: node examples/tracing.mjs
import { BatchSpanProcessor, OtlpGrpcTraceExporter, SpanKind, TracerProvider, defaultResource } from 'zerotel';

const provider = new TracerProvider({
  resource: defaultResource({ attributes: { 'service.name': 'checkout' } }),
  spanProcessors: [new BatchSpanProcessor(new OtlpGrpcTraceExporter())],
});
const tracer = provider.getTracer('checkout', '1.0.0');

tracer.startActiveSpan('GET /checkout', { kind: SpanKind.SERVER }, (span) => {
  // The server span is active here: this child picks it up as its parent.
  tracer.startActiveSpan('price cart', (child) => {
    child.addEvent('priced', { items: 3 });
    child.end();
  });
  span.end();
});

const flushed = await provider.shutdown();
console.log(`spans flushed: ${flushed}`);
