/** The OPA-shaped reference application: server, configuration, data API, decision logs, status and health. */

export { healthHandler, healthProblem, boolParam, type HealthHandlerOptions, type PluginHealth } from './health.js';
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
} from './payload.js';
export {
  StatusReporter,
  STATUS_PLUGIN,
  DEFAULT_STATUS_RETRY,
  statusUrl,
  type StatusReporterOptions,
  type StatusService,
  type StatusRetryPolicy,
  type PushOutcome,
} from './reporter.js';
export {
  ReferenceServer,
  createReferenceServer,
  TRACING_PLUGIN,
  DEFAULT_SERVER_MAX_SERIES,
  type ReferenceServerOptions,
} from './app.js';
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
} from './config.js';
export { DataApi, DataStore, ApiError, type DataApiOptions } from './data-api.js';
export { DEFAULT_JSON_LIMITS, checkJsonLimits, type JsonLimits, type JsonLimitProblem } from './json-limits.js';
export {
  DecisionLogger,
  DECISION_LOGS_PLUGIN,
  newDecisionId,
  type DecisionEvent,
  type DecisionLoggerOptions,
} from './decision-log.js';
export type { NativeHistogramsConfig } from './native-histograms-config.js';
