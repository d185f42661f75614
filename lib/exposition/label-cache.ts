import type { LabelSet } from '../metrics/snapshot.js';

/** Pre-built line prefixes of one series, valid for the family name and bucket/quantile array they were built for. */
export interface PrefixCache {
  readonly family: string;
  readonly ranks: readonly number[] | null;
  /** UTF-8 bytes of each line prefix, up to and including the space before the value. */
  readonly lines: readonly Uint8Array[];
}

/** Line prefixes of the text format (see prefixes.ts). */
export const TEXT_PREFIXES: unique symbol = Symbol('zerotel.textPrefixes');
/** Line prefixes of OpenMetrics. */
export const OPENMETRICS_PREFIXES: unique symbol = Symbol('zerotel.openMetricsPrefixes');
/** The encoded protobuf `label` fields (see protobuf.ts). */
export const PROTOBUF_LABELS: unique symbol = Symbol('zerotel.protobufLabels');
/** The OTLP metrics encoder's entry (attributes and start time; see lib/otlp/metrics-encode.ts), opaque here. */
export const OTLP_SERIES: unique symbol = Symbol('zerotel.otlpSeries');
/** The remote-write encoder's `TimeSeries.labels` fields (see lib/push/remote-write-encode.ts), opaque here. */
export const REMOTE_WRITE_LABELS: unique symbol = Symbol('zerotel.remoteWriteLabels');

/** What the writers build once for a label set and reuse on every scrape. */
export interface WriterSlots {
  [TEXT_PREFIXES]?: PrefixCache | undefined;
  [OPENMETRICS_PREFIXES]?: PrefixCache | undefined;
  [PROTOBUF_LABELS]?: Uint8Array | undefined;
  [OTLP_SERIES]?: object | undefined;
  [REMOTE_WRITE_LABELS]?: object | undefined;
}

export type WriterSlot = keyof WriterSlots;

/*
 * The writers' side table is kept on each LabelSet under symbols only the exposition layer knows, so lib/metrics
 * declares nothing for the writers. Measured against the alternatives:
 * - a WeakMap<LabelSet, …> made W3 (100,000 series) gather + text take 1.7 times the CPU time (lookups, and
 *   the garbage collector's work on a weak table that large);
 * - one slot holding a cache object costs a second pointer chase per series (protobuf encode ~7% slower);
 * - a symbol per writer is one property load. The first writer to touch a label set adds all the slots in a
 *   fixed order, so every label set goes through the same hidden-class change whatever format is scraped first,
 *   and the loads stay monomorphic.
 * The slots are not enumerable: a LabelSet still compares, spreads and serializes as the metrics engine made it.
 */

/** Label sets that cannot take the slots (frozen by their owner) keep their entries here instead. */
const frozenSlots = new WeakMap<LabelSet, WriterSlots>();

/** What a writer stored for a label set under `slot`, if anything. */
export function readSlot<K extends WriterSlot>(labels: LabelSet, slot: K): WriterSlots[K] {
  const value = (labels as WriterSlots)[slot];
  return value !== undefined ? value : frozenSlots.get(labels)?.[slot];
}

/** Stores a writer's entry for a label set. */
export function writeSlot<K extends WriterSlot>(labels: LabelSet, slot: K, value: WriterSlots[K]): void {
  if (!Object.hasOwn(labels, PROTOBUF_LABELS)) {
    if (!Object.isExtensible(labels)) {
      const slots = frozenSlots.get(labels) ?? {};
      slots[slot] = value;
      frozenSlots.set(labels, slots);
      return;
    }
    for (const key of [TEXT_PREFIXES, OPENMETRICS_PREFIXES, PROTOBUF_LABELS, OTLP_SERIES, REMOTE_WRITE_LABELS]) {
      Object.defineProperty(labels, key, { value: undefined, writable: true, enumerable: false, configurable: false });
    }
  }
  (labels as WriterSlots)[slot] = value;
}
