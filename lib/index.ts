/** zerotel: zero-dependency metrics (client_golang-exact exposition), runtime metrics and tracing for Node.js. */

export { Counter, CounterChild } from './metrics/counter.js';
export { Gauge, GaugeChild } from './metrics/gauge.js';
export { Histogram, HistogramChild, type HistogramOptions } from './metrics/histogram.js';
export { Summary, SummaryChild, type SummaryOptions } from './metrics/summary.js';
export { Metric, type MetricOptions, type Labels, type LabelValue } from './metrics/metric.js';
export { Registry, defaultRegistry, type GatherResult } from './metrics/registry.js';
export type { Collector } from './metrics/collector.js';
export { Descriptor } from './metrics/descriptor.js';
export { DEFAULT_BUCKETS, linearBuckets, exponentialBuckets } from './metrics/buckets.js';
export { MetricsError, AlreadyRegisteredError, GatherError, type MetricsStage } from './metrics/errors.js';
export { EXEMPLAR_MAX_RUNES, makeExemplar, type ExemplarLabels } from './metrics/exemplar.js';
export {
  LabelSet,
  series,
  type Exemplar,
  type FamilySnapshot,
  type MetricType,
  type SeriesSnapshot,
} from './metrics/snapshot.js';

export { encodeText, writeText, TEXT_CONTENT_TYPE } from './exposition/text.js';
export { encodeOpenMetrics, writeOpenMetrics, OPENMETRICS_CONTENT_TYPE, type OpenMetricsOptions } from './exposition/openmetrics.js';
export { writeProtobuf, PROTOBUF_CONTENT_TYPE } from './exposition/protobuf.js';
export { formatGo, formatOpenMetrics } from './exposition/numbers.js';
export { renderFormat, type ExpositionFormat } from './exposition/render.js';
export { negotiate, type Negotiated } from './exposition/negotiate.js';
export { metricsHandler, type MetricsHandlerOptions } from './http/metrics-handler.js';

export { parseFixture, FixtureFormatError, type Fixture } from './fixture/fixture.js';
export { runFixture, type FixtureOutcome, type FixtureFailure } from './fixture/run.js';

// The tracing API, as lib/trace/index.ts defines it.
export * from './trace/index.js';

export {
  collectRuntimeMetrics,
  runtimeResourceCounts,
  RUNTIME_METRIC_SETS,
  GoCollector,
  GO_METRICS,
  GO_SOURCES,
  GO_INFO_VERSION,
  ProcessCollector,
  NodejsCollector,
  DEFAULT_GC_DURATION_BUCKETS,
  type RuntimeMetricSet,
  type RuntimeMetricsOptions,
  type RuntimeMetricsHandle,
  type RuntimeResourceCounts,
  type RuntimeCollectorOptions,
  type NodejsCollectorOptions,
  type Fidelity,
} from './runtime/index.js';

export {
  OtlpGrpcTraceExporter,
  OtlpExportError,
  type OtlpGrpcTraceExporterOptions,
  type ExporterLogger,
} from './otlp/exporter.js';
export {
  resolveOtlpConfig,
  OtlpConfigError,
  DEFAULT_OTLP_GRPC_ENDPOINT,
  type OtlpExporterOptions,
  type OtlpExporterConfig,
  type Encryption,
  type Compression,
} from './otlp/config.js';
export { encodeExportTraceRequest } from './otlp/encode.js';

export {
  allocBytesHandler,
  prettyByteSize,
} from './http/metrics-handler.js';
export {
  HttpServerMetrics,
  instrumentHandler,
  serverSpanName,
  OPA_HTTP_DURATION_BUCKETS,
  HTTP_DURATION_METRIC,
  HTTP_DURATION_HELP,
  HTTP_CANCELLATIONS_METRIC,
  HTTP_CANCELLATIONS_HELP,
  type HttpServerMetricsOptions,
  type InstrumentOptions,
  type RequestHandler,
} from './http/instrument.js';
export { healthHandler, healthProblem, boolParam, type HealthHandlerOptions } from './http/health.js';
export {
  httpRequest,
  createHttpClient,
  clientSpanName,
  HttpRequestError,
  type HttpClient,
  type HttpRequestOptions,
  type HttpResponse,
} from './http/client.js';
export {
  PluginManager,
  PluginState,
  ZEROTEL_VERSION,
  buildStatusUpdate,
  familiesToJson,
  familyToJson,
  type PluginManagerOptions,
  type PluginStatus,
  type PluginStatuses,
  type PluginStatusListener,
  type StatusUpdate,
  type JsonMetricFamily,
  type JsonMetric,
} from './status/payload.js';
export {
  StatusReporter,
  STATUS_PLUGIN,
  DEFAULT_STATUS_RETRY,
  statusUrl,
  type StatusReporterOptions,
  type StatusService,
  type StatusRetryPolicy,
  type PushOutcome,
} from './status/reporter.js';
export {
  ReferenceServer,
  createReferenceServer,
  TRACING_PLUGIN,
  type ReferenceServerOptions,
} from './server/app.js';
export {
  parseConfig,
  loadConfigFile,
  defaultConfig,
  ConfigError,
  type ReferenceConfig,
  type ServiceConfig,
  type TracingConfig,
  type StatusConfig,
  type ServerConfig,
  type UpstreamConfig,
  type DecisionLogsConfig,
} from './server/config.js';
export { DataApi, DataStore, ApiError, type DataApiOptions } from './server/data-api.js';
export { DecisionLogger, DECISION_LOGS_PLUGIN, newDecisionId, type DecisionEvent, type DecisionLoggerOptions } from './server/decision-log.js';
