/**
 * Between engine snapshots and prom-client's JSON shape (`get()`, `getMetricsAsJSON()`): a compat metric's
 * `get()` is its snapshot spelled as prom-client spells it, and a prom-client-shaped object registered in a
 * compat registry (an aggregated metric, a hand-written one) is read back into a snapshot for the writers.
 */
import { compareLabelValues, compareUtf8 } from '../../metrics/compare.js';
import {
  type LabelSet,
  Series,
  type Exemplar,
  type FamilySnapshot,
  type MetricType,
  type SeriesSnapshot,
} from '../../metrics/snapshot.js';
import { familyOf } from './family-build.js';
import { SeriesCache } from './series-cache.js';
import type { Aggregator } from './types.js';

/** One value as prom-client's `get()` lists it. */
export interface JsonValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number } | null | undefined;
}

/** One metric as prom-client's `get()` returns it. */
export interface JsonMetric {
  name: string;
  help: string;
  type: string;
  values: JsonValue[];
  aggregator: Aggregator;
}

function labelObject(labels: LabelSet, first?: string, firstValue?: string | number): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (first !== undefined) out[first] = firstValue!;
  const { names, values } = labels;
  for (let i = 0; i < names.length; i++) out[names[i]!] = values[i]!;
  return out;
}

function exemplarJson(e: Exemplar | null | undefined): JsonValue['exemplar'] {
  if (e === null || e === undefined) return null;
  const labelSet: Record<string, string> = {};
  for (let i = 0; i < e.labels.names.length; i++) labelSet[e.labels.names[i]!] = e.labels.values[i]!;
  return { labelSet, value: e.value, timestamp: (e.timestampMs ?? 0) / 1000 };
}

/** The values of a family in prom-client's order within a series (buckets, +Inf, sum, count; quantiles, sum, count). */
export function familyValues(family: FamilySnapshot): JsonValue[] {
  const out: JsonValue[] = [];
  const name = family.name;
  for (const s of family.series) {
    if (family.type === 'histogram') {
      const bounds = family.upperBounds ?? [];
      const buckets = s.buckets!;
      const bucketName = name + '_bucket';
      for (let i = 0; i < bounds.length; i++) {
        out.push({
          value: buckets[i]!,
          metricName: bucketName,
          exemplar: exemplarJson(s.bucketExemplars?.[i]),
          labels: labelObject(s.labels, 'le', bounds[i]!),
        });
      }
      out.push({
        value: s.count,
        metricName: bucketName,
        exemplar: exemplarJson(s.bucketExemplars?.[bounds.length]),
        labels: labelObject(s.labels, 'le', '+Inf'),
      });
      out.push({ value: s.sum, metricName: name + '_sum', labels: labelObject(s.labels) });
      out.push({ value: s.count, metricName: name + '_count', labels: labelObject(s.labels) });
    } else if (family.type === 'summary') {
      const ranks = family.quantileRanks ?? [];
      for (let i = 0; i < ranks.length; i++)
        out.push({ labels: labelObject(s.labels, 'quantile', ranks[i]!), value: s.quantiles![i]! });
      out.push({ metricName: name + '_sum', labels: labelObject(s.labels), value: s.sum });
      out.push({ metricName: name + '_count', labels: labelObject(s.labels), value: s.count });
    } else {
      const v: JsonValue = { value: s.value, labels: labelObject(s.labels) };
      if (s.exemplar !== null) v.exemplar = exemplarJson(s.exemplar);
      out.push(v);
    }
  }
  return out;
}

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A label set from a JSON labels object, without one reserved name (`le`, `quantile`), and its key. */
function labelSetOf(
  labels: Record<string, unknown> | undefined,
  skip: string,
  cache: SeriesCache,
): { key: string; labels: LabelSet } {
  const names =
    labels === undefined || labels === null
      ? []
      : Object.keys(labels)
          .filter((n) => n !== skip && labels[n] !== undefined)
          .sort(compareUtf8);
  const values = names.map((n) => String(labels![n]));
  const key = names.join('\u0000') + '\u0001' + values.join('\u0000');
  return { key, labels: cache.labelSet(key, names, values) };
}

interface Group {
  labels: LabelSet;
  value: number;
  sum: number;
  count: number;
  points: Map<number, number>;
}

/**
 * A snapshot of a prom-client-shaped metric. Histogram and summary samples are regrouped into series by
 * their labels without `le`/`quantile`, and their `_sum`/`_count`/`_bucket` names.
 */
export function familyFromJson(metric: JsonMetric, cache: SeriesCache = new SeriesCache()): FamilySnapshot {
  const { name, help } = metric;
  if (typeof name !== 'string' || typeof help !== 'string') {
    throw new TypeError(`a registered metric needs a string name and help, got ${JSON.stringify({ name, help })}`);
  }
  const type = (TYPES.has(metric.type) ? metric.type : 'untyped') as MetricType;
  const reserved = type === 'histogram' ? 'le' : type === 'summary' ? 'quantile' : '';
  const groups = new Map<string, Group>();
  const allPoints = new Set<number>();
  for (const v of metric.values ?? []) {
    const { key, labels } = labelSetOf(v.labels as Record<string, unknown>, reserved, cache);
    let g = groups.get(key);
    if (g === undefined) {
      g = { labels, value: 0, sum: 0, count: 0, points: new Map() };
      groups.set(key, g);
    }
    const sample = v.metricName ?? name;
    const value = Number(v.value);
    if (reserved !== '' && sample === name + '_sum') g.sum = value;
    else if (reserved !== '' && sample === name + '_count') g.count = value;
    else if (reserved !== '' && v.labels?.[reserved] !== undefined) {
      // prom-client spells the last bound '+Inf', which Number() does not read.
      const raw = v.labels[reserved];
      const point = raw === '+Inf' ? Infinity : Number(raw);
      if (point !== Infinity && !Number.isNaN(point)) {
        g.points.set(point, value);
        allPoints.add(point);
      }
    } else g.value = value;
  }
  const points = cache.stablePoints([...allPoints].sort((a, b) => a - b))!;
  const series: SeriesSnapshot[] = [];
  for (const g of groups.values()) {
    const perPoint = reserved === '' ? null : points.map((p) => g.points.get(p) ?? 0);
    series.push(
      new Series(
        g.labels,
        g.value,
        g.sum,
        g.count,
        type === 'histogram' ? perPoint : null,
        type === 'summary' ? perPoint : null,
        null,
        null,
        undefined,
        undefined,
      ),
    );
  }
  series.sort((a, b) => compareLabelValues(a.labels.values, b.labels.values));
  return familyOf(name, help, type, points, series);
}
