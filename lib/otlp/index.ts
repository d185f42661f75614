/** zerotel/otlp: the OTLP encoders and exporters. */

// The bindings of the exporters' and processor's `registry` options (package.json lists them as side effects).
import '../trace/processors/batch-metrics.js';
import './exporter-metrics.js';

export {
  OtlpGrpcTraceExporter,
  OtlpExportError,
  exporterMetrics,
  type OtlpGrpcTraceExporterOptions,
  type ExporterLogger,
} from './exporter.js';
/** The one error of every configuration check, listing each problem (`OtlpConfigError` is an alias). */
export { ConfigError } from '../config/config-error.js';
export {
  resolveOtlpConfig,
  otlpProtocolFromEnv,
  type OtlpProtocol,
  OtlpConfigError,
  DEFAULT_OTLP_GRPC_ENDPOINT,
  type OtlpExporterOptions,
  type OtlpExporterConfig,
  type Encryption,
  type Compression,
} from './config.js';
export { encodeExportTraceRequest, SpanEncoder } from './span-encoding/index.js';

export {
  OtlpHttpTraceExporter,
  type OtlpHttpTraceExporterOptions,
  type SpanExporterStats,
} from './http-trace-exporter.js';
export {
  OtlpGrpcMetricExporter,
  OtlpHttpMetricExporter,
  METRICS_EXPORT_PATH,
  countPoints,
  type OtlpMetricExporterOptions,
  type OtlpHttpMetricExporterOptions,
  type MetricExportResult,
  type MetricExporterStats,
} from './metric-exporter.js';
export { PeriodicMetricReader, type MetricExporter, type PeriodicMetricReaderOptions } from './periodic-reader.js';
export { encodeExportMetricsRequest, encodeEnvelope, EncodedEnvelope } from './metrics-encode.js';
export { encodeExportMetricsJson } from './metrics-json.js';
export { encodeExportTraceJson } from './trace-json.js';
export { otelUnit, type MetricsEnvelope, type MetricsScope, type ResourceValue } from './metrics-model.js';
export {
  HttpTransport,
  isRetryableOtlpStatus,
  parseRetryAfter,
  type HttpTransportOptions,
  type HttpResult,
} from './http-transport.js';
export { DEFAULT_OTLP_HTTP_BASE, type OtlpTarget } from './config.js';
export type { PushObserver } from './push-observer.js';
export { pushMetrics, OTLP_METRIC_EXPORT_METRICS, REMOTE_WRITE_METRICS, type PushMetricNames } from './push-metrics.js';
export { exportObserver, type SpanExportObserver } from './span-export-observer.js';
// The bindings of the span exporters' and batch processor's observers to a registry: loading them here makes
// their `registry` options work for users of this entry (and of the root entry).
export { batchMetrics } from '../trace/processors/batch-metrics.js';
