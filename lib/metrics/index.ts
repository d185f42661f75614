/** zerotel/metrics: the metrics engine and its exposition writers. */

export { Counter, CounterChild } from './counter.js';
export { Gauge, GaugeChild } from './gauge.js';
export { Histogram, HistogramChild, type HistogramOptions } from './histogram.js';
export {
  NATIVE_ZERO_THRESHOLD_ZERO,
  type NativeHistogramOptions,
  type NativeSnapshot,
} from './native-histogram.js';
export { DEFAULT_NATIVE_ZERO_THRESHOLD } from './native-schema.js';
export type { NativeSpans } from './native-buckets.js';
export { Summary, SummaryChild, type SummaryOptions } from './summary.js';
export { Metric, type MetricOptions, type Labels, type LabelValue } from './metric.js';
export { Registry, defaultRegistry, type GatherResult } from './registry.js';
export type { Collector } from './collector.js';
export { Descriptor } from './descriptor.js';
export { DEFAULT_BUCKETS, linearBuckets, exponentialBuckets } from './buckets.js';
export { MetricsError, AlreadyRegisteredError, GatherError, type MetricsStage } from './errors.js';
export { EXEMPLAR_MAX_RUNES, makeExemplar, type ExemplarLabels } from './exemplar.js';
export {
  LabelSet,
  series,
  type Exemplar,
  type FamilySnapshot,
  type MetricType,
  type SeriesSnapshot,
} from './snapshot.js';

export { encodeText, formatText, writeText, TEXT_CONTENT_TYPE } from '../exposition/text.js';
export {
  encodeOpenMetrics,
  formatOpenMetrics,
  writeOpenMetrics,
  OPENMETRICS_CONTENT_TYPE,
  type OpenMetricsOptions,
} from '../exposition/openmetrics.js';
export { encodeProtobuf, writeProtobuf, PROTOBUF_CONTENT_TYPE } from '../exposition/protobuf.js';
export { formatGoFloat, formatOpenMetricsFloat, formatGo } from '../exposition/numbers.js';
export {
  encodeJsonpb,
  formatJsonpb,
  familiesToJson,
  familyToJson,
  type JsonBucket,
  type JsonBucketSpan,
  type JsonExemplar,
  type JsonLabelPair,
  type JsonMetric,
  type JsonMetricFamily,
} from '../exposition/jsonpb.js';
export { renderFormat, type ExpositionFormat } from '../exposition/render.js';
export { negotiate, type Negotiated } from '../exposition/negotiate.js';
export { metricsFetchHandler } from '../http/fetch-handler.js';
export type { MetricsHandlerOptions } from '../http/scrape-answer.js';
