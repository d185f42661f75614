/**
 * The compact form in which zerotel cluster workers send their snapshots to the primary, and its
 * aggregation. prom-client sends every sample as a JSON object with its labels and re-hashes them on the
 * primary; here a series is one array (label values, then its numbers) and is combined field by field,
 * which gives the same result as prom-client's per-sample aggregation for its built-in aggregators.
 */
import { compareLabelValues, compareUtf8 } from '../../metrics/compare.js';
import { LabelSet, type FamilySnapshot, type MetricType, type SeriesSnapshot } from '../../metrics/snapshot.js';
import { aggregators } from './aggregators.js';
import { familyOf, seriesFromNumbers } from './family-build.js';
import { familyFromJson, familyValues, type JsonMetric } from './json.js';
import { SeriesCache } from './series-cache.js';
import type { Aggregator } from './types.js';

/** A number, or its string form when JSON cannot carry it (NaN, infinities). */
type WireNumber = number | string;
/** [index into the family's label-name lists, label values, numbers...] */
export type WireSeries = [number, string[], ...WireNumber[]];
/** [name, help, type, aggregator, bucket bounds or quantile ranks, label-name lists, series] */
export type WireFamily = [string, string, MetricType, string, number[] | null, string[][], WireSeries[]];

function wireNumber(x: number): WireNumber {
  return Number.isFinite(x) ? x : String(x);
}

function fromWire(x: WireNumber): number {
  return typeof x === 'number' ? x : Number(x);
}

/** Encodes a worker's families; `aggregatorOf` names each family's aggregator. */
export function encodeFamilies(
  families: readonly FamilySnapshot[],
  aggregatorOf: (name: string) => string,
): WireFamily[] {
  const out: WireFamily[] = [];
  for (const family of families) {
    const nameLists: string[][] = [];
    const listIndex = new Map<readonly string[], number>();
    const series: WireSeries[] = [];
    const points =
      family.type === 'histogram' ? family.upperBounds : family.type === 'summary' ? family.quantileRanks : null;
    for (const s of family.series) {
      let index = listIndex.get(s.labels.names);
      if (index === undefined) {
        index = nameLists.length;
        nameLists.push(s.labels.names as string[]);
        listIndex.set(s.labels.names, index);
      }
      const entry: WireSeries = [index, s.labels.values as string[]];
      if (family.type === 'histogram' || family.type === 'summary') {
        entry.push(wireNumber(s.sum), wireNumber(s.count));
        const more = family.type === 'histogram' ? s.buckets : s.quantiles;
        if (more !== null) for (let i = 0; i < more.length; i++) entry.push(wireNumber(more[i]!));
      } else {
        entry.push(wireNumber(s.value));
      }
      series.push(entry);
    }
    out.push([
      family.name,
      family.help,
      family.type,
      aggregatorOf(family.name),
      points === null ? null : [...points],
      nameLists,
      series,
    ]);
  }
  return out;
}

interface Group {
  readonly names: readonly string[];
  readonly values: readonly string[];
  readonly fields: number[];
  n: number;
}

interface Pending {
  readonly first: WireFamily;
  readonly parts: WireFamily[];
}

const BUILT_IN = new Set<string>(['sum', 'first', 'min', 'max', 'average']);

/** Aggregates the families of every worker as prom-client's AggregatorRegistry would, into sorted snapshots. */
export function aggregateFamilies(workers: readonly WireFamily[][]): FamilySnapshot[] {
  const byName = new Map<string, Pending>();
  for (const families of workers) {
    for (const family of families) {
      const pending = byName.get(family[0]);
      if (pending === undefined) byName.set(family[0], { first: family, parts: [family] });
      else pending.parts.push(family);
    }
  }
  const out: FamilySnapshot[] = [];
  for (const { first, parts } of byName.values()) {
    const aggregator = first[3];
    const fn = aggregators[aggregator];
    if (typeof fn !== 'function') throw new Error(`'${aggregator}' is not a defined aggregator.`);
    if (aggregator === 'omit' && fn === aggregators.omit) continue;
    const family =
      BUILT_IN.has(aggregator) && fn === BUILT_IN_FUNCTIONS[aggregator]
        ? combine(first, parts, aggregator as Aggregator)
        : viaJson(parts, fn);
    if (family !== undefined) out.push(family);
  }
  out.sort((a, b) => compareUtf8(a.name, b.name));
  return out;
}

const BUILT_IN_FUNCTIONS: Record<string, unknown> = { ...aggregators };

/** One cache per aggregated family name; bounded, so names that come and go cannot grow it without limit. */
const familyCaches = new Map<string, SeriesCache>();
const MAX_CACHED_FAMILIES = 10_000;

function familyCache(name: string): SeriesCache {
  let cache = familyCaches.get(name);
  if (cache === undefined) {
    if (familyCaches.size >= MAX_CACHED_FAMILIES) familyCaches.clear();
    cache = new SeriesCache();
    familyCaches.set(name, cache);
  }
  return cache;
}

function combine(first: WireFamily, parts: readonly WireFamily[], aggregator: Aggregator): FamilySnapshot {
  const groups = new Map<string, Group>();
  for (const part of parts) {
    const nameLists = part[5];
    const keyPrefixes = nameLists.map((names) => names.join('\u0000') + '\u0001');
    for (const s of part[6]) {
      const values = s[1];
      const key = keyPrefixes[s[0]]! + values.join('\u0000');
      const group = groups.get(key);
      if (group === undefined) {
        const fields: number[] = [];
        for (let i = 2; i < s.length; i++) fields.push(fromWire(s[i] as WireNumber));
        groups.set(key, { names: nameLists[s[0]]!, values, fields, n: 1 });
        continue;
      }
      group.n++;
      const fields = group.fields;
      const m = Math.min(fields.length, s.length - 2);
      switch (aggregator) {
        case 'sum':
        case 'average':
          for (let i = 0; i < m; i++) fields[i]! += fromWire(s[i + 2] as WireNumber);
          break;
        case 'min':
          for (let i = 0; i < m; i++) fields[i] = Math.min(fields[i]!, fromWire(s[i + 2] as WireNumber));
          break;
        case 'max':
          for (let i = 0; i < m; i++) fields[i] = Math.max(fields[i]!, fromWire(s[i + 2] as WireNumber));
          break;
        default:
          break; // first: keep the first worker's values
      }
    }
  }
  const type = first[2];
  const cache = familyCache(first[0]);
  const points = cache.stablePoints(first[4]);
  const series: SeriesSnapshot[] = [];
  for (const [key, g] of groups) {
    const f = g.fields;
    if (aggregator === 'average') for (let i = 0; i < f.length; i++) f[i]! /= g.n;
    series.push(seriesFromNumbers(cache.labelSet(key, g.names, g.values), type, f));
  }
  series.sort((a, b) => compareLabelValues(a.labels.values, b.labels.values));
  return familyOf(first[0], first[1], type, points, series);
}

/** A user-defined aggregator works on prom-client's JSON shape: decode, apply, read back. */
function viaJson(
  parts: readonly WireFamily[],
  fn: (metrics: JsonMetric[]) => JsonMetric | undefined,
): FamilySnapshot | undefined {
  const result = fn(
    parts.map((p) => ({
      name: p[0],
      help: p[1],
      type: p[2],
      aggregator: p[3] as Aggregator,
      values: familyValues(decode(p)),
    })),
  );
  return result === undefined ? undefined : familyFromJson(result);
}

function decode(part: WireFamily): FamilySnapshot {
  const [name, help, type, , points, nameLists, list] = part;
  const series = list.map((s) =>
    seriesFromNumbers(new LabelSet(nameLists[s[0]]!, s[1]), type, (s.slice(2) as WireNumber[]).map(fromWire)),
  );
  return familyOf(name, help, type, points, series);
}
