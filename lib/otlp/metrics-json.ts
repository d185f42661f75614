/**
 * The OTLP/JSON form of an ExportMetricsServiceRequest, mapped exactly as the protobuf encoder maps it
 * (metrics-model.ts). The OTLP/JSON rules: lowerCamelCase keys, enums as integers, trace and span ids as
 * hex, 64-bit integers (times, counts) as decimal strings, and proto3 defaults left out. Doubles that
 * JSON cannot hold are written as the proto3 JSON mapping spells them: "NaN", "Infinity", "-Infinity".
 */

import type { NativeSpans } from '../metrics/native-buckets.js';
import type { Exemplar, FamilySnapshot, LabelSet, SeriesSnapshot } from '../metrics/snapshot.js';
import {
  CUMULATIVE,
  type MetricsEnvelope,
  type ResourceValue,
  bucketCounts,
  denseCounts,
  exemplarIds,
  isExemplarAttribute,
  isExponentialFamily,
  otelUnit,
  otlpOffset,
} from './metrics-model.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Encodes a registry snapshot as OTLP/JSON text (UTF-8 when sent). */
export function encodeExportMetricsJson(
  families: readonly FamilySnapshot[],
  envelope: MetricsEnvelope,
  timeMs: number,
): string {
  const metrics: Json[] = [];
  for (const family of families) {
    if (family.series.length === 0) continue;
    metrics.push(metric(family, timeMs));
  }
  const scope: { [key: string]: Json } = {};
  if (envelope.scope.name !== '') scope.name = envelope.scope.name;
  if (envelope.scope.version !== '') scope.version = envelope.scope.version;
  const request = {
    resourceMetrics: [
      {
        resource: { attributes: Object.entries(envelope.resource).map(([k, v]) => resourceKeyValue(k, v)) },
        scopeMetrics: [{ scope, metrics }],
      },
    ],
  };
  return JSON.stringify(request);
}

function metric(family: FamilySnapshot, timeMs: number): Json {
  const out: { [key: string]: Json } = { name: family.name };
  if (family.help !== '') out.description = family.help;
  const unit = otelUnit(family.unit);
  if (unit !== '') out.unit = unit;
  const series = family.series;
  switch (family.type) {
    case 'counter':
      out.sum = {
        dataPoints: series.map((s) => numberPoint(s, timeMs, true)),
        aggregationTemporality: CUMULATIVE,
        isMonotonic: true,
      };
      break;
    case 'histogram': {
      if (isExponentialFamily(family)) {
        out.exponentialHistogram = {
          dataPoints: series.map((s) => exponentialPoint(s, timeMs)),
          aggregationTemporality: CUMULATIVE,
        };
        break;
      }
      const bounds = (family.upperBounds ?? []).map(double);
      out.histogram = {
        dataPoints: series.map((s) => histogramPoint(s, timeMs, bounds)),
        aggregationTemporality: CUMULATIVE,
      };
      break;
    }
    case 'summary':
      out.summary = { dataPoints: series.map((s) => summaryPoint(s, timeMs, family.quantileRanks ?? [])) };
      break;
    default:
      out.gauge = { dataPoints: series.map((s) => numberPoint(s, timeMs, false)) };
  }
  return out;
}

function times(out: { [key: string]: Json }, series: SeriesSnapshot, timeMs: number, withStart: boolean): void {
  if (withStart && series.createdMs !== undefined) out.startTimeUnixNano = msToNanos(series.createdMs);
  out.timeUnixNano = msToNanos(series.timestampMs ?? timeMs);
}

function numberPoint(series: SeriesSnapshot, timeMs: number, cumulative: boolean): Json {
  const out: { [key: string]: Json } = {};
  const attrs = attributes(series.labels);
  if (attrs.length > 0) out.attributes = attrs;
  times(out, series, timeMs, cumulative);
  out.asDouble = double(series.value);
  if (series.exemplar !== null) out.exemplars = [exemplar(series.exemplar)];
  return out;
}

/** The fields a histogram point and a summary point share: attributes, times, count and sum. */
function aggregateHead(series: SeriesSnapshot, timeMs: number): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  const attrs = attributes(series.labels);
  if (attrs.length > 0) out.attributes = attrs;
  times(out, series, timeMs, true);
  out.count = count(series.count);
  out.sum = double(series.sum);
  return out;
}

function histogramPoint(series: SeriesSnapshot, timeMs: number, bounds: Json[]): Json {
  const out = aggregateHead(series, timeMs);
  out.bucketCounts = bucketCounts(series.buckets ?? [], series.count, []).map(count);
  if (bounds.length > 0) out.explicitBounds = bounds;
  const exemplars = (series.bucketExemplars ?? []).filter((e): e is Exemplar => e !== undefined);
  if (exemplars.length > 0) out.exemplars = exemplars.map(exemplar);
  return out;
}

function exponentialPoint(series: SeriesSnapshot, timeMs: number): Json {
  const native = series.native!;
  const out = aggregateHead(series, timeMs);
  if (native.schema !== 0) out.scale = native.schema;
  if (native.zeroCount !== 0) out.zeroCount = count(native.zeroCount);
  out.positive = buckets(native.positive);
  out.negative = buckets(native.negative);
  const exemplars = (series.bucketExemplars ?? []).filter((e): e is Exemplar => e !== undefined);
  if (exemplars.length > 0) out.exemplars = exemplars.map(exemplar);
  if (native.zeroThreshold !== 0) out.zeroThreshold = double(native.zeroThreshold);
  return out;
}

function buckets(spans: NativeSpans): Json {
  const out: { [key: string]: Json } = {};
  const offset = otlpOffset(spans);
  if (offset !== 0) out.offset = offset;
  const counts = denseCounts(spans, []);
  if (counts.length > 0) out.bucketCounts = counts.map(count);
  return out;
}

function summaryPoint(series: SeriesSnapshot, timeMs: number, ranks: readonly number[]): Json {
  const out = aggregateHead(series, timeMs);
  const values = series.quantiles;
  if (values !== null && values.length > 0) {
    out.quantileValues = Array.from({ length: values.length }, (_, i) => {
      const q: { [key: string]: Json } = {};
      // proto3 JSON leaves out zeros, as the protobuf encoding does not (it writes every double here).
      if ((ranks[i] ?? 0) !== 0) q.quantile = double(ranks[i]!);
      if (values[i] !== 0) q.value = double(values[i]!);
      return q;
    });
  }
  return out;
}

function exemplar(e: Exemplar): Json {
  const out: { [key: string]: Json } = {};
  const filtered: Json[] = [];
  const { names, values } = e.labels;
  for (let i = 0; i < names.length; i++) {
    if (isExemplarAttribute(e, i)) filtered.push({ key: names[i]!, value: { stringValue: values[i]! } });
  }
  if (filtered.length > 0) out.filteredAttributes = filtered;
  if (e.timestampMs !== undefined) out.timeUnixNano = msToNanos(e.timestampMs);
  out.asDouble = double(e.value);
  const { traceId, spanId } = exemplarIds(e);
  if (spanId !== '') out.spanId = spanId;
  if (traceId !== '') out.traceId = traceId;
  return out;
}

function attributes(labels: LabelSet): Json[] {
  const { names, values } = labels;
  const out: Json[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) out[i] = { key: names[i]!, value: { stringValue: values[i]! } };
  return out;
}

function resourceKeyValue(key: string, value: ResourceValue): Json {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) return { key, value: { intValue: String(value) } };
  return { key, value: { doubleValue: double(value) } };
}

/** A double as proto3 JSON writes it. */
function double(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** A count (uint64/fixed64) as a decimal string. */
function count(v: number): string {
  return String(v > 0 ? Math.round(v) : 0);
}

/** Milliseconds since the epoch as a decimal string of nanoseconds, exactly (no double rounding past 2^53). */
export function msToNanos(ms: number): string {
  if (!(ms > 0)) return '0';
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) return String(seconds + 1) + '000000000';
  return seconds === 0 ? String(nanos) : String(seconds) + String(nanos).padStart(9, '0');
}
