/** Building snapshot families from the flat numbers the compat layer aggregates (cluster wire, prom-client JSON). */
import {
  type FamilySnapshot,
  type LabelSet,
  type MetricType,
  Series,
  type SeriesSnapshot,
} from '../../metrics/snapshot.js';

/**
 * One series from its numbers: a histogram or summary as `[sum, count, ...per bound or rank]`, anything else
 * as `[value]`.
 */
export function seriesFromNumbers(labels: LabelSet, type: MetricType, nums: readonly number[]): SeriesSnapshot {
  if (type === 'histogram' || type === 'summary') {
    const rest = nums.slice(2);
    return new Series(
      labels,
      0,
      nums[0]!,
      nums[1]!,
      type === 'histogram' ? rest : null,
      type === 'summary' ? rest : null,
      null,
      null,
      undefined,
      undefined,
    );
  }
  return new Series(labels, nums[0]!, 0, 0, null, null, null, null, undefined, undefined);
}

/** A family whose `points` are its histogram bounds or summary ranks, as its type says. */
export function familyOf(
  name: string,
  help: string,
  type: MetricType,
  points: readonly number[] | null,
  series: SeriesSnapshot[],
): FamilySnapshot {
  return {
    name,
    help,
    type,
    unit: '',
    upperBounds: type === 'histogram' ? points : null,
    quantileRanks: type === 'summary' ? points : null,
    series,
  };
}
