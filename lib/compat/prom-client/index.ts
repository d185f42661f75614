/**
 * zerotel/prom-client: prom-client 15's API over zerotel's engine. Switching is a change of import;
 * exposition is client_golang's (sorted, Go float formatting). See docs/migrating-from-prom-client.md.
 */
import { AggregatorFactory, aggregators } from './aggregators.js';
import { exponentialBuckets, linearBuckets } from './buckets.js';
import { AggregatorRegistry } from './cluster.js';
import { Counter } from './counter.js';
import { collectDefaultMetrics } from './default-metrics.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';
import { Pushgateway } from './pushgateway.js';
import { Registry } from './registry.js';
import { Summary } from './summary.js';
import { validateLabelName, validateMetricName } from './validation.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, type RegistryContentType } from './types.js';

export { Counter, type CounterConfiguration } from './counter.js';
export { Gauge, type GaugeConfiguration } from './gauge.js';
export { Histogram, type HistogramConfiguration } from './histogram.js';
export { Summary, type SummaryConfiguration } from './summary.js';
export { Registry } from './registry.js';
export { AggregatorRegistry } from './cluster.js';
export { Pushgateway } from './pushgateway.js';
export { collectDefaultMetrics, type DefaultMetricsCollectorConfiguration } from './default-metrics.js';
export { aggregators, AggregatorFactory } from './aggregators.js';
export { validateMetricName, validateLabelName } from './validation.js';
export { linearBuckets, exponentialBuckets } from './buckets.js';
export type { MetricConfiguration } from './metric-base.js';
import { MetricType } from './types.js';
export {
  MetricType,
  type Aggregator,
  type Charset,
  type CollectFunction,
  type IncreaseDataWithExemplar,
  type LabelValues,
  type MetricObject,
  type MetricObjectWithValues,
  type MetricValue,
  type MetricValueWithName,
  type ObserveDataWithExemplar,
  type OpenMetricsContentType,
  type OpenMetricsMIME,
  type OpenMetricsVersion,
  type PrometheusContentType,
  type PrometheusMetricsVersion,
  type PrometheusMIME,
  type RegistryContentType,
} from './types.js';

export type Metric<T extends string = string> = Counter<T> | Gauge<T> | Summary<T> | Histogram<T>;
export type Collector = () => void;

/** The global registry. */
export const register: Registry = Registry.globalRegistry;
export const prometheusContentType = PROMETHEUS_CONTENT_TYPE;
export const openMetricsContentType = OPENMETRICS_CONTENT_TYPE;

/** The global registry's content type (prom-client exposes it as a live binding). */
export let contentType: RegistryContentType = register.contentType;
const setContentType = register.setContentType.bind(register);
register.setContentType = (type) => {
  setContentType(type);
  contentType = register.contentType;
};

/** The whole API as one object, for `import client from 'zerotel/prom-client'` (prom-client's CommonJS default). */
const promClient = {
  register,
  Registry,
  get contentType(): RegistryContentType {
    return contentType;
  },
  set contentType(value: RegistryContentType) {
    register.setContentType(value as never);
  },
  prometheusContentType,
  openMetricsContentType,
  validateMetricName,
  validateLabelName,
  Counter,
  Gauge,
  Histogram,
  Summary,
  Pushgateway,
  linearBuckets,
  exponentialBuckets,
  collectDefaultMetrics,
  aggregators,
  AggregatorFactory,
  AggregatorRegistry,
  MetricType,
};
export default promClient;
