/** zerotel/push: getting metrics out of processes nobody scrapes (remote write, snappy, periodic OTLP export). */

export {
  RemoteWriteClient,
  REMOTE_WRITE_HEADERS,
  isRetryableRemoteWriteStatus,
  countSamples,
  type RemoteWriteOptions,
  type RemoteWriteStats,
  type RemoteWriteResult,
} from './remote-write.js';
export { encodeWriteRequest } from './remote-write-encode.js';
export { snappyCompress, snappyDecompress, snappyMaxCompressedLength, SnappyError } from './snappy.js';
export {
  PeriodicMetricReader,
  DEFAULT_EXPORT_INTERVAL_MS,
  DEFAULT_EXPORT_TIMEOUT_MS,
  type MetricExporter,
  type PeriodicMetricReaderOptions,
} from '../otlp/periodic-reader.js';
export { OtlpGrpcMetricExporter, OtlpHttpMetricExporter } from '../otlp/metric-exporter.js';
export type { PushObserver } from '../otlp/push-observer.js';
export {
  pushMetrics,
  OTLP_METRIC_EXPORT_METRICS,
  REMOTE_WRITE_METRICS,
  type PushMetricNames,
} from '../otlp/push-metrics.js';
export {
  pushToGateway,
  groupingPath,
  TEXT_FORMAT_CONTENT_TYPE,
  type PushOptions,
  type PushResult,
  type PushMethod,
} from './pushgateway.js';
