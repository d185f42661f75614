/**
 * Name and label rules, as client_golang 1.14 applies them.
 * Each check returns an error message (or undefined) so callers decide the stage at which it is thrown.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True for a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** True for a valid label name that is not reserved (`__` prefix is for Prometheus' own use). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

/** True when the string is valid Unicode (no lone surrogates), i.e. encodes to valid UTF-8. */
export function isValidUtf8(value: string): boolean {
  return value.isWellFormed();
}

/** Formats a list of strings as Go's `%q`-ish display, for error messages. */
export function quoteList(values: readonly string[]): string {
  return '[' + values.map((v) => JSON.stringify(v)).join(', ') + ']';
}

/**
 * Checks a metric's descriptor: name, const and variable label names, duplicates.
 * Returns the problem, or undefined when the descriptor is valid.
 */
export function checkDescriptor(
  name: string,
  constLabels: Readonly<Record<string, string>>,
  labelNames: readonly string[],
): string | undefined {
  if (!isValidMetricName(name)) return `${JSON.stringify(name)} is not a valid metric name`;
  const seen = new Set<string>();
  for (const [label, value] of Object.entries(constLabels)) {
    if (!isValidLabelName(label)) {
      return `${JSON.stringify(label)} is not a valid label name for metric ${JSON.stringify(name)}`;
    }
    if (typeof value !== 'string') {
      return `const label ${JSON.stringify(label)} of metric ${JSON.stringify(name)} has a non-string value`;
    }
    if (!isValidUtf8(value)) return `label value ${JSON.stringify(value)} is not valid UTF-8`;
    seen.add(label);
  }
  for (const label of labelNames) {
    if (typeof label !== 'string' || !isValidLabelName(label)) {
      return `${JSON.stringify(label)} is not a valid label name for metric ${JSON.stringify(name)}`;
    }
    if (seen.has(label)) return `duplicate label names`;
    seen.add(label);
  }
  return undefined;
}

/** Checks label values given for a child: count and UTF-8 validity. */
export function checkLabelValues(expected: number, values: readonly unknown[]): string | undefined {
  if (values.length !== expected) {
    return `inconsistent label cardinality: expected ${expected} label values but got ${values.length} in ${quoteList(values.map(String))}`;
  }
  for (const value of values) {
    if (typeof value !== 'string') {
      return `label value ${JSON.stringify(value)} is not a string`;
    }
    if (!isValidUtf8(value)) return `label value ${JSON.stringify(value)} is not valid UTF-8`;
  }
  return undefined;
}
