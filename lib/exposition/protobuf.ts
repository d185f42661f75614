/**
 * The Prometheus protobuf exposition format (delimited `io.prometheus.client.MetricFamily`
 * messages, schema in proto/metrics.proto), byte-identical to client_golang 1.14.
 *
 * What Go puts on the wire, and so what this writer reproduces:
 * - fields in field-number order (so in Metric, `timestamp_ms` = 6 precedes `histogram` = 7);
 * - MetricFamily: `name`, `help` (even when empty) and `type` (even COUNTER = 0) always;
 * - LabelPair: `name` and `value` always, even an empty value;
 * - Gauge, Counter, Untyped: `value` always, even 0;
 * - Summary: `sample_count` and `sample_sum` always, then one Quantile per rank with both
 *   `quantile` and `value` (NaN before any observation);
 * - Histogram: `sample_count`, `sample_sum`, then one Bucket per configured upper bound with
 *   `cumulative_count` (even 0) and `upper_bound`; no +Inf bucket, unless that bucket holds an
 *   exemplar, in which case it is appended with `cumulative_count` = the sample count;
 *   then the native-histogram fields when the series has them (see protobuf-native.ts);
 * - Exemplar: `label`s, `value`, and `timestamp` only when known; the Timestamp message is
 *   proto3, so its `seconds` and `nanos` are left out when zero;
 * - Metric `timestamp_ms` only for series with an explicit timestamp; no created timestamps
 *   (client_model 0.3.0 has no field for them);
 * - NaN is written with the bits Go's would have: a series' value or sum by its NaN kind (go-float.ts),
 *   anything else (bounds, quantiles, exemplars: numbers passed in) as Go's `math.NaN()`.
 * Families without series are skipped, as Go's gatherer never returns them.
 */

import { ProtoWriter, SizeTable, utf8Length, varintSize } from '../protobuf/writer.js';
import { nativeFieldsSize, writeNativeFields } from './protobuf-native.js';
import type { Exemplar, FamilySnapshot, LabelSet, MetricType, SeriesSnapshot } from '../metrics/snapshot.js';
import { GO_NAN, NAN_HIGH_WORD, NAN_LOW_WORD, type NanKind } from '../metrics/go-float.js';
import { PROTOBUF_LABELS, readSlot, writeSlot } from './label-cache.js';
import { slabBytes } from './slab.js';

/** Content-Type of this output. */
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

// Precomputed single-byte keys: (field << 3) | wire type.
const FAMILY_NAME = 0x0a; // MetricFamily.name = 1, LEN
const FAMILY_HELP = 0x12; // MetricFamily.help = 2, LEN
const FAMILY_TYPE = 0x18; // MetricFamily.type = 3, VARINT
const FAMILY_METRIC = 0x22; // MetricFamily.metric = 4, LEN
const LABEL = 0x0a; // Metric.label = 1 and Exemplar.label = 1, LEN
const PAIR_NAME = 0x0a; // LabelPair.name = 1, LEN
const PAIR_VALUE = 0x12; // LabelPair.value = 2, LEN
const METRIC_GAUGE = 0x12; // Metric.gauge = 2, LEN
const METRIC_COUNTER = 0x1a; // Metric.counter = 3, LEN
const METRIC_SUMMARY = 0x22; // Metric.summary = 4, LEN
const METRIC_UNTYPED = 0x2a; // Metric.untyped = 5, LEN
const METRIC_TIMESTAMP = 0x30; // Metric.timestamp_ms = 6, VARINT
const METRIC_HISTOGRAM = 0x3a; // Metric.histogram = 7, LEN
const VALUE_DOUBLE = 0x09; // Gauge/Counter/Untyped.value = 1, Quantile.quantile = 1: I64
const COUNTER_EXEMPLAR = 0x12; // Counter.exemplar = 2, LEN
const SAMPLE_COUNT = 0x08; // Summary/Histogram.sample_count = 1, Bucket.cumulative_count = 1: VARINT
const SAMPLE_SUM = 0x11; // Summary/Histogram.sample_sum = 2, Quantile.value = 2, Bucket.upper_bound = 2: I64
const REPEATED_3 = 0x1a; // Summary.quantile = 3, Histogram.bucket = 3, Bucket.exemplar = 3: LEN
const EXEMPLAR_VALUE = 0x11; // Exemplar.value = 2, I64
const EXEMPLAR_TIMESTAMP = 0x1a; // Exemplar.timestamp = 3, LEN
const TS_SECONDS = 0x08; // Timestamp.seconds = 1, VARINT
const TS_NANOS = 0x10; // Timestamp.nanos = 2, VARINT

/** Key + 8-byte double. */
const DOUBLE_FIELD = 9;
/** A Gauge/Untyped field in a Metric: key, length 9, then the Gauge message (key + double). */
const SCALAR_FIELD = 2 + DOUBLE_FIELD;
/** A Quantile field in a Summary: key, length 18, then two double fields. */
const QUANTILE_FIELD = 2 + 2 * DOUBLE_FIELD;

const TWO_64 = 18446744073709551616;

/** MetricType enum values of client_model. */
const TYPE_NUMBER: Readonly<Record<MetricType, number>> = {
  counter: 0,
  gauge: 1,
  summary: 2,
  untyped: 3,
  histogram: 4,
};

// Lengths from the size pass, in write order. One encode at a time (the encode is synchronous).
const sizes = new SizeTable();
// The encoded label fields the size pass found (series and exemplars), in write order, so that the write pass
// does not look each label set up again.
const labelFields: Uint8Array[] = [];
let labelsFound = 0;
let labelsRead = 0;

/**
 * Encodes families in the delimited protobuf format (each MetricFamily preceded by its varint
 * length), byte for byte as client_golang 1.14 does for the same data.
 */
export function encodeProtobuf(families: readonly FamilySnapshot[]): Uint8Array {
  sizes.reset();
  labelsFound = 0;
  let total = 0;
  for (let i = 0; i < families.length; i++) {
    const family = families[i]!;
    if (family.series.length === 0) continue;
    const size = sizeFamily(family);
    total += varintSize(size) + size;
  }
  const w = new ProtoWriter(total);
  labelsRead = 0;
  for (let i = 0; i < families.length; i++) {
    const family = families[i]!;
    if (family.series.length === 0) continue;
    writeFamily(w, family);
  }
  // Entries past this scrape's would keep removed series' bytes alive.
  if (labelFields.length > labelsFound) labelFields.length = labelsFound;
  return w.finish();
}

/** @deprecated Use encodeProtobuf; this returns exactly the same bytes. */
export function writeProtobuf(families: readonly FamilySnapshot[]): Uint8Array {
  return encodeProtobuf(families);
}

// ---------------------------------------------------------------------------------------------
// Size pass. Slot order (read back identically by the write pass):
//   family: [family length, name length, help length]
//   then per series: [metric length], then by type:
//     counter:   [counter length] [exemplar length]?
//     summary:   [summary length]
//     histogram: [histogram length] and per bucket: [bucket length] [exemplar length]?
// ---------------------------------------------------------------------------------------------

function sizeFamily(family: FamilySnapshot): number {
  const slot = sizes.reserve();
  const nameLength = utf8Length(family.name);
  const helpLength = utf8Length(family.help);
  sizes.push(nameLength);
  sizes.push(helpLength);
  let size =
    1 +
    varintSize(nameLength) +
    nameLength +
    1 +
    varintSize(helpLength) +
    helpLength +
    1 +
    varintSize(TYPE_NUMBER[family.type]);
  const type = family.type;
  const series = family.series;
  for (let i = 0; i < series.length; i++) {
    const metric = sizeMetric(family, type, series[i]!);
    size += 1 + varintSize(metric) + metric;
  }
  sizes.set(slot, size);
  return size;
}

function sizeMetric(family: FamilySnapshot, type: MetricType, s: SeriesSnapshot): number {
  const slot = sizes.reserve();
  let size = sizeLabels(s.labels);
  switch (type) {
    case 'gauge':
    case 'untyped':
      size += SCALAR_FIELD;
      break;
    case 'counter': {
      const counter = sizeCounter(s);
      size += 1 + varintSize(counter) + counter;
      break;
    }
    case 'summary': {
      const summary = sizeSummary(family, s);
      size += 1 + varintSize(summary) + summary;
      break;
    }
    case 'histogram': {
      const histogram = sizeHistogram(family, s);
      size += 1 + varintSize(histogram) + histogram;
      break;
    }
  }
  if (s.timestampMs !== undefined) size += 1 + varintSize(Math.floor(s.timestampMs));
  sizes.set(slot, size);
  return size;
}

function sizeCounter(s: SeriesSnapshot): number {
  const slot = sizes.reserve();
  let size = DOUBLE_FIELD;
  if (s.exemplar !== null) {
    const exemplar = sizeExemplar(s.exemplar);
    size += 1 + varintSize(exemplar) + exemplar;
  }
  sizes.set(slot, size);
  return size;
}

function sizeSummary(family: FamilySnapshot, s: SeriesSnapshot): number {
  const slot = sizes.reserve();
  const size = 1 + varintSize(toUint64(s.count)) + DOUBLE_FIELD + QUANTILE_FIELD * quantileCount(family, s);
  sizes.set(slot, size);
  return size;
}

function sizeHistogram(family: FamilySnapshot, s: SeriesSnapshot): number {
  const slot = sizes.reserve();
  const count = toUint64(s.count);
  let size = 1 + varintSize(count) + DOUBLE_FIELD;
  const bounds = s.ownRanks ?? family.upperBounds;
  const buckets = s.buckets;
  const exemplars = s.bucketExemplars;
  const n = bounds === null ? 0 : bounds.length;
  for (let i = 0; i < n; i++) {
    const bucket = sizeBucket(
      buckets === null ? 0 : toUint64(buckets[i]!),
      exemplars === null ? undefined : exemplars[i],
    );
    size += 1 + varintSize(bucket) + bucket;
  }
  const infExemplar = exemplars === null ? undefined : exemplars[n];
  if (infExemplar !== undefined) {
    const bucket = sizeBucket(count, infExemplar);
    size += 1 + varintSize(bucket) + bucket;
  }
  if (s.native) size += nativeFieldsSize(s.native);
  sizes.set(slot, size);
  return size;
}

function sizeBucket(cumulative: number, exemplar: Exemplar | undefined): number {
  const slot = sizes.reserve();
  let size = 1 + varintSize(cumulative) + DOUBLE_FIELD;
  if (exemplar !== undefined) {
    const ex = sizeExemplar(exemplar);
    size += 1 + varintSize(ex) + ex;
  }
  sizes.set(slot, size);
  return size;
}

function sizeExemplar(e: Exemplar): number {
  const slot = sizes.reserve();
  let size = sizeLabels(e.labels) + DOUBLE_FIELD;
  if (e.timestampMs !== undefined) {
    const ts = timestampSize(e.timestampMs);
    size += 1 + varintSize(ts) + ts;
  }
  sizes.set(slot, size);
  return size;
}

// ---------------------------------------------------------------------------------------------
// Write pass.
// ---------------------------------------------------------------------------------------------

function writeFamily(w: ProtoWriter, family: FamilySnapshot): void {
  w.varint(sizes.next());
  w.byte(FAMILY_NAME);
  w.string(family.name, sizes.next());
  w.byte(FAMILY_HELP);
  w.string(family.help, sizes.next());
  w.byte(FAMILY_TYPE);
  w.varint(TYPE_NUMBER[family.type]);
  const type = family.type;
  const series = family.series;
  for (let i = 0; i < series.length; i++) {
    w.byte(FAMILY_METRIC);
    writeMetric(w, family, type, series[i]!);
  }
}

function writeMetric(w: ProtoWriter, family: FamilySnapshot, type: MetricType, s: SeriesSnapshot): void {
  w.varint(sizes.next());
  w.raw(labelFields[labelsRead++]!);
  switch (type) {
    case 'gauge':
      w.byte(METRIC_GAUGE);
      writeScalar(w, s.value, s.nanKind);
      break;
    case 'untyped':
      w.byte(METRIC_UNTYPED);
      writeScalar(w, s.value, s.nanKind);
      break;
    case 'counter':
      w.byte(METRIC_COUNTER);
      w.varint(sizes.next());
      w.byte(VALUE_DOUBLE);
      writeDouble(w, s.value, s.nanKind);
      if (s.exemplar !== null) {
        w.byte(COUNTER_EXEMPLAR);
        writeExemplar(w, s.exemplar);
      }
      break;
    case 'summary':
      w.byte(METRIC_SUMMARY);
      writeSummary(w, family, s);
      break;
    case 'histogram':
      // Field 6 (timestamp_ms) goes before field 7 (histogram).
      if (s.timestampMs !== undefined) writeTimestampMs(w, s.timestampMs);
      w.byte(METRIC_HISTOGRAM);
      writeHistogram(w, family, s);
      return;
  }
  if (s.timestampMs !== undefined) writeTimestampMs(w, s.timestampMs);
}

function writeScalar(w: ProtoWriter, value: number, nanKind: NanKind | undefined): void {
  w.byte(DOUBLE_FIELD);
  w.byte(VALUE_DOUBLE);
  writeDouble(w, value, nanKind);
}

function writeTimestampMs(w: ProtoWriter, ms: number): void {
  w.byte(METRIC_TIMESTAMP);
  w.varint(Math.floor(ms));
}

function writeSummary(w: ProtoWriter, family: FamilySnapshot, s: SeriesSnapshot): void {
  w.varint(sizes.next());
  w.byte(SAMPLE_COUNT);
  w.varint(toUint64(s.count));
  w.byte(SAMPLE_SUM);
  writeDouble(w, s.sum, s.nanKind);
  const n = quantileCount(family, s);
  if (n === 0) return;
  const ranks = (s.ownRanks ?? family.quantileRanks)!;
  const values = s.quantiles!;
  for (let i = 0; i < n; i++) {
    w.byte(REPEATED_3);
    w.byte(2 * DOUBLE_FIELD);
    w.byte(VALUE_DOUBLE);
    writeDouble(w, ranks[i]!, GO_NAN);
    w.byte(SAMPLE_SUM);
    writeDouble(w, values[i]!, GO_NAN);
  }
}

function writeHistogram(w: ProtoWriter, family: FamilySnapshot, s: SeriesSnapshot): void {
  w.varint(sizes.next());
  const count = toUint64(s.count);
  w.byte(SAMPLE_COUNT);
  w.varint(count);
  w.byte(SAMPLE_SUM);
  writeDouble(w, s.sum, s.nanKind);
  const bounds = s.ownRanks ?? family.upperBounds;
  const buckets = s.buckets;
  const exemplars = s.bucketExemplars;
  const n = bounds === null ? 0 : bounds.length;
  for (let i = 0; i < n; i++) {
    writeBucket(
      w,
      buckets === null ? 0 : toUint64(buckets[i]!),
      bounds![i]!,
      exemplars === null ? undefined : exemplars[i],
    );
  }
  const infExemplar = exemplars === null ? undefined : exemplars[n];
  if (infExemplar !== undefined) writeBucket(w, count, Infinity, infExemplar);
  if (s.native) writeNativeFields(w, s.native);
}

function writeBucket(w: ProtoWriter, cumulative: number, upperBound: number, exemplar: Exemplar | undefined): void {
  w.byte(REPEATED_3);
  w.varint(sizes.next());
  w.byte(SAMPLE_COUNT);
  w.varint(cumulative);
  w.byte(SAMPLE_SUM);
  writeDouble(w, upperBound, GO_NAN);
  if (exemplar !== undefined) {
    w.byte(REPEATED_3);
    writeExemplar(w, exemplar);
  }
}

function writeExemplar(w: ProtoWriter, e: Exemplar): void {
  w.varint(sizes.next());
  w.raw(labelFields[labelsRead++]!);
  w.byte(EXEMPLAR_VALUE);
  writeDouble(w, e.value, GO_NAN);
  const ms = e.timestampMs;
  if (ms === undefined) return;
  w.byte(EXEMPLAR_TIMESTAMP);
  w.varint(timestampSize(ms));
  const seconds = Math.floor(ms / 1000);
  const nanos = timestampNanos(ms, seconds);
  if (seconds !== 0) {
    w.byte(TS_SECONDS);
    w.varint(seconds);
  }
  if (nanos !== 0) {
    w.byte(TS_NANOS);
    w.varint(nanos);
  }
}

/** Writes a double as Go would: a NaN with the bits of `nanKind` (absent: math.NaN()), not the number's. */
function writeDouble(w: ProtoWriter, v: number, nanKind: NanKind | undefined): void {
  if (v === v) {
    w.double(v);
    return;
  }
  const kind = nanKind ?? GO_NAN;
  w.fixed64(NAN_LOW_WORD[kind]!, NAN_HIGH_WORD[kind]!);
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by both passes.
// ---------------------------------------------------------------------------------------------

/**
 * A count as the uint64 Go would hold: truncated, NaN and negatives as 0, and values from 2^64
 * up saturated to 2^64 - 1, given as -1 (whose 10-byte int64 varint is exactly 2^64 - 1).
 */
function toUint64(n: number): number {
  if (n >= 0 && n < 0x80000000) return n | 0;
  if (!(n > 0)) return 0;
  return n < TWO_64 ? Math.floor(n) : -1;
}

function quantileCount(family: FamilySnapshot, s: SeriesSnapshot): number {
  const ranks = s.ownRanks ?? family.quantileRanks;
  const values = s.quantiles;
  if (ranks === null || values === null) return 0;
  return ranks.length < values.length ? ranks.length : values.length;
}

/** Nanoseconds within the second of an epoch-ms timestamp, as google.protobuf.Timestamp keeps them. */
function timestampNanos(ms: number, seconds: number): number {
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos > 999999999 ? 999999999 : nanos;
}

/** Size of the google.protobuf.Timestamp message for an epoch-ms time (zero fields omitted). */
function timestampSize(ms: number): number {
  const seconds = Math.floor(ms / 1000);
  const nanos = timestampNanos(ms, seconds);
  return (seconds !== 0 ? 1 + varintSize(seconds) : 0) + (nanos !== 0 ? 1 + varintSize(nanos) : 0);
}

/** Size of a label set's encoded `label` fields, which the write pass then takes from `labelFields`. */
function sizeLabels(labels: LabelSet): number {
  const bytes = labelBytes(labels);
  labelFields[labelsFound++] = bytes;
  return bytes.length;
}

/**
 * The encoded repeated `label` field (number 1 in both Metric and Exemplar) of a label set, built on its
 * first protobuf scrape and kept in the writers' cache of the (immutable) label set.
 */
export function labelBytes(labels: LabelSet): Uint8Array {
  const cached = readSlot(labels, PROTOBUF_LABELS);
  if (cached !== undefined) return cached;
  const names = labels.names;
  const values = labels.values;
  let size = 0;
  for (let i = 0; i < names.length; i++) {
    const pair = pairSize(utf8Length(names[i]!), utf8Length(values[i]!));
    size += 1 + varintSize(pair) + pair;
  }
  const w = new ProtoWriter(size, undefined, slabBytes);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = values[i]!;
    const nameLength = utf8Length(name);
    const valueLength = utf8Length(value);
    w.byte(LABEL);
    w.varint(pairSize(nameLength, valueLength));
    w.byte(PAIR_NAME);
    w.string(name, nameLength);
    w.byte(PAIR_VALUE);
    w.string(value, valueLength);
  }
  const bytes = w.finish();
  writeSlot(labels, PROTOBUF_LABELS, bytes);
  return bytes;
}

function pairSize(nameLength: number, valueLength: number): number {
  return 1 + varintSize(nameLength) + nameLength + 1 + varintSize(valueLength) + valueLength;
}
