/**
 * The contract between the registry and the exposition writers: plain data gathered once per scrape.
 * Every writer (text, OpenMetrics, protobuf) reads the same snapshot, so they can never disagree.
 */

import { GO_NAN, type NanKind } from './go-float.js';
import type { NativeSnapshot } from './native-histogram.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/**
 * A label set sorted by name (const and variable labels merged), immutable.
 * The escaped exposition text is built once, when the series is created, never per scrape.
 */
export class LabelSet {
  /** `a="x",b="y"` with values escaped (`\\`, `"`, newline); empty for no labels. */
  readonly text: string;

  constructor(
    readonly names: readonly string[],
    readonly values: readonly string[],
  ) {
    let text = '';
    for (let i = 0; i < names.length; i++) {
      if (i > 0) text += ',';
      text += names[i] + '="' + escapeLabelValue(values[i]!) + '"';
    }
    this.text = text;
  }

  static readonly EMPTY = new LabelSet([], []);
}

/** Escapes a label value as both the text format and OpenMetrics require. */
export function escapeLabelValue(value: string): string {
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

/** An exemplar attached to a counter or a histogram bucket (OpenMetrics and protobuf only). */
export interface Exemplar {
  /** Exemplar labels, sorted by name. */
  readonly labels: LabelSet;
  readonly value: number;
  /** Milliseconds since the epoch, or undefined when the exemplar carries no timestamp. */
  readonly timestampMs: number | undefined;
}

/**
 * One series at scrape time. The same shape for every type keeps writers monomorphic:
 * counters, gauges and untyped use `value`; histograms use `buckets`, `sum`, `count`;
 * summaries use `quantiles`, `sum`, `count`.
 */
export interface SeriesSnapshot {
  readonly labels: LabelSet;
  readonly value: number;
  readonly sum: number;
  readonly count: number;
  /** Histogram: cumulative count per upper bound of the family (no +Inf entry; `count` is the +Inf bucket). */
  readonly buckets: ArrayLike<number> | null;
  /** Summary: one value per rank in the family's `quantiles`. */
  readonly quantiles: ArrayLike<number> | null;
  /** Counter exemplar. */
  readonly exemplar: Exemplar | null;
  /** Histogram: exemplar per bucket (index = bucket index, upper bounds then +Inf), or null when none. */
  readonly bucketExemplars: ReadonlyArray<Exemplar | undefined> | null;
  /** When the series was created (ms since epoch), for OpenMetrics `_created`; undefined for gauges. */
  readonly createdMs: number | undefined;
  /** Explicit sample timestamp in ms since epoch, rarely used (const metrics from collectors). */
  readonly timestampMs: number | undefined;
  /** Histogram: the native (sparse) buckets, absent or null when the histogram has none. */
  readonly native?: NativeSnapshot | null;
  /**
   * Histogram bounds or summary ranks of this series when they are not its family's: client_golang lets
   * series of one name under different const labels keep their own (the registry sets this when merging).
   */
  readonly ownRanks?: readonly number[];
  /**
   * Which NaN `value` (counters, gauges, untyped) or `sum` (histograms, summaries) is when it is one; absent
   * means Go's math.NaN(). JS numbers do not reliably carry NaN bits (go-float.ts).
   */
  readonly nanKind?: NanKind;
}

/** One metric family at scrape time; series are sorted by label values, byte-wise on UTF-8. */
export interface FamilySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** OpenMetrics unit (written as `# UNIT`); empty when none. */
  readonly unit: string;
  /** Histogram upper bounds, increasing, without +Inf. The same array object for the family's life. */
  readonly upperBounds: readonly number[] | null;
  /** Summary quantile ranks, increasing. The same array object for the family's life. */
  readonly quantileRanks: readonly number[] | null;
  readonly series: readonly SeriesSnapshot[];
}

/** A series snapshot with every field present, so all series share one shape and writers stay monomorphic. */
export class Series implements SeriesSnapshot {
  constructor(
    readonly labels: LabelSet,
    readonly value: number,
    readonly sum: number,
    readonly count: number,
    readonly buckets: ArrayLike<number> | null,
    readonly quantiles: ArrayLike<number> | null,
    readonly exemplar: Exemplar | null,
    readonly bucketExemplars: ReadonlyArray<Exemplar | undefined> | null,
    readonly createdMs: number | undefined,
    readonly timestampMs: number | undefined,
    readonly native: NativeSnapshot | null = null,
    readonly nanKind: NanKind = GO_NAN,
  ) {}
}

/** Builds a series snapshot from the fields that apply (the rest default to zero / none). */
export function series(labels: LabelSet, fields: Partial<Omit<SeriesSnapshot, 'labels'>>): SeriesSnapshot {
  return new Series(
    labels,
    fields.value ?? 0,
    fields.sum ?? 0,
    fields.count ?? 0,
    fields.buckets ?? null,
    fields.quantiles ?? null,
    fields.exemplar ?? null,
    fields.bucketExemplars ?? null,
    fields.createdMs,
    fields.timestampMs,
    fields.native ?? null,
    fields.nanKind ?? GO_NAN,
  );
}
