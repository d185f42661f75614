/**
 * The OTLP/gRPC span exporter, as this path has always exported it (it lives in grpc-trace-exporter.ts).
 * Importing this module also loads the metrics binding, so the exporters' `registry` option works for its
 * importers.
 */
export * from './grpc-trace-exporter.js';
export { exporterMetrics } from './exporter-metrics.js';
