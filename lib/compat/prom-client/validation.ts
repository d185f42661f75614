/** prom-client's name checks (the Prometheus data model's character rules). */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function validateMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** True when every name is a valid label name. */
export function validateLabelName(names: readonly string[] = []): boolean {
  return names.every((name) => LABEL_NAME.test(name));
}
