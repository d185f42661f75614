/** zerotel/http: node:http handlers and instrumentation, and the traced HTTP client. */

export { metricsHandler, type MetricsHandlerOptions } from './metrics-handler.js';
export { metricsFetchHandler } from './fetch-handler.js';
export {
  allocBytesHandler,
  prettyByteSize,
} from './metrics-handler.js';
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
} from './instrument.js';
export {
  httpRequest,
  createHttpClient,
  clientSpanName,
  HttpRequestError,
  type HttpClient,
  type HttpRequestOptions,
  type HttpResponse,
} from './client.js';
