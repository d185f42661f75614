import { MetricsError } from './errors.js';
import { type Exemplar, LabelSet } from './snapshot.js';
import { compareUtf8 } from './compare.js';
import { isValidLabelName, isValidUtf8 } from './validate.js';

/** OpenMetrics' limit on the combined length (in code points) of an exemplar's label names and values. */
export const EXEMPLAR_MAX_RUNES = 128;

/** Labels of an exemplar, e.g. `{ trace_id, span_id }`. */
export type ExemplarLabels = Readonly<Record<string, string>>;

/** Builds an exemplar, refusing what client_golang refuses (bad names, invalid UTF-8, over 128 runes). */
export function makeExemplar(metric: string, value: number, labels: ExemplarLabels, timestampMs: number): Exemplar {
  const names = Object.keys(labels).sort(compareUtf8);
  const values = new Array<string>(names.length);
  let runes = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const v = labels[name];
    if (!isValidLabelName(name)) {
      throw new MetricsError('op', `${metric}: exemplar label name ${JSON.stringify(name)} is invalid`);
    }
    if (typeof v !== 'string' || !isValidUtf8(v)) {
      throw new MetricsError('op', `${metric}: exemplar label value ${JSON.stringify(v)} is not a valid UTF-8 string`);
    }
    runes += codePoints(name) + codePoints(v);
    values[i] = v;
  }
  if (runes > EXEMPLAR_MAX_RUNES) {
    throw new MetricsError(
      'op',
      `${metric}: exemplar labels have ${runes} runes, exceeding the limit of ${EXEMPLAR_MAX_RUNES}`,
    );
  }
  return { labels: new LabelSet(names, values), value, timestampMs };
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}
