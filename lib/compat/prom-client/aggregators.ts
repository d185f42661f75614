/** prom-client's cluster aggregators over its JSON metric shape, which users may extend. */
import type { JsonMetric, JsonValue } from './json.js';

export type AggregatorFunction = (metrics: JsonMetric[]) => JsonMetric | undefined;

/** Labels as a key independent of their order, skipping undefined values (prom-client's hashObject). */
function labelKey(labels: Record<string, unknown>): string {
  const keys = Object.keys(labels).sort();
  let key = '';
  for (const k of keys) if (labels[k] !== undefined) key += `${k}:${String(labels[k])},`;
  return key;
}

/** An aggregator applying `fn` to the values of each sample (metric name and labels) across registries. */
export function AggregatorFactory(fn: (values: JsonValue[]) => number): AggregatorFunction {
  return (metrics) => {
    if (metrics.length === 0) return undefined;
    const first = metrics[0]!;
    const groups = new Map<string, JsonValue[]>();
    for (const metric of metrics) {
      for (const value of metric.values) {
        const key = `${value.metricName}_${labelKey(value.labels)}`;
        const group = groups.get(key);
        if (group === undefined) groups.set(key, [value]);
        else group.push(value);
      }
    }
    const values: JsonValue[] = [];
    for (const group of groups.values()) {
      const v: JsonValue = { value: fn(group), labels: group[0]!.labels };
      if (group[0]!.metricName) v.metricName = group[0]!.metricName;
      values.push(v);
    }
    return { help: first.help, name: first.name, type: first.type, values, aggregator: first.aggregator };
  };
}

export const aggregators: Record<string, AggregatorFunction> = {
  sum: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0)),
  first: AggregatorFactory((v) => v[0]!.value),
  omit: () => undefined,
  average: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0) / v.length),
  min: AggregatorFactory((v) => v.reduce((p, c) => Math.min(p, c.value), Infinity)),
  max: AggregatorFactory((v) => v.reduce((p, c) => Math.max(p, c.value), -Infinity)),
};
