/** prom-client's public type names, in the shape of its index.d.ts, so existing TypeScript compiles unchanged. */

export type Charset = 'utf-8';
export type PrometheusMIME = 'text/plain';
export type PrometheusMetricsVersion = '0.0.4';
export type OpenMetricsMIME = 'application/openmetrics-text';
export type OpenMetricsVersion = '1.0.0';
export type OpenMetricsContentType = `${OpenMetricsMIME}; version=${OpenMetricsVersion}; charset=${Charset}`;
export type PrometheusContentType = `${PrometheusMIME}; version=${PrometheusMetricsVersion}; charset=${Charset}`;
export type RegistryContentType = PrometheusContentType | OpenMetricsContentType;

export const PROMETHEUS_CONTENT_TYPE: PrometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE: OpenMetricsContentType =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** How the cluster aggregator combines one metric's values from several workers. */
export type Aggregator = 'omit' | 'sum' | 'first' | 'min' | 'max' | 'average';

/** prom-client declares this enum although `type` holds the string names at run time. */
export enum MetricType {
  Counter,
  Gauge,
  Histogram,
  Summary,
}

export type CollectFunction<T> = (this: T) => void | Promise<void>;

export type LabelValues<T extends string> = Partial<Record<T, string | number>>;

export type MetricValue<T extends string> = {
  value: number;
  labels: LabelValues<T>;
};

export type MetricValueWithName<T extends string> = MetricValue<T> & {
  metricName?: string;
};

export interface MetricObject {
  name: string;
  help: string;
  type: MetricType;
  aggregator: Aggregator;
  collect: CollectFunction<any>;
}

export interface MetricObjectWithValues<T extends MetricValue<string>> extends MetricObject {
  values: T[];
}

export interface IncreaseDataWithExemplar<T extends string> {
  value?: number;
  labels?: LabelValues<T>;
  exemplarLabels?: LabelValues<T>;
}

export interface ObserveDataWithExemplar<T extends string> {
  value: number;
  labels?: LabelValues<T>;
  exemplarLabels?: LabelValues<T>;
}
