/**
 * nodejs_* metrics with prom-client's default names, types, help texts and labels, so dashboards built on
 * prom-client's collectDefaultMetrics() keep working after switching: event-loop lag family, heap size and
 * heap spaces, active resources/handles/requests, version info and the GC duration histogram by kind.
 *
 * Differences from prom-client, all about lifecycle and honesty rather than names:
 *  - everything is sampled at collect time; the GC histogram is fed by the shared GC observer, which
 *    `stop()` releases together with the event-loop delay monitor and any pending lag probe;
 *  - a lag figure with nothing measured yet (no probe finished, no delay sample since the last scrape) is
 *    left out instead of written as 0 or as the monitor's empty-state sentinel.
 */
import { monitorEventLoopDelay, constants as perfConstants, type IntervalHistogram } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { Collector } from '../metrics/collector.js';
import { compareUtf8 } from '../metrics/compare.js';
import { Descriptor } from '../metrics/descriptor.js';
import { MetricsError } from '../metrics/errors.js';
import { series, type FamilySnapshot, type LabelSet, type SeriesSnapshot } from '../metrics/snapshot.js';
import { subscribeGc } from './gc-observer.js';
import { pushSingle, singleSeriesFamilies, type RuntimeCollectorOptions, type SingleFamily } from './process.js';

/** Options of the nodejs_* collector. */
export interface NodejsCollectorOptions extends RuntimeCollectorOptions {
  /** Sampling resolution of the event-loop delay monitor in ms (prom-client's default: 10). */
  readonly eventLoopResolutionMs?: number;
  /** Upper bounds of nodejs_gc_duration_seconds (prom-client's default: 0.001, 0.01, 0.1, 1, 2, 5). */
  readonly gcDurationBuckets?: readonly number[];
}

export const DEFAULT_GC_DURATION_BUCKETS: readonly number[] = Object.freeze([0.001, 0.01, 0.1, 1, 2, 5]);

const SINGLE_METRICS = [
  ['nodejs_eventloop_lag_seconds', 'gauge', 'Lag of event loop in seconds.'],
  ['nodejs_eventloop_lag_min_seconds', 'gauge', 'The minimum recorded event loop delay.'],
  ['nodejs_eventloop_lag_max_seconds', 'gauge', 'The maximum recorded event loop delay.'],
  ['nodejs_eventloop_lag_mean_seconds', 'gauge', 'The mean of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_stddev_seconds', 'gauge', 'The standard deviation of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p50_seconds', 'gauge', 'The 50th percentile of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p90_seconds', 'gauge', 'The 90th percentile of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p99_seconds', 'gauge', 'The 99th percentile of the recorded event loop delays.'],
  ['nodejs_active_resources_total', 'gauge', 'Total number of active resources.'],
  ['nodejs_active_handles_total', 'gauge', 'Total number of active handles.'],
  ['nodejs_active_requests_total', 'gauge', 'Total number of active requests.'],
  ['nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.'],
  ['nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.'],
  ['nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.'],
] as const;

const TYPED_METRICS = [
  [
    'nodejs_active_resources',
    'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
  ],
  [
    'nodejs_active_handles',
    'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
  ],
  [
    'nodejs_active_requests',
    'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
  ],
] as const;

const SPACE_METRICS = [
  ['nodejs_heap_space_size_total_bytes', 'Process heap space size total from Node.js in bytes.'],
  ['nodejs_heap_space_size_used_bytes', 'Process heap space size used from Node.js in bytes.'],
  ['nodejs_heap_space_size_available_bytes', 'Process heap space size available from Node.js in bytes.'],
] as const;

const VERSION_HELP = 'Node.js version info.';
const GC_HELP = 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.';

/** GC kinds as prom-client names them, in label-value order. */
const GC_KINDS: readonly (readonly [code: number, name: string])[] = [
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [perfConstants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
];

/** At most this many label sets are cached per labelled family; more distinct values are built per scrape. */
const LABEL_CACHE_LIMIT = 256;

let liveDelayMonitors = 0;
let pendingProbes = 0;

/** Event-loop delay monitors enabled and lag probes scheduled right now, for leak tests. */
export function nodejsCollectorStats(): { delayMonitors: number; pendingProbes: number } {
  return { delayMonitors: liveDelayMonitors, pendingProbes };
}

/** A family with one variable label whose label sets are built once per distinct value. */
class LabelledFamily {
  readonly descriptor: Descriptor;
  private readonly cache = new Map<string, LabelSet>();

  constructor(
    readonly name: string,
    readonly help: string,
    label: string,
    constLabels: Readonly<Record<string, string>>,
  ) {
    this.descriptor = checked(new Descriptor(name, help, [label], constLabels));
  }

  labels(value: string): LabelSet {
    let set = this.cache.get(value);
    if (set === undefined) {
      set = this.descriptor.labelSet([value]);
      if (this.cache.size < LABEL_CACHE_LIMIT) this.cache.set(value, set);
    }
    return set;
  }

  /** Pushes a gauge family with one series per key of `counts`, sorted by label value. */
  pushCounts(out: FamilySnapshot[], counts: ReadonlyMap<string, number>): void {
    const keys = [...counts.keys()].filter((k) => k.isWellFormed()).sort(compareUtf8);
    const list: SeriesSnapshot[] = keys.map((k) => series(this.labels(k), { value: counts.get(k)! }));
    out.push(gaugeFamily(this.name, this.help, list));
  }
}

function checked(descriptor: Descriptor): Descriptor {
  if (descriptor.problem !== undefined) throw new MetricsError('construct', `${descriptor}: ${descriptor.problem}`);
  return descriptor;
}

function gaugeFamily(name: string, help: string, list: readonly SeriesSnapshot[]): FamilySnapshot {
  return { name, help, type: 'gauge', unit: '', upperBounds: null, quantileRanks: null, series: list };
}

interface GcKindState {
  readonly name: string;
  readonly labels: LabelSet;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

type ActiveListGetter = () => readonly unknown[];

const internals = process as unknown as { _getActiveHandles?: ActiveListGetter; _getActiveRequests?: ActiveListGetter };

/**
 * The nodejs_* collector. Construction enables an event-loop delay monitor, starts one lag probe and
 * subscribes to the shared GC observer; `stop()` undoes all three (idempotent).
 */
export class NodejsCollector implements Collector {
  /** Every family is built from checked descriptors and its series are sorted by label value. */
  readonly trusted = true;
  private readonly singles: SingleFamily[];
  private readonly typed: LabelledFamily[];
  private readonly spaces: LabelledFamily[];
  private readonly versionDescriptor: Descriptor;
  private readonly versionLabels: LabelSet;
  private readonly gcDescriptor: Descriptor;
  private readonly gcName: string;
  private readonly buckets: readonly number[];
  private readonly gcKinds: GcKindState[];
  private readonly gcByCode = new Map<number, GcKindState>();

  private monitor: IntervalHistogram | undefined;
  private probe: NodeJS.Immediate | undefined;
  private lastLagSeconds: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(options: NodejsCollectorOptions = {}) {
    const prefix = options.prefix ?? '';
    const constLabels = options.constLabels ?? {};
    if (Object.hasOwn(constLabels, 'le')) {
      throw new MetricsError(
        'construct',
        '"le" is reserved in histograms and cannot be a const label of the nodejs_* set',
      );
    }
    const buckets = options.gcDurationBuckets ?? DEFAULT_GC_DURATION_BUCKETS;
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]) || (i > 0 && !(buckets[i]! > buckets[i - 1]!))) {
        throw new MetricsError('construct', 'gcDurationBuckets must be finite and strictly increasing');
      }
    }
    this.buckets = Object.freeze([...buckets]);
    this.singles = singleSeriesFamilies(SINGLE_METRICS, options);
    this.typed = TYPED_METRICS.map(([name, help]) => new LabelledFamily(prefix + name, help, 'type', constLabels));
    this.spaces = SPACE_METRICS.map(([name, help]) => new LabelledFamily(prefix + name, help, 'space', constLabels));
    this.versionDescriptor = checked(
      new Descriptor(prefix + 'nodejs_version_info', VERSION_HELP, ['version', 'major', 'minor', 'patch'], constLabels),
    );
    const [major = '', minor = '', patch = ''] = process.version.slice(1).split('.');
    this.versionLabels = this.versionDescriptor.labelSet([process.version, major, minor, patch]);
    this.gcName = prefix + 'nodejs_gc_duration_seconds';
    this.gcDescriptor = checked(new Descriptor(this.gcName, GC_HELP, ['kind'], constLabels));
    this.gcKinds = GC_KINDS.map(([code, name]) => {
      const state: GcKindState = {
        name,
        labels: this.gcDescriptor.labelSet([name]),
        counts: new Float64Array(this.buckets.length + 1),
        sum: 0,
        count: 0,
      };
      this.gcByCode.set(code, state);
      return state;
    });

    const monitor = monitorEventLoopDelay({ resolution: options.eventLoopResolutionMs ?? 10 });
    monitor.enable();
    liveDelayMonitors++;
    this.monitor = monitor;
    this.startProbe();
    this.unsubscribe = subscribeGc((kind, _start, duration) => this.onGc(kind, duration));
  }

  private onGc(kind: number, durationMs: number): void {
    const state = this.gcByCode.get(kind);
    if (state === undefined) return;
    const seconds = durationMs / 1000;
    const bounds = this.buckets;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    state.counts[i]!++;
    state.sum += seconds;
    state.count++;
  }

  /**
   * prom-client's lag measure: the time from a collect until a setImmediate scheduled by it runs. The
   * result is reported by the next collect. The immediate is unref'd and cancelled by `stop()`.
   */
  private startProbe(): void {
    if (this.probe !== undefined || this.stopped) return;
    const start = process.hrtime.bigint();
    this.probe = setImmediate(() => {
      this.probe = undefined;
      pendingProbes--;
      this.lastLagSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    });
    this.probe.unref();
    pendingProbes++;
  }

  describe(): readonly Descriptor[] {
    return [
      ...this.singles.map((f) => f.descriptor),
      ...this.typed.map((f) => f.descriptor),
      ...this.spaces.map((f) => f.descriptor),
      this.versionDescriptor,
      this.gcDescriptor,
    ];
  }

  collect(out: FamilySnapshot[]): void {
    const [
      lag,
      lagMin,
      lagMax,
      lagMean,
      lagStddev,
      p50,
      p90,
      p99,
      resourcesTotal,
      handlesTotal,
      requestsTotal,
      heapTotal,
      heapUsed,
      external,
    ] = this.singles as [SingleFamily, ...SingleFamily[]];

    if (this.lastLagSeconds !== undefined) pushSingle(out, lag, this.lastLagSeconds);
    this.startProbe();
    const monitor = this.monitor;
    if (monitor !== undefined && monitor.count > 0) {
      pushSingle(out, lagMin!, monitor.min / 1e9);
      pushSingle(out, lagMax!, monitor.max / 1e9);
      pushSingle(out, lagMean!, monitor.mean / 1e9);
      pushSingle(out, lagStddev!, monitor.stddev / 1e9);
      pushSingle(out, p50!, monitor.percentile(50) / 1e9);
      pushSingle(out, p90!, monitor.percentile(90) / 1e9);
      pushSingle(out, p99!, monitor.percentile(99) / 1e9);
      monitor.reset();
    }

    const resources = process.getActiveResourcesInfo();
    this.typed[0]!.pushCounts(out, countStrings(resources));
    pushSingle(out, resourcesTotal!, resources.length);
    if (typeof internals._getActiveHandles === 'function') {
      const handles = internals._getActiveHandles();
      this.typed[1]!.pushCounts(out, countByClass(handles));
      pushSingle(out, handlesTotal!, handles.length);
    }
    if (typeof internals._getActiveRequests === 'function') {
      const requests = internals._getActiveRequests();
      this.typed[2]!.pushCounts(out, countByClass(requests));
      pushSingle(out, requestsTotal!, requests.length);
    }

    const heap = v8.getHeapStatistics();
    pushSingle(out, heapTotal!, heap.total_heap_size);
    pushSingle(out, heapUsed!, heap.used_heap_size);
    pushSingle(out, external!, heap.external_memory);

    const spaces = v8.getHeapSpaceStatistics();
    const [total, used, available] = this.spaces as [LabelledFamily, LabelledFamily, LabelledFamily];
    const totals = new Map<string, number>();
    const useds = new Map<string, number>();
    const availables = new Map<string, number>();
    for (const space of spaces) {
      // prom-client's label: the space name without its `_space` suffix (`old_space` -> `old`).
      const cut = space.space_name.indexOf('_space');
      const name = cut >= 0 ? space.space_name.slice(0, cut) : space.space_name;
      totals.set(name, space.space_size);
      useds.set(name, space.space_used_size);
      availables.set(name, space.space_available_size);
    }
    total.pushCounts(out, totals);
    used.pushCounts(out, useds);
    available.pushCounts(out, availables);

    out.push(gaugeFamily(this.versionDescriptor.name, VERSION_HELP, [series(this.versionLabels, { value: 1 })]));

    const gcSeries: SeriesSnapshot[] = [];
    for (const state of this.gcKinds) {
      if (state.count === 0) continue;
      const cumulative = new Float64Array(this.buckets.length);
      let running = 0;
      for (let i = 0; i < cumulative.length; i++) cumulative[i] = running += state.counts[i]!;
      gcSeries.push(series(state.labels, { buckets: cumulative, sum: state.sum, count: state.count }));
    }
    out.push({
      name: this.gcName,
      help: GC_HELP,
      type: 'histogram',
      unit: '',
      upperBounds: this.buckets,
      quantileRanks: null,
      series: gcSeries,
    });
  }

  /** Disables the delay monitor, cancels a pending probe and leaves the GC observer; idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.monitor !== undefined) {
      this.monitor.disable();
      this.monitor = undefined;
      liveDelayMonitors--;
    }
    if (this.probe !== undefined) {
      clearImmediate(this.probe);
      this.probe = undefined;
      pendingProbes--;
    }
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}

function countStrings(list: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of list) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

/** prom-client groups handles and requests by their constructor's name. */
function countByClass(list: readonly unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of list) {
    const name = (item as { constructor?: { name?: unknown } } | null | undefined)?.constructor?.name;
    if (typeof name !== 'string') continue;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}
