/**
 * Label sets and bound arrays of families rebuilt from plain data on every scrape (cluster aggregation,
 * prom-client-shaped metrics), kept from one scrape to the next: the text writers cache each series'
 * encoded line prefixes on its label set (checked against the bounds array by identity), so reusing them
 * spares rebuilding every prefix on every scrape.
 */
import { LabelSet } from '../../metrics/snapshot.js';

/** Most label sets one family keeps, so label values that come and go cannot grow it without limit. */
const MAX_SERIES = 100_000;

export class SeriesCache {
  private points: readonly number[] | null = null;
  private labels = new Map<string, LabelSet>();

  /** The bounds (or quantile ranks), as the same array while they do not change. */
  stablePoints(points: readonly number[] | null): readonly number[] | null {
    if (!samePoints(this.points, points)) {
      this.points = points;
      this.labels = new Map();
    }
    return this.points;
  }

  /** The label set for `key` (a string naming names and values), built once. */
  labelSet(key: string, names: readonly string[], values: readonly string[]): LabelSet {
    let labels = this.labels.get(key);
    if (labels === undefined) {
      if (this.labels.size >= MAX_SERIES) this.labels.clear();
      labels = names.length === 0 ? LabelSet.EMPTY : new LabelSet(names, values);
      this.labels.set(key, labels);
    }
    return labels;
  }
}

function samePoints(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
