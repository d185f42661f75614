/**
 * Prometheus remote write 1.0 request bodies: a registry snapshot as an uncompressed `prometheus.WriteRequest`
 * (schema in proto/prometheus/remote.proto). The series are exactly those the text format shows, named as it
 * names them (`_bucket` with `le`, `_sum`, `_count`; summaries with `quantile`), bounds spelled as it spells
 * them, each with one sample; labels sorted by name, byte-wise, `__name__` among them.
 *
 * Each series' labels are encoded once and cached beside its label set, with the places where `__name__`
 * and `le`/`quantile` slot in, so an encode is arithmetic for the size pass and copies for the write pass.
 */

import { REMOTE_WRITE_LABELS, readSlot, writeSlot } from '../exposition/label-cache.js';
import { formatGoFloat } from '../exposition/numbers.js';
import { compareUtf8 } from '../metrics/compare.js';
import type { FamilySnapshot, LabelSet, SeriesSnapshot } from '../metrics/snapshot.js';
import { ProtoWriter, utf8Length, varintSize } from '../protobuf/writer.js';

const WRITE_REQUEST_TIMESERIES = 0x0a; // WriteRequest.timeseries = 1
const TIMESERIES_LABELS = 0x0a; // TimeSeries.labels = 1
const TIMESERIES_SAMPLES = 0x12; // TimeSeries.samples = 2
const LABEL_NAME = 0x0a; // Label.name = 1
const LABEL_VALUE = 0x12; // Label.value = 2
const SAMPLE_VALUE = 0x09; // Sample.value = 1, double
const SAMPLE_TIMESTAMP = 0x10; // Sample.timestamp = 2, int64 (ms)

/** A series' own labels as `TimeSeries.labels` fields, and the byte offsets where the extra labels go. */
interface EncodedLabels {
  readonly bytes: Uint8Array;
  /** Offset at which `__name__` sorts in. */
  readonly nameAt: number;
  /** Offset at which `le` sorts in (histograms) and `quantile` (summaries). */
  readonly leAt: number;
  readonly quantileAt: number;
}

/** `__name__` label fields per family name and suffix. */
const nameCache = new Map<string, Uint8Array>();
/** `le`/`quantile` label fields per bounds array (one array per family for its life). */
const boundCache = new WeakMap<readonly number[], readonly Uint8Array[]>();
const NAME_CACHE_LIMIT = 100_000;

/** One `labels` field (tag, length, Label{name, value}). */
function labelField(name: string, value: string): Uint8Array {
  const n = utf8Length(name);
  const v = utf8Length(value);
  const body = 1 + varintSize(n) + n + 1 + varintSize(v) + v;
  const w = new ProtoWriter(1 + varintSize(body) + body);
  w.byte(TIMESERIES_LABELS);
  w.varint(body);
  w.byte(LABEL_NAME);
  w.string(name, n);
  w.byte(LABEL_VALUE);
  w.string(value, v);
  return w.finish();
}

function encodedLabels(labels: LabelSet): EncodedLabels {
  let cached = readSlot(labels, REMOTE_WRITE_LABELS) as EncodedLabels | undefined;
  if (cached !== undefined) return cached;
  const fields = labels.names.map((name, i) => labelField(name, labels.values[i]!));
  const total = fields.reduce((sum, f) => sum + f.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  let nameAt = -1;
  let leAt = -1;
  let quantileAt = -1;
  for (let i = 0; i < fields.length; i++) {
    const name = labels.names[i]!;
    if (nameAt < 0 && compareUtf8(name, '__name__') > 0) nameAt = offset;
    if (leAt < 0 && compareUtf8(name, 'le') > 0) leAt = offset;
    if (quantileAt < 0 && compareUtf8(name, 'quantile') > 0) quantileAt = offset;
    bytes.set(fields[i]!, offset);
    offset += fields[i]!.length;
  }
  cached = {
    bytes,
    nameAt: nameAt < 0 ? total : nameAt,
    leAt: leAt < 0 ? total : leAt,
    quantileAt: quantileAt < 0 ? total : quantileAt,
  };
  writeSlot(labels, REMOTE_WRITE_LABELS, cached);
  return cached;
}

function nameField(name: string): Uint8Array {
  let field = nameCache.get(name);
  if (field === undefined) {
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    field = labelField('__name__', name);
    nameCache.set(name, field);
  }
  return field;
}

/** `le` fields for each bound then +Inf, or `quantile` fields for each rank. */
function boundFields(bounds: readonly number[], label: 'le' | 'quantile'): readonly Uint8Array[] {
  let fields = boundCache.get(bounds);
  if (fields === undefined) {
    const list = bounds.map((b) => labelField(label, formatGoFloat(b)));
    // As the text format: a +Inf bucket is made up only when no bound is +Inf.
    if (label === 'le' && !bounds.includes(Infinity)) list.push(labelField('le', '+Inf'));
    fields = list;
    boundCache.set(bounds, fields);
  }
  return fields;
}

function sampleLength(timestampMs: number): number {
  return 1 + 8 + 1 + varintSize(timestampMs);
}

function timeSeriesLength(labels: number, timestampMs: number): number {
  const sample = sampleLength(timestampMs);
  const body = labels + 1 + varintSize(sample) + sample;
  return 1 + varintSize(body) + body;
}

/** The names of a family's series in text-format order, with their extra label (bucket/quantile) if any. */
function familyNames(family: FamilySnapshot): {
  base: Uint8Array;
  bucket: Uint8Array;
  sum: Uint8Array;
  count: Uint8Array;
} {
  const name = family.name;
  const suffixed = family.type === 'histogram' || family.type === 'summary';
  return {
    base: nameField(name),
    bucket: family.type === 'histogram' ? nameField(name + '_bucket') : EMPTY,
    sum: suffixed ? nameField(name + '_sum') : EMPTY,
    count: suffixed ? nameField(name + '_count') : EMPTY,
  };
}

const EMPTY = new Uint8Array(0);

/**
 * Encodes the families as a `prometheus.WriteRequest`, every sample stamped `timestampMs` (ms since the
 * epoch) unless its series carries a timestamp of its own. Families without series contribute nothing.
 */
export function encodeWriteRequest(families: readonly FamilySnapshot[], timestampMs: number): Uint8Array {
  const now = Math.trunc(timestampMs);
  let total = 0;
  // Each family's name fields, looked up once for both passes.
  const namesOf: ReturnType<typeof familyNames>[] = [];
  for (let f = 0; f < families.length; f++) {
    const family = families[f]!;
    if (family.series.length === 0) continue;
    const names = familyNames(family);
    namesOf[f] = names;
    const all = family.series;
    for (let s = 0; s < all.length; s++) {
      const series = all[s]!;
      const ts = series.timestampMs === undefined ? now : Math.trunc(series.timestampMs);
      const own = encodedLabels(series.labels).bytes.length;
      if (family.type === 'histogram') {
        const les = boundFields(series.ownRanks ?? family.upperBounds ?? [], 'le');
        for (let i = 0; i < les.length; i++) total += timeSeriesLength(own + names.bucket.length + les[i]!.length, ts);
        total += timeSeriesLength(own + names.sum.length, ts) + timeSeriesLength(own + names.count.length, ts);
      } else if (family.type === 'summary') {
        const qs = boundFields(series.ownRanks ?? family.quantileRanks ?? [], 'quantile');
        const n = series.quantiles === null ? 0 : Math.min(series.quantiles.length, qs.length);
        for (let i = 0; i < n; i++) total += timeSeriesLength(own + names.base.length + qs[i]!.length, ts);
        total += timeSeriesLength(own + names.sum.length, ts) + timeSeriesLength(own + names.count.length, ts);
      } else {
        total += timeSeriesLength(own + names.base.length, ts);
      }
    }
  }
  const w = new ProtoWriter(total);
  for (let f = 0; f < families.length; f++) {
    const family = families[f]!;
    if (family.series.length === 0) continue;
    const names = namesOf[f]!;
    const all = family.series;
    for (let s = 0; s < all.length; s++) writeSeries(w, family, names, all[s]!, now);
  }
  return w.finish();
}

function writeSeries(
  w: ProtoWriter,
  family: FamilySnapshot,
  names: ReturnType<typeof familyNames>,
  series: SeriesSnapshot,
  now: number,
): void {
  const ts = series.timestampMs === undefined ? now : Math.trunc(series.timestampMs);
  const labels = encodedLabels(series.labels);
  if (family.type === 'histogram') {
    const les = boundFields(series.ownRanks ?? family.upperBounds ?? [], 'le');
    const buckets = series.buckets;
    for (let i = 0; i < les.length; i++) {
      // The bounds' own buckets, then the made-up +Inf bucket (the count), as the text format writes them.
      const cumulative = buckets !== null && i < buckets.length ? buckets[i]! : series.count;
      writeTimeSeries(w, labels, names.bucket, les[i]!, labels.leAt, cumulative, ts);
    }
    writeTimeSeries(w, labels, names.sum, EMPTY, -1, series.sum, ts);
    writeTimeSeries(w, labels, names.count, EMPTY, -1, series.count, ts);
  } else if (family.type === 'summary') {
    const qs = boundFields(series.ownRanks ?? family.quantileRanks ?? [], 'quantile');
    const values = series.quantiles;
    const n = values === null ? 0 : Math.min(values.length, qs.length);
    for (let i = 0; i < n; i++) writeTimeSeries(w, labels, names.base, qs[i]!, labels.quantileAt, values![i]!, ts);
    writeTimeSeries(w, labels, names.sum, EMPTY, -1, series.sum, ts);
    writeTimeSeries(w, labels, names.count, EMPTY, -1, series.count, ts);
  } else {
    writeTimeSeries(w, labels, names.base, EMPTY, -1, series.value, ts);
  }
}

/** One TimeSeries: own labels with `__name__` and (if given) the extra label spliced in at their places. */
function writeTimeSeries(
  w: ProtoWriter,
  labels: EncodedLabels,
  name: Uint8Array,
  extra: Uint8Array,
  extraAt: number,
  value: number,
  ts: number,
): void {
  const own = labels.bytes;
  const sample = sampleLength(ts);
  const body = own.length + name.length + extra.length + 1 + varintSize(sample) + sample;
  w.byte(WRITE_REQUEST_TIMESERIES);
  w.varint(body);
  // "le" and "quantile" sort after "__name__", so the extra label never comes before the name.
  const nameAt = labels.nameAt;
  const at = extra.length === 0 ? own.length : extraAt;
  copy(w, own, 0, nameAt);
  w.raw(name);
  copy(w, own, nameAt, at);
  w.raw(extra);
  copy(w, own, at, own.length);
  w.byte(TIMESERIES_SAMPLES);
  w.varint(sample);
  w.byte(SAMPLE_VALUE);
  w.double(value);
  w.byte(SAMPLE_TIMESTAMP);
  w.varint(ts);
}

function copy(w: ProtoWriter, src: Uint8Array, from: number, to: number): void {
  if (to > from) w.raw(from === 0 && to === src.length ? src : src.subarray(from, to));
}
