/**
 * Plugin states and the Status API payload, in the shapes OPA uses: the states a plugin reports
 * (NOT_READY, OK, ERROR, WARN), the plugin manager that holds them and tells listeners when one
 * changes, and the JSON body OPA pushes to `{service}/status` (labels, plugins, and
 * `metrics.prometheus`, written by the jsonpb writer of exposition/jsonpb.ts).
 */

import { ZEROTEL_VERSION } from '../version.js';
import { randomUUID } from 'node:crypto';
import type { FamilySnapshot } from '../metrics/snapshot.js';
import { familiesToJson, type JsonMetricFamily } from '../exposition/jsonpb.js';

// zerotel/opa has always exported these; the writer itself is the exposition layer's.
export { familiesToJson, familyToJson, type JsonMetric, type JsonMetricFamily } from '../exposition/jsonpb.js';

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
