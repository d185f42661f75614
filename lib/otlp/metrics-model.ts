/**
 * How a Prometheus registry snapshot maps onto the OTLP metrics data model, shared by the protobuf and the
 * JSON encoders so they cannot disagree. The rules follow the OpenTelemetry specification's Prometheus
 * compatibility section ("Prometheus metric points to OTLP"):
 *  - the metric name is the Prometheus name, unaltered (a counter keeps its `_total`);
 *  - counter -> Sum, monotonic, cumulative; gauge and untyped -> Gauge; histogram -> Histogram with
 *    per-bucket counts and explicit bounds without +Inf; summary -> Summary;
 *  - a histogram whose series all carry native buckets -> ExponentialHistogram, cumulative (the native
 *    part wins over classic buckets, as Prometheus prefers it on ingest): schema -> scale, zero threshold
 *    and zero count as they are, spans and deltas -> dense bucket counts from an offset, min/max unset;
 *  - HELP -> description; a declared unit -> unit, in OpenTelemetry's spelling (`seconds` -> `s`);
 *  - labels and const labels -> attributes; a series' creation time -> start_time_unix_nano;
 *  - exemplars keep their value and time; their `trace_id`/`span_id` labels become the ids, the other
 *    labels filtered attributes.
 */

import type { NativeSpans } from '../metrics/native-buckets.js';
import type { Exemplar, FamilySnapshot } from '../metrics/snapshot.js';

/** The instrumentation scope of every pushed metric: the entity doing the translation, as the spec asks. */
export interface MetricsScope {
  readonly name: string;
  readonly version: string;
}

/** Resource attribute values the metric encoders write (strings, booleans and numbers). */
export type ResourceValue = string | boolean | number;

/** What a request says besides the metrics: who sent them. */
export interface MetricsEnvelope {
  readonly resource: Readonly<Record<string, ResourceValue>>;
  readonly scope: MetricsScope;
}

/** Prometheus unit words and their OpenTelemetry (UCUM) abbreviations. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  days: 'd',
  hours: 'h',
  minutes: 'min',
  seconds: 's',
  milliseconds: 'ms',
  microseconds: 'us',
  nanoseconds: 'ns',
  bytes: 'By',
  kibibytes: 'KiBy',
  mebibytes: 'MiBy',
  gibibytes: 'GiBy',
  kilobytes: 'kBy',
  megabytes: 'MBy',
  gigabytes: 'GBy',
  bits: 'bit',
  meters: 'm',
  volts: 'V',
  amperes: 'A',
  joules: 'J',
  watts: 'W',
  grams: 'g',
  celsius: 'Cel',
  hertz: 'Hz',
  percent: '%',
  ratio: '1',
};

/** A Prometheus unit in OpenTelemetry's spelling: words abbreviated, `ratio` -> `1`, `a_per_b` -> `a/b`. */
export function otelUnit(unit: string): string {
  if (unit === '') return '';
  const per = unit.indexOf('_per_');
  if (per > 0) return `${otelUnit(unit.slice(0, per))}/${otelUnit(unit.slice(per + 5))}`;
  return UNIT_WORDS[unit] ?? unit;
}

/** AggregationTemporality.CUMULATIVE: Prometheus counters and histograms count from their creation. */
export const CUMULATIVE = 2;

/** Exemplar labels that carry the trace context rather than attributes. */
export const TRACE_ID_LABEL = 'trace_id';
export const SPAN_ID_LABEL = 'span_id';

/** An exemplar's trace and span ids as hex (empty when absent or not valid hex of the right length). */
export function exemplarIds(exemplar: Exemplar): { traceId: string; spanId: string } {
  let traceId = '';
  let spanId = '';
  const { names, values } = exemplar.labels;
  for (let i = 0; i < names.length; i++) {
    if (names[i] === TRACE_ID_LABEL && /^[0-9a-f]{32}$/i.test(values[i]!)) traceId = values[i]!.toLowerCase();
    else if (names[i] === SPAN_ID_LABEL && /^[0-9a-f]{16}$/i.test(values[i]!)) spanId = values[i]!.toLowerCase();
  }
  return { traceId, spanId };
}

/** Whether an exemplar label stays an attribute (everything but valid trace/span ids). */
export function isExemplarAttribute(exemplar: Exemplar, index: number): boolean {
  const name = exemplar.labels.names[index];
  const value = exemplar.labels.values[index]!;
  if (name === TRACE_ID_LABEL) return !/^[0-9a-f]{32}$/i.test(value);
  if (name === SPAN_ID_LABEL) return !/^[0-9a-f]{16}$/i.test(value);
  return true;
}

/** Per-bucket counts from cumulative ones (the +Inf bucket last, from the total count). */
export function bucketCounts(cumulative: ArrayLike<number>, count: number, out: number[]): number[] {
  out.length = 0;
  let previous = 0;
  for (let i = 0; i < cumulative.length; i++) {
    const c = cumulative[i]!;
    out.push(c - previous);
    previous = c;
  }
  out.push(count - previous);
  return out;
}

/**
 * Whether a histogram family goes out as an ExponentialHistogram: when every series has native buckets.
 * One OTLP metric has one data type, so a family mixing series with and without them (possible only
 * through custom collectors) keeps the classic form, which every series has.
 */
export function isExponentialFamily(family: FamilySnapshot): boolean {
  if (family.type !== 'histogram') return false;
  const all = family.series;
  if (all.length === 0) return false;
  for (let i = 0; i < all.length; i++) if (!all[i]!.native) return false;
  return true;
}

/**
 * The OTLP offset of one sign's buckets: the first Prometheus key, less one. Key k covers (base^(k-1), base^k]
 * and OTLP index i covers (base^i, base^(i+1)], so the same bucket is one lower in OTLP (for negative buckets
 * too, by absolute value).
 */
export function otlpOffset(spans: NativeSpans): number {
  return spans.offsets.length === 0 ? 0 : spans.offsets[0]! - 1;
}

/**
 * The dense bucket counts of one sign from Prometheus spans and deltas: each span's buckets in order,
 * the gaps between spans as zero counts, every count the running sum of the deltas.
 */
export function denseCounts(spans: NativeSpans, out: number[]): number[] {
  // Written by index and trimmed at the end: emptying a reused array first would drop its storage.
  const { offsets, lengths, deltas } = spans;
  let n = 0;
  let count = 0;
  let d = 0;
  for (let s = 0; s < offsets.length; s++) {
    if (s > 0) for (let gap = offsets[s]!; gap > 0; gap--) out[n++] = 0;
    for (let k = lengths[s]!; k > 0; k--) {
      count += deltas[d++]!;
      out[n++] = count;
    }
  }
  out.length = n;
  return out;
}
