/**
 * Metric families as protobuf JSON (jsonpb / protojson of client_model's MetricFamily): camelCase keys, enum
 * names for types, 64-bit integers as strings, NaN and infinities as strings. This is the shape OPA's status
 * payload carries under `metrics.prometheus`: families by name, those without series left out.
 */

import type { NativeSpans } from '../metrics/native-buckets.js';
import type { NativeSnapshot } from '../metrics/native-histogram.js';
import type { Exemplar, FamilySnapshot, LabelSet, MetricType, SeriesSnapshot } from '../metrics/snapshot.js';
import { encodeUtf8 } from './utf8.js';

export interface JsonLabelPair {
  readonly name: string;
  readonly value: string;
}

export interface JsonExemplar {
  readonly label?: readonly JsonLabelPair[];
  readonly value: number | string;
  /** RFC 3339 with nanosecond precision trimmed as protojson trims it. */
  readonly timestamp?: string;
}

export interface JsonBucket {
  readonly cumulativeCount: string;
  readonly upperBound: number | string;
  readonly exemplar?: JsonExemplar;
}

export interface JsonMetric {
  readonly label?: readonly JsonLabelPair[];
  readonly gauge?: { readonly value: number | string };
  readonly counter?: { readonly value: number | string; readonly exemplar?: JsonExemplar };
  readonly summary?: {
    readonly sampleCount: string;
    readonly sampleSum: number | string;
    readonly quantile?: readonly { readonly quantile: number | string; readonly value: number | string }[];
  };
  readonly untyped?: { readonly value: number | string };
  readonly histogram?: {
    readonly sampleCount: string;
    readonly sampleSum: number | string;
    readonly bucket?: readonly JsonBucket[];
    /** Native (sparse) buckets, when the histogram has them. */
    readonly schema?: number;
    readonly zeroThreshold?: number | string;
    readonly zeroCount?: string;
    readonly negativeSpan?: readonly JsonBucketSpan[];
    readonly negativeDelta?: readonly string[];
    readonly positiveSpan?: readonly JsonBucketSpan[];
    readonly positiveDelta?: readonly string[];
  };
  readonly timestampMs?: string;
}

/** A native-histogram span: `offset` buckets after the previous span, `length` buckets long. */
export interface JsonBucketSpan {
  readonly offset: number;
  readonly length: number;
}

export interface JsonMetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'UNTYPED' | 'HISTOGRAM';
  readonly metric?: readonly JsonMetric[];
}

const TYPE_NAMES: Readonly<Record<MetricType, JsonMetricFamily['type']>> = {
  counter: 'COUNTER',
  gauge: 'GAUGE',
  summary: 'SUMMARY',
  untyped: 'UNTYPED',
  histogram: 'HISTOGRAM',
};

/** A double as protojson writes it: a JSON number, or "NaN" / "Infinity" / "-Infinity". */
function jsonDouble(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

/** A uint64 as protojson writes it: a decimal string (counts are integral doubles here). */
function jsonUint64(value: number): string {
  if (!Number.isFinite(value) || value < 0) return '0';
  return BigInt(Math.floor(value)).toString();
}

function labelPairs(labels: LabelSet): JsonLabelPair[] | undefined {
  if (labels.names.length === 0) return undefined;
  const out: JsonLabelPair[] = [];
  for (let i = 0; i < labels.names.length; i++) out.push({ name: labels.names[i]!, value: labels.values[i]! });
  return out;
}

/** A Timestamp as protojson writes it: UTC, and 0, 3, 6 or 9 fractional digits. */
function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString(); // always .sss
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function exemplarJson(exemplar: Exemplar): JsonExemplar {
  const label = labelPairs(exemplar.labels);
  return {
    ...(label === undefined ? {} : { label }),
    value: jsonDouble(exemplar.value),
    ...(exemplar.timestampMs === undefined ? {} : { timestamp: rfc3339(exemplar.timestampMs) }),
  };
}

function metricJson(family: FamilySnapshot, s: SeriesSnapshot): JsonMetric {
  const out: Record<string, unknown> = {};
  const label = labelPairs(s.labels);
  if (label !== undefined) out['label'] = label;
  switch (family.type) {
    case 'gauge':
      out['gauge'] = { value: jsonDouble(s.value) };
      break;
    case 'untyped':
      out['untyped'] = { value: jsonDouble(s.value) };
      break;
    case 'counter':
      out['counter'] =
        s.exemplar === null
          ? { value: jsonDouble(s.value) }
          : { value: jsonDouble(s.value), exemplar: exemplarJson(s.exemplar) };
      break;
    case 'summary': {
      const ranks = s.ownRanks ?? family.quantileRanks ?? [];
      const quantile = ranks.map((rank, i) => ({
        quantile: jsonDouble(rank),
        value: jsonDouble(s.quantiles?.[i] ?? NaN),
      }));
      out['summary'] = {
        sampleCount: jsonUint64(s.count),
        sampleSum: jsonDouble(s.sum),
        ...(quantile.length === 0 ? {} : { quantile }),
      };
      break;
    }
    case 'histogram': {
      const bounds = s.ownRanks ?? family.upperBounds ?? [];
      const bucket: JsonBucket[] = bounds.map((bound, i) => {
        const exemplar = s.bucketExemplars?.[i];
        return {
          cumulativeCount: jsonUint64(s.buckets?.[i] ?? 0),
          upperBound: jsonDouble(bound),
          ...(exemplar === undefined ? {} : { exemplar: exemplarJson(exemplar) }),
        };
      });
      // As client_golang: the +Inf bucket is written only when it carries an exemplar.
      const infExemplar = s.bucketExemplars?.[bounds.length];
      if (infExemplar !== undefined) {
        bucket.push({
          cumulativeCount: jsonUint64(s.count),
          upperBound: 'Infinity',
          exemplar: exemplarJson(infExemplar),
        });
      }
      out['histogram'] = {
        sampleCount: jsonUint64(s.count),
        sampleSum: jsonDouble(s.sum),
        ...(bucket.length === 0 ? {} : { bucket }),
        ...(s.native ? nativeJson(s.native) : {}),
      };
      break;
    }
  }
  if (s.timestampMs !== undefined) out['timestampMs'] = String(Math.trunc(s.timestampMs));
  return out as JsonMetric;
}

/** The native fields as the protobuf writer puts them on the wire (see protobuf-native.ts), in protojson's form. */
function nativeJson(n: NativeSnapshot): Record<string, unknown> {
  return {
    schema: n.schema,
    zeroThreshold: jsonDouble(n.zeroThreshold),
    zeroCount: jsonUint64(n.zeroCount),
    ...spansJson('negative', n.negative),
    ...spansJson('positive', n.positive),
  };
}

/** Spans and deltas of one side; repeated fields are left out when empty, as protojson does. */
function spansJson(side: 'negative' | 'positive', spans: NativeSpans): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (spans.offsets.length > 0) {
    out[`${side}Span`] = spans.offsets.map((offset, i) => ({ offset, length: spans.lengths[i]! }));
  }
  // sint64 in protojson is a decimal string.
  if (spans.deltas.length > 0) out[`${side}Delta`] = spans.deltas.map((delta) => String(delta));
  return out;
}

/** One family in the JSON shape OPA's status payload uses (jsonpb of client_model's MetricFamily). */
export function familyToJson(family: FamilySnapshot): JsonMetricFamily {
  const metric = family.series.map((s) => metricJson(family, s));
  return {
    name: family.name,
    help: family.help,
    type: TYPE_NAMES[family.type],
    ...(metric.length === 0 ? {} : { metric }),
  };
}

/** Families by name, as `metrics.prometheus` carries them. Families without series are left out. */
export function familiesToJson(families: readonly FamilySnapshot[]): Record<string, JsonMetricFamily> {
  const out: Record<string, JsonMetricFamily> = {};
  for (const family of families) {
    if (family.series.length === 0) continue;
    // `__proto__` is a valid metric name: assigning it would set the prototype instead of adding the family.
    Object.defineProperty(out, family.name, {
      value: familyToJson(family),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The families as a jsonpb JSON document: an object of MetricFamily messages by name (see familiesToJson). */
export function formatJsonpb(families: readonly FamilySnapshot[]): string {
  return JSON.stringify(familiesToJson(families));
}

/** formatJsonpb as UTF-8 bytes. */
export function encodeJsonpb(families: readonly FamilySnapshot[]): Uint8Array {
  return encodeUtf8(formatJsonpb(families));
}
