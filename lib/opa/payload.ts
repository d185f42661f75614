/**
 * Plugin states and the Status API payload, in the shapes OPA uses: the states a plugin reports
 * (NOT_READY, OK, ERROR, WARN), the plugin manager that holds them and tells listeners when one
 * changes, and the JSON body OPA pushes to `{service}/status` (labels, plugins, and
 * `metrics.prometheus` written as client_model's MetricFamily messages through jsonpb: camelCase
 * keys, enum names for types, 64-bit integers as strings).
 */

import { ZEROTEL_VERSION } from '../version.js';
import { randomUUID } from 'node:crypto';
import type { Exemplar, FamilySnapshot, LabelSet, MetricType, SeriesSnapshot } from '../metrics/snapshot.js';

/** A plugin's state, named as OPA names them. */
export type PluginState = 'NOT_READY' | 'OK' | 'ERROR' | 'WARN';

export const PluginState = Object.freeze({
  NOT_READY: 'NOT_READY',
  OK: 'OK',
  ERROR: 'ERROR',
  WARN: 'WARN',
} as const satisfies Record<PluginState, PluginState>);

const STATES: ReadonlySet<string> = new Set(Object.values(PluginState));

/** What a plugin reports: a state and, optionally, why. */
export interface PluginStatus {
  readonly state: PluginState;
  readonly message?: string;
}

/** Every plugin's status, by plugin name. */
export type PluginStatuses = Readonly<Record<string, PluginStatus>>;

export type PluginStatusListener = (statuses: PluginStatuses) => void;

/** The version zerotel reports as `labels.version`. */
export { ZEROTEL_VERSION };

export interface PluginManagerOptions {
  /** Extra labels (OPA's top-level `labels`); `id` and `version` are always set by the manager. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The instance id (default: a random UUID, as OPA makes one per process). */
  readonly id?: string;
  /** The version label (default: zerotel's version). */
  readonly version?: string;
}

/**
 * Holds the plugins' statuses and the instance labels. Listeners hear about every change of a
 * plugin's state or message, with a copy of all statuses (as OPA's manager hands them out); setting
 * the same status again is not a change.
 */
export class PluginManager {
  readonly labels: Readonly<Record<string, string>>;
  private readonly statuses = new Map<string, PluginStatus>();
  private readonly listeners = new Map<string, PluginStatusListener>();
  private okOnce = false;

  constructor(options: PluginManagerOptions = {}) {
    this.labels = Object.freeze({
      ...options.labels,
      id: options.id ?? randomUUID(),
      version: options.version ?? ZEROTEL_VERSION,
    });
  }

  /** Sets a plugin's status; listeners are told when it differs from the previous one. */
  update(name: string, status: PluginStatus): void {
    if (typeof name !== 'string' || name === '') throw new TypeError('a plugin name must be a non-empty string');
    if (status === null || typeof status !== 'object' || !STATES.has(status.state)) {
      throw new TypeError(`plugin ${name}: state must be one of ${[...STATES].join(', ')}`);
    }
    const next: PluginStatus =
      status.message === undefined || status.message === ''
        ? { state: status.state }
        : { state: status.state, message: String(status.message) };
    const previous = this.statuses.get(name);
    if (previous !== undefined && previous.state === next.state && previous.message === next.message) return;
    this.statuses.set(name, Object.freeze(next));
    this.latchReady();
    const snapshot = this.all();
    for (const listener of [...this.listeners.values()]) {
      try {
        listener(snapshot);
      } catch {
        // A listener's failure is its own; the others still hear about the change.
      }
    }
  }

  /** Removes a plugin (it no longer counts for health); listeners are told. */
  remove(name: string): void {
    if (!this.statuses.delete(name)) return;
    this.latchReady();
    const snapshot = this.all();
    for (const listener of [...this.listeners.values()]) {
      try {
        listener(snapshot);
      } catch {
        // see update()
      }
    }
  }

  /** The status of one plugin, if it is known. */
  get(name: string): PluginStatus | undefined {
    return this.statuses.get(name);
  }

  /** A copy of every status, by name (sorted by name, so JSON output is stable). */
  all(): PluginStatuses {
    const out: Record<string, PluginStatus> = {};
    for (const name of [...this.statuses.keys()].sort()) out[name] = this.statuses.get(name)!;
    return out;
  }

  /** Registers the one listener kept under `key` (a second one under the same key replaces it). */
  listen(key: string, listener: PluginStatusListener): void {
    this.listeners.set(key, listener);
  }

  unlisten(key: string): void {
    this.listeners.delete(key);
  }

  /**
   * True once every plugin has been OK at the same time at least once (OPA's `plugins_ready`):
   * it never goes back to false, so a later hiccup does not make a ready server unready.
   */
  get pluginsReady(): boolean {
    this.latchReady();
    return this.okOnce;
  }

  private latchReady(): void {
    if (this.okOnce) return;
    for (const status of this.statuses.values()) if (status.state !== 'OK') return;
    this.okOnce = true;
  }
}

// ---------------------------------------------------------------------------------------------
// metrics.prometheus: MetricFamily as jsonpb writes it.

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
  };
  readonly timestampMs?: string;
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
        s.exemplar === null ? { value: jsonDouble(s.value) } : { value: jsonDouble(s.value), exemplar: exemplarJson(s.exemplar) };
      break;
    case 'summary': {
      const ranks = family.quantileRanks ?? [];
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
      const bounds = family.upperBounds ?? [];
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
        bucket.push({ cumulativeCount: jsonUint64(s.count), upperBound: 'Infinity', exemplar: exemplarJson(infExemplar) });
      }
      out['histogram'] = {
        sampleCount: jsonUint64(s.count),
        sampleSum: jsonDouble(s.sum),
        ...(bucket.length === 0 ? {} : { bucket }),
      };
      break;
    }
  }
  if (s.timestampMs !== undefined) out['timestampMs'] = String(Math.trunc(s.timestampMs));
  return out as JsonMetric;
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
  for (const family of families) if (family.series.length > 0) out[family.name] = familyToJson(family);
  return out;
}

/** The body of a status push (OPA's UpdateRequestV1, the parts zerotel has). */
export interface StatusUpdate {
  readonly labels: Readonly<Record<string, string>>;
  readonly plugins?: PluginStatuses;
  readonly metrics?: { readonly prometheus: Record<string, JsonMetricFamily> };
}

/** Assembles a status update; `families` omitted leaves `metrics` out, as OPA does without a provider. */
export function buildStatusUpdate(parts: {
  readonly labels: Readonly<Record<string, string>>;
  readonly plugins?: PluginStatuses;
  readonly families?: readonly FamilySnapshot[];
}): StatusUpdate {
  return {
    labels: { ...parts.labels },
    ...(parts.plugins === undefined ? {} : { plugins: parts.plugins }),
    ...(parts.families === undefined ? {} : { metrics: { prometheus: familiesToJson(parts.families) } }),
  };
}
