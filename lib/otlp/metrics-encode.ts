/**
 * The OTLP metrics request encoder: a registry snapshot to `ExportMetricsServiceRequest` bytes (schema in
 * proto/opentelemetry/proto/collector/metrics/v1/metrics_service.proto), mapped as metrics-model.ts says.
 *
 * One ResourceMetrics with one ScopeMetrics; one Metric per family that has series, in snapshot order;
 * one data point per series. Fields are written in field-number order and proto3 defaults are left out.
 *
 * Cost: a size pass that records each metric's and point's length in a reused SizeTable, then a write
 * pass into one buffer of exactly that size (or into the caller's, reused from push to push: a fresh
 * half-megabyte buffer costs more than the encoding). What repeats from push to push is encoded once and
 * copied: each series' attributes and start time (kept on its label set), each family's name, description
 * and unit fields, and each histogram's packed bounds.
 */

import { OTLP_SERIES, readSlot, writeSlot } from '../exposition/label-cache.js';
import type { Exemplar, FamilySnapshot, LabelSet, SeriesSnapshot } from '../metrics/snapshot.js';
import {
  ProtoWriter,
  SizeTable,
  nanosWords,
  splitNanos,
  utf8Length,
  varintSize,
  zigzag32,
} from '../protobuf/writer.js';
import type { NativeSpans } from '../metrics/native-buckets.js';
import {
  CUMULATIVE,
  type MetricsEnvelope,
  type ResourceValue,
  denseCounts,
  exemplarIds,
  isExemplarAttribute,
  isExponentialFamily,
  otelUnit,
  otlpOffset,
} from './metrics-model.js';

const REQUEST_RESOURCE_METRICS = 0x0a; // ExportMetricsServiceRequest.resource_metrics = 1
const RESOURCE_METRICS_RESOURCE = 0x0a; // ResourceMetrics.resource = 1
const RESOURCE_METRICS_SCOPE_METRICS = 0x12; // ResourceMetrics.scope_metrics = 2
const RESOURCE_ATTRIBUTES = 0x0a; // Resource.attributes = 1
const SCOPE_METRICS_SCOPE = 0x0a; // ScopeMetrics.scope = 1
const SCOPE_METRICS_METRICS = 0x12; // ScopeMetrics.metrics = 2
const SCOPE_NAME = 0x0a; // InstrumentationScope.name = 1
const SCOPE_VERSION = 0x12; // InstrumentationScope.version = 2

const METRIC_NAME = 0x0a; // Metric.name = 1
const METRIC_DESCRIPTION = 0x12; // Metric.description = 2
const METRIC_UNIT = 0x1a; // Metric.unit = 3
const METRIC_GAUGE = 0x2a; // Metric.gauge = 5
const METRIC_SUM = 0x3a; // Metric.sum = 7
const METRIC_HISTOGRAM = 0x4a; // Metric.histogram = 9
const METRIC_EXPONENTIAL_HISTOGRAM = 0x52; // Metric.exponential_histogram = 10
const METRIC_SUMMARY = 0x5a; // Metric.summary = 11

const DATA_POINTS = 0x0a; // Gauge/Sum/Histogram/Summary.data_points = 1
const AGGREGATION_TEMPORALITY = 0x10; // Sum/Histogram.aggregation_temporality = 2
const IS_MONOTONIC = 0x18; // Sum.is_monotonic = 3

const POINT_START = 0x11; // *DataPoint.start_time_unix_nano = 2, fixed64
const POINT_TIME = 0x19; // *DataPoint.time_unix_nano = 3, fixed64
const NUMBER_AS_DOUBLE = 0x21; // NumberDataPoint.as_double = 4
const NUMBER_EXEMPLARS = 0x2a; // NumberDataPoint.exemplars = 5
const NUMBER_ATTRIBUTES = 0x3a; // NumberDataPoint.attributes = 7 (also SummaryDataPoint.attributes = 7)
const HISTOGRAM_COUNT = 0x21; // HistogramDataPoint.count = 4, fixed64 (also SummaryDataPoint.count)
const HISTOGRAM_SUM = 0x29; // HistogramDataPoint.sum = 5, double (also SummaryDataPoint.sum)
const HISTOGRAM_BUCKET_COUNTS = 0x32; // HistogramDataPoint.bucket_counts = 6, packed fixed64
const HISTOGRAM_BOUNDS = 0x3a; // HistogramDataPoint.explicit_bounds = 7, packed double
const HISTOGRAM_EXEMPLARS = 0x42; // HistogramDataPoint.exemplars = 8
const HISTOGRAM_ATTRIBUTES = 0x4a; // HistogramDataPoint.attributes = 9
const EXPO_ATTRIBUTES = 0x0a; // ExponentialHistogramDataPoint.attributes = 1
const EXPO_SCALE = 0x30; // ExponentialHistogramDataPoint.scale = 6, sint32
const EXPO_ZERO_COUNT = 0x39; // ExponentialHistogramDataPoint.zero_count = 7, fixed64
const EXPO_POSITIVE = 0x42; // ExponentialHistogramDataPoint.positive = 8
const EXPO_NEGATIVE = 0x4a; // ExponentialHistogramDataPoint.negative = 9
const EXPO_EXEMPLARS = 0x5a; // ExponentialHistogramDataPoint.exemplars = 11
const EXPO_ZERO_THRESHOLD = 0x71; // ExponentialHistogramDataPoint.zero_threshold = 14, double
const BUCKETS_OFFSET = 0x08; // ExponentialHistogramDataPoint.Buckets.offset = 1, sint32
const BUCKETS_COUNTS = 0x12; // ExponentialHistogramDataPoint.Buckets.bucket_counts = 2, packed uint64
const SUMMARY_QUANTILES = 0x32; // SummaryDataPoint.quantile_values = 6
const QUANTILE_QUANTILE = 0x09; // ValueAtQuantile.quantile = 1
const QUANTILE_VALUE = 0x11; // ValueAtQuantile.value = 2

const EXEMPLAR_TIME = 0x11; // Exemplar.time_unix_nano = 2
const EXEMPLAR_AS_DOUBLE = 0x19; // Exemplar.as_double = 3
const EXEMPLAR_SPAN_ID = 0x22; // Exemplar.span_id = 4
const EXEMPLAR_TRACE_ID = 0x2a; // Exemplar.trace_id = 5
const EXEMPLAR_ATTRIBUTES = 0x3a; // Exemplar.filtered_attributes = 7

const KV_KEY = 0x0a; // KeyValue.key = 1
const KV_VALUE = 0x12; // KeyValue.value = 2
const ANY_STRING = 0x0a; // AnyValue.string_value = 1
const ANY_BOOL = 0x10; // AnyValue.bool_value = 2
const ANY_INT = 0x18; // AnyValue.int_value = 3
const ANY_DOUBLE = 0x21; // AnyValue.double_value = 4

/** A fixed64 field (key + 8 bytes). */
const FIXED_FIELD = 9;
const TWO_32 = 4294967296;

/** One KeyValue with a string value, as a field with key `tag`. */
function stringKeyValue(w: ProtoWriter | null, tag: number, key: string, value: string): number {
  const k = utf8Length(key);
  const v = utf8Length(value);
  const anyBody = 1 + varintSize(v) + v;
  const body = 1 + varintSize(k) + k + 1 + varintSize(anyBody) + anyBody;
  if (w !== null) {
    w.byte(tag);
    w.varint(body);
    w.byte(KV_KEY);
    w.string(key, k);
    w.byte(KV_VALUE);
    w.varint(anyBody);
    w.byte(ANY_STRING);
    w.string(value, v);
  }
  return 1 + varintSize(body) + body;
}

/**
 * What is kept beside a series' label set between encodes: its attributes as repeated KeyValue fields
 * with key `tag`, and its start time split into fixed64 words (a series' creation time never changes).
 */
class SeriesCache {
  startOf = NaN;
  startLo = 0;
  startHi = 0;
  /** Histograms: the bounds field and the attributes together (adjacent when there are no exemplars). */
  tail: Uint8Array | undefined = undefined;
  tailBounds: Uint8Array | undefined = undefined;
  constructor(
    readonly tag: number,
    readonly attributes: Uint8Array,
  ) {}
}
/** The series' cache entry, recorded in `visited` so the write pass reads it back without a lookup. */
function visit(labels: LabelSet, tag: number): SeriesCache {
  // In the writers' slot on the label set (see label-cache.ts): one property load per series, where a
  // WeakMap lookup made this encode about 40% slower. The metrics types declare nothing for it.
  let cached = readSlot(labels, OTLP_SERIES) as SeriesCache | undefined;
  if (cached === undefined || cached.tag !== tag) {
    const { names, values } = labels;
    let size = 0;
    for (let i = 0; i < names.length; i++) size += stringKeyValue(null, tag, names[i]!, values[i]!);
    const w = new ProtoWriter(size);
    for (let i = 0; i < names.length; i++) stringKeyValue(w, tag, names[i]!, values[i]!);
    cached = new SeriesCache(tag, w.finish());
    writeSlot(labels, OTLP_SERIES, cached);
  }
  visited.push(cached);
  return cached;
}

/** Cache entries of the series in size-pass order; the write pass walks them with `cursor`. */
const visited: SeriesCache[] = [];
let cursor = 0;

/** Name, description and unit fields of a family, per name (rebuilt when its help or unit differ). */
interface FamilyHeader {
  readonly help: string;
  readonly unit: string;
  readonly bytes: Uint8Array;
}
const headerCache = new Map<string, FamilyHeader>();
const HEADER_CACHE_LIMIT = 10_000;

function familyHeader(family: FamilySnapshot): Uint8Array {
  const cached = headerCache.get(family.name);
  if (cached !== undefined && cached.help === family.help && cached.unit === family.unit) return cached.bytes;
  const unit = otelUnit(family.unit);
  const n = utf8Length(family.name);
  const d = utf8Length(family.help);
  const u = utf8Length(unit);
  const size = 1 + varintSize(n) + n + (d > 0 ? 1 + varintSize(d) + d : 0) + (u > 0 ? 1 + varintSize(u) + u : 0);
  const w = new ProtoWriter(size);
  w.byte(METRIC_NAME);
  w.string(family.name, n);
  if (d > 0) {
    w.byte(METRIC_DESCRIPTION);
    w.string(family.help, d);
  }
  if (u > 0) {
    w.byte(METRIC_UNIT);
    w.string(unit, u);
  }
  const bytes = w.finish();
  if (headerCache.size >= HEADER_CACHE_LIMIT) headerCache.clear();
  headerCache.set(family.name, { help: family.help, unit: family.unit, bytes });
  return bytes;
}

/** The explicit_bounds field of a histogram family, per bounds array (one per family for its life). */
const boundsCache = new WeakMap<readonly number[], Uint8Array>();

function boundsField(bounds: readonly number[]): Uint8Array {
  let bytes = boundsCache.get(bounds);
  if (bytes === undefined) {
    const body = 8 * bounds.length;
    const w = new ProtoWriter(body === 0 ? 0 : 1 + varintSize(body) + body);
    if (body > 0) {
      w.byte(HISTOGRAM_BOUNDS);
      w.varint(body);
      for (const b of bounds) w.double(b);
    }
    bytes = w.finish();
    boundsCache.set(bounds, bytes);
  }
  return bytes;
}

function lenField(body: number): number {
  return 1 + varintSize(body) + body;
}

/** Writes a millisecond time as a fixed64 nanosecond count. */
function writeMsAsNanos(w: ProtoWriter, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  w.fixed64Nanos(seconds, Math.round((ms - seconds * 1000) * 1e6));
}

/** Writes a non-negative integer count as fixed64. */
function writeCount(w: ProtoWriter, v: number): void {
  if (v >= 0 && v < TWO_32 && v === v >>> 0) {
    w.fixed32(v);
    w.fixed32(0);
    return;
  }
  const c = v > 0 ? Math.round(v) : 0;
  const hi = Math.floor(c / TWO_32);
  w.fixed64(c - hi * TWO_32, hi);
}

/** The point time of the encode in progress, as the two words of its fixed64 nanosecond count. */
let timeLo = 0;
let timeHi = 0;
let timeOf = NaN;

const sizes = new SizeTable();

/**
 * Encodes a registry snapshot as an ExportMetricsServiceRequest. `envelope` says who sends (its bytes are
 * best kept with {@link encodeEnvelope} by a long-lived caller); `timeMs` stamps every point. Given `into`
 * of at least the request's size, writes there and returns a view of it; otherwise allocates.
 */
export function encodeExportMetricsRequest(
  families: readonly FamilySnapshot[],
  envelope: MetricsEnvelope | EncodedEnvelope,
  timeMs: number,
  into?: Uint8Array,
): Uint8Array {
  const head = envelope instanceof EncodedEnvelope ? envelope : encodeEnvelope(envelope);
  sizes.reset();
  visited.length = 0;
  cursor = 0;
  denseUsed = 0;
  denseCursor = 0;
  let metrics = 0;
  for (let f = 0; f < families.length; f++) {
    const family = families[f]!;
    if (family.series.length === 0) continue;
    metrics += lenField(sizeMetric(family));
  }
  const scopeMetrics = head.scope.length + metrics;
  const resourceMetrics = head.resource.length + lenField(scopeMetrics);
  const total = lenField(resourceMetrics);
  const w = new ProtoWriter(total, into, (size) => new Uint8Array(size));
  w.byte(REQUEST_RESOURCE_METRICS);
  w.varint(resourceMetrics);
  w.raw(head.resource);
  w.byte(RESOURCE_METRICS_SCOPE_METRICS);
  w.varint(scopeMetrics);
  w.raw(head.scope);
  for (let f = 0; f < families.length; f++) {
    const family = families[f]!;
    if (family.series.length === 0) continue;
    writeMetric(w, family, timeMs);
  }
  visited.length = 0; // no label set is held past the encode
  return w.finish();
}

/** The resource and scope fields, encoded once for many requests. */
export class EncodedEnvelope {
  constructor(
    /** ResourceMetrics.resource field. */
    readonly resource: Uint8Array,
    /** ScopeMetrics.scope field. */
    readonly scope: Uint8Array,
  ) {}
}

/** Encodes who sends: the resource's attributes and the scope. */
export function encodeEnvelope(envelope: MetricsEnvelope): EncodedEnvelope {
  const entries = Object.entries(envelope.resource);
  let attrs = 0;
  for (const [k, v] of entries) attrs += resourceKeyValue(null, k, v);
  const resource = new ProtoWriter(lenField(attrs));
  resource.byte(RESOURCE_METRICS_RESOURCE);
  resource.varint(attrs);
  for (const [k, v] of entries) resourceKeyValue(resource, k, v);
  const n = utf8Length(envelope.scope.name);
  const v = utf8Length(envelope.scope.version);
  const scopeBody = (n > 0 ? 1 + varintSize(n) + n : 0) + (v > 0 ? 1 + varintSize(v) + v : 0);
  const scope = new ProtoWriter(lenField(scopeBody));
  scope.byte(SCOPE_METRICS_SCOPE);
  scope.varint(scopeBody);
  if (n > 0) {
    scope.byte(SCOPE_NAME);
    scope.string(envelope.scope.name, n);
  }
  if (v > 0) {
    scope.byte(SCOPE_VERSION);
    scope.string(envelope.scope.version, v);
  }
  return new EncodedEnvelope(resource.finish(), scope.finish());
}

/** A resource KeyValue: strings, booleans, safe integers as int_value, other numbers as double_value. */
function resourceKeyValue(w: ProtoWriter | null, key: string, value: ResourceValue): number {
  if (typeof value === 'string') return stringKeyValue(w, RESOURCE_ATTRIBUTES, key, value);
  const k = utf8Length(key);
  const isInt = typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0);
  const anyBody = typeof value === 'boolean' ? 2 : isInt ? 1 + varintSize(value as number) : 9;
  const body = 1 + varintSize(k) + k + 1 + varintSize(anyBody) + anyBody;
  if (w !== null) {
    w.byte(RESOURCE_ATTRIBUTES);
    w.varint(body);
    w.byte(KV_KEY);
    w.string(key, k);
    w.byte(KV_VALUE);
    w.varint(anyBody);
    if (typeof value === 'boolean') {
      w.byte(ANY_BOOL);
      w.byte(value ? 1 : 0);
    } else if (isInt) {
      w.byte(ANY_INT);
      w.varint(value);
    } else {
      w.byte(ANY_DOUBLE);
      w.double(value);
    }
  }
  return lenField(body);
}

// ---- size pass: records each Metric's data body and each point's body in `sizes`, in write order ----

function sizeMetric(family: FamilySnapshot): number {
  const slot = sizes.reserve();
  let points = 0;
  const all = family.series;
  switch (family.type) {
    case 'counter':
      for (let i = 0; i < all.length; i++) points += lenField(sizeNumberPoint(all[i]!, true));
      points += 4; // aggregation_temporality, is_monotonic
      break;
    case 'histogram': {
      if (isExponentialFamily(family)) {
        for (let i = 0; i < all.length; i++) points += lenField(sizeExponentialPoint(all[i]!));
        points += 2; // aggregation_temporality
        break;
      }
      const bounds = boundsField(family.upperBounds ?? []).length;
      for (let i = 0; i < all.length; i++) points += lenField(sizeHistogramPoint(all[i]!, bounds));
      points += 2; // aggregation_temporality
      break;
    }
    case 'summary':
      for (let i = 0; i < all.length; i++) points += lenField(sizeSummaryPoint(all[i]!));
      break;
    default:
      for (let i = 0; i < all.length; i++) points += lenField(sizeNumberPoint(all[i]!, false));
  }
  sizes.set(slot, points);
  return familyHeader(family).length + lenField(points);
}

function sizeNumberPoint(series: SeriesSnapshot, cumulative: boolean): number {
  let body = FIXED_FIELD + FIXED_FIELD; // time, as_double
  if (cumulative && series.createdMs !== undefined) body += FIXED_FIELD;
  if (series.exemplar !== null) body += lenField(sizeExemplar(series.exemplar));
  body += visit(series.labels, NUMBER_ATTRIBUTES).attributes.length;
  sizes.push(body);
  return body;
}

function sizeHistogramPoint(series: SeriesSnapshot, boundsBytes: number): number {
  const buckets = (series.buckets?.length ?? 0) + 1;
  let body = FIXED_FIELD * 3 + (series.createdMs !== undefined ? FIXED_FIELD : 0); // time, count, sum, start
  body += lenField(8 * buckets) + boundsBytes;
  const exemplars = series.bucketExemplars;
  if (exemplars !== null) {
    for (let i = 0; i < exemplars.length; i++) {
      const e = exemplars[i];
      if (e !== undefined) body += lenField(sizeExemplar(e));
    }
  }
  body += visit(series.labels, HISTOGRAM_ATTRIBUTES).attributes.length;
  sizes.push(body);
  return body;
}

/**
 * Dense bucket counts of the native histograms in the encode in progress, two per point (positive then
 * negative), expanded once by the size pass and read back by the write pass with the byte length of their
 * packed field body. The arrays are reused from encode to encode.
 */
const dense: number[][] = [];
const densePacked: number[] = [];
let denseUsed = 0;
let denseCursor = 0;

/** Expands one side's buckets and returns the body size of its Buckets message. */
function sizeBuckets(spans: NativeSpans): number {
  if (denseUsed === dense.length) dense.push([]);
  const counts = denseCounts(spans, dense[denseUsed]!);
  let packed = 0;
  for (let i = 0; i < counts.length; i++) packed += varintSize(counts[i]!);
  densePacked[denseUsed++] = packed;
  return bucketsBody(otlpOffset(spans), counts.length, packed);
}

/** The body size of a Buckets message: offset (left out when 0), then the packed counts (left out when none). */
function bucketsBody(offset: number, buckets: number, packed: number): number {
  return (offset !== 0 ? 1 + varintSize(zigzag32(offset)) : 0) + (buckets > 0 ? lenField(packed) : 0);
}

function sizeExponentialPoint(series: SeriesSnapshot): number {
  const native = series.native!;
  let body = FIXED_FIELD * 3 + (series.createdMs !== undefined ? FIXED_FIELD : 0); // time, count, sum, start
  if (native.schema !== 0) body += 1 + varintSize(zigzag32(native.schema));
  if (native.zeroCount !== 0) body += FIXED_FIELD;
  body += lenField(sizeBuckets(native.positive));
  body += lenField(sizeBuckets(native.negative));
  const exemplars = series.bucketExemplars;
  if (exemplars !== null) {
    for (let i = 0; i < exemplars.length; i++) {
      const e = exemplars[i];
      if (e !== undefined) body += lenField(sizeExemplar(e));
    }
  }
  if (native.zeroThreshold !== 0) body += FIXED_FIELD;
  body += visit(series.labels, EXPO_ATTRIBUTES).attributes.length;
  sizes.push(body);
  return body;
}

function sizeSummaryPoint(series: SeriesSnapshot): number {
  const quantiles = series.quantiles?.length ?? 0;
  let body = FIXED_FIELD * 3 + (series.createdMs !== undefined ? FIXED_FIELD : 0);
  body += quantiles * 20; // key, length 18, two double fields
  body += visit(series.labels, NUMBER_ATTRIBUTES).attributes.length;
  sizes.push(body);
  return body;
}

function sizeExemplar(e: Exemplar): number {
  const { traceId, spanId } = exemplarIds(e);
  let body = FIXED_FIELD; // as_double
  if (e.timestampMs !== undefined) body += FIXED_FIELD;
  if (spanId !== '') body += 2 + 8;
  if (traceId !== '') body += 2 + 16;
  const { names, values } = e.labels;
  for (let i = 0; i < names.length; i++) {
    if (isExemplarAttribute(e, i)) body += stringKeyValue(null, EXEMPLAR_ATTRIBUTES, names[i]!, values[i]!);
  }
  return body;
}

// ---- write pass: reads the sizes back in the same order ----

function writeMetric(w: ProtoWriter, family: FamilySnapshot, timeMs: number): void {
  const header = familyHeader(family);
  const points = sizes.next();
  w.byte(SCOPE_METRICS_METRICS);
  w.varint(header.length + lenField(points));
  w.raw(header);
  const all = family.series;
  switch (family.type) {
    case 'counter':
      w.byte(METRIC_SUM);
      w.varint(points);
      for (let i = 0; i < all.length; i++) writeNumberPoint(w, all[i]!, timeMs, true);
      w.byte(AGGREGATION_TEMPORALITY);
      w.byte(CUMULATIVE);
      w.byte(IS_MONOTONIC);
      w.byte(1);
      return;
    case 'histogram': {
      if (isExponentialFamily(family)) {
        w.byte(METRIC_EXPONENTIAL_HISTOGRAM);
        w.varint(points);
        for (let i = 0; i < all.length; i++) writeExponentialPoint(w, all[i]!, timeMs);
        w.byte(AGGREGATION_TEMPORALITY);
        w.byte(CUMULATIVE);
        return;
      }
      w.byte(METRIC_HISTOGRAM);
      w.varint(points);
      const bounds = boundsField(family.upperBounds ?? []);
      for (let i = 0; i < all.length; i++) writeHistogramPoint(w, all[i]!, timeMs, bounds);
      w.byte(AGGREGATION_TEMPORALITY);
      w.byte(CUMULATIVE);
      return;
    }
    case 'summary':
      w.byte(METRIC_SUMMARY);
      w.varint(points);
      for (let i = 0; i < all.length; i++) writeSummaryPoint(w, all[i]!, timeMs, family.quantileRanks ?? []);
      return;
    default:
      w.byte(METRIC_GAUGE);
      w.varint(points);
      for (let i = 0; i < all.length; i++) writeNumberPoint(w, all[i]!, timeMs, false);
  }
}

function writeTimes(
  w: ProtoWriter,
  series: SeriesSnapshot,
  cached: SeriesCache,
  timeMs: number,
  withStart: boolean,
): void {
  const created = series.createdMs;
  if (withStart && created !== undefined) {
    w.byte(POINT_START);
    if (cached.startOf !== created) {
      const seconds = Math.floor(created / 1000);
      splitNanos(seconds, Math.round((created - seconds * 1000) * 1e6));
      cached.startLo = nanosWords[0]!;
      cached.startHi = nanosWords[1]!;
      cached.startOf = created;
    }
    w.fixed32(cached.startLo);
    w.fixed32(cached.startHi);
  }
  w.byte(POINT_TIME);
  if (series.timestampMs !== undefined) {
    writeMsAsNanos(w, series.timestampMs);
  } else {
    // Every point of a request shares the time: split it into words once.
    if (timeOf !== timeMs) {
      const seconds = Math.floor(timeMs / 1000);
      splitNanos(seconds, Math.round((timeMs - seconds * 1000) * 1e6));
      timeLo = nanosWords[0]!;
      timeHi = nanosWords[1]!;
      timeOf = timeMs;
    }
    w.fixed32(timeLo);
    w.fixed32(timeHi);
  }
}

function writeNumberPoint(w: ProtoWriter, series: SeriesSnapshot, timeMs: number, cumulative: boolean): void {
  const cached = visited[cursor++]!;
  w.byte(DATA_POINTS);
  w.varint(sizes.next());
  writeTimes(w, series, cached, timeMs, cumulative);
  w.byte(NUMBER_AS_DOUBLE);
  w.double(series.value);
  if (series.exemplar !== null) writeExemplar(w, NUMBER_EXEMPLARS, series.exemplar);
  w.raw(cached.attributes);
}

/** Opens a histogram or summary point: its length, times, count and sum (fields 2 to 5 in both). */
function writeAggregateHead(w: ProtoWriter, series: SeriesSnapshot, timeMs: number): SeriesCache {
  const cached = visited[cursor++]!;
  w.byte(DATA_POINTS);
  w.varint(sizes.next());
  writeTimes(w, series, cached, timeMs, true);
  w.byte(HISTOGRAM_COUNT);
  writeCount(w, series.count);
  w.byte(HISTOGRAM_SUM);
  w.double(series.sum);
  return cached;
}

function writeHistogramPoint(w: ProtoWriter, series: SeriesSnapshot, timeMs: number, bounds: Uint8Array): void {
  const cached = writeAggregateHead(w, series, timeMs);
  // Per-bucket counts from the cumulative ones; the +Inf bucket from the total.
  const cumulative = series.buckets;
  const n = cumulative === null ? 0 : cumulative.length;
  w.byte(HISTOGRAM_BUCKET_COUNTS);
  w.varint(8 * (n + 1));
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const c = cumulative![i]!;
    writeCount(w, c - previous);
    previous = c;
  }
  writeCount(w, series.count - previous);
  const exemplars = series.bucketExemplars;
  if (exemplars === null) {
    // Bounds then attributes, one copy: both are the same bytes from push to push.
    if (cached.tailBounds !== bounds) {
      const tail = new Uint8Array(bounds.length + cached.attributes.length);
      tail.set(bounds, 0);
      tail.set(cached.attributes, bounds.length);
      cached.tail = tail;
      cached.tailBounds = bounds;
    }
    w.raw(cached.tail!);
    return;
  }
  w.raw(bounds);
  for (let i = 0; i < exemplars.length; i++) {
    const e = exemplars[i];
    if (e !== undefined) writeExemplar(w, HISTOGRAM_EXEMPLARS, e);
  }
  w.raw(cached.attributes);
}

function writeExponentialPoint(w: ProtoWriter, series: SeriesSnapshot, timeMs: number): void {
  const native = series.native!;
  const cached = visited[cursor++]!;
  w.byte(DATA_POINTS);
  w.varint(sizes.next());
  w.raw(cached.attributes); // field 1 here, unlike the other point types
  writeTimes(w, series, cached, timeMs, true);
  w.byte(HISTOGRAM_COUNT);
  writeCount(w, series.count);
  w.byte(HISTOGRAM_SUM);
  w.double(series.sum);
  if (native.schema !== 0) {
    w.byte(EXPO_SCALE);
    w.varint(zigzag32(native.schema));
  }
  if (native.zeroCount !== 0) {
    w.byte(EXPO_ZERO_COUNT);
    writeCount(w, native.zeroCount);
  }
  writeBuckets(w, EXPO_POSITIVE, native.positive);
  writeBuckets(w, EXPO_NEGATIVE, native.negative);
  const exemplars = series.bucketExemplars;
  if (exemplars !== null) {
    for (let i = 0; i < exemplars.length; i++) {
      const e = exemplars[i];
      if (e !== undefined) writeExemplar(w, EXPO_EXEMPLARS, e);
    }
  }
  if (native.zeroThreshold !== 0) {
    w.byte(EXPO_ZERO_THRESHOLD);
    w.double(native.zeroThreshold);
  }
}

/** Writes one side's Buckets message from what the size pass expanded. */
function writeBuckets(w: ProtoWriter, tag: number, spans: NativeSpans): void {
  const counts = dense[denseCursor]!;
  const packed = densePacked[denseCursor++]!;
  const offset = otlpOffset(spans);
  w.byte(tag);
  w.varint(bucketsBody(offset, counts.length, packed));
  if (offset !== 0) {
    w.byte(BUCKETS_OFFSET);
    w.varint(zigzag32(offset));
  }
  if (counts.length > 0) {
    w.byte(BUCKETS_COUNTS);
    w.varint(packed);
    for (let i = 0; i < counts.length; i++) w.varint(counts[i]!);
  }
}

function writeSummaryPoint(w: ProtoWriter, series: SeriesSnapshot, timeMs: number, ranks: readonly number[]): void {
  const cached = writeAggregateHead(w, series, timeMs);
  const values = series.quantiles;
  const n = values?.length ?? 0;
  for (let i = 0; i < n; i++) {
    w.byte(SUMMARY_QUANTILES);
    w.byte(18);
    w.byte(QUANTILE_QUANTILE);
    w.double(ranks[i] ?? 0);
    w.byte(QUANTILE_VALUE);
    w.double(values![i]!);
  }
  w.raw(cached.attributes);
}

function writeExemplar(w: ProtoWriter, tag: number, e: Exemplar): void {
  const { traceId, spanId } = exemplarIds(e);
  w.byte(tag);
  w.varint(sizeExemplar(e));
  if (e.timestampMs !== undefined) {
    w.byte(EXEMPLAR_TIME);
    writeMsAsNanos(w, e.timestampMs);
  }
  w.byte(EXEMPLAR_AS_DOUBLE);
  w.double(e.value);
  if (spanId !== '') {
    w.byte(EXEMPLAR_SPAN_ID);
    w.byte(8);
    writeHex(w, spanId);
  }
  if (traceId !== '') {
    w.byte(EXEMPLAR_TRACE_ID);
    w.byte(16);
    writeHex(w, traceId);
  }
  const { names, values } = e.labels;
  for (let i = 0; i < names.length; i++) {
    if (isExemplarAttribute(e, i)) stringKeyValue(w, EXEMPLAR_ATTRIBUTES, names[i]!, values[i]!);
  }
}

/** Writes validated lowercase hex as bytes. */
function writeHex(w: ProtoWriter, hex: string): void {
  for (let i = 0; i < hex.length; i += 2) w.byte(parseInt(hex.slice(i, i + 2), 16));
}
