/**
 * The one place the runtime collectors learn about garbage collections.
 *
 * Two process-wide resources live here, both started by their first user and torn down completely when
 * their last user lets go (prom-client starts a GC observer per call and never disconnects it):
 *  - a PerformanceObserver on 'gc' entries, fanned out to every subscriber (pause durations and kinds);
 *  - a v8.GCProfiler, the only Node 20 source of heap sizes before and after each collection, from which
 *    the bytes freed by every GC (and so the bytes allocated, which V8 does not count) are derived.
 */
import { PerformanceObserver, type PerformanceObserverEntryList } from 'node:perf_hooks';
import v8 from 'node:v8';

/** Receives one GC entry: its V8 kind (perf_hooks constants), start and duration on the performance timeline, in ms. */
export type GcListener = (kind: number, startTime: number, duration: number) => void;

/** Counters that show whether anything is still attached; for leak tests and diagnostics. */
export interface GcObserverStats {
  /** Subscribers currently attached to the shared observer. */
  readonly listeners: number;
  /** True while the shared PerformanceObserver is connected. */
  readonly observing: boolean;
  /** Observers created and disconnected over the life of the process (equal when none is live). */
  readonly observersCreated: number;
  readonly observersDisconnected: number;
  /** Users of the heap accounting and whether its GCProfiler is running. */
  readonly accountingUsers: number;
  readonly profiling: boolean;
}

// Copy-on-write: delivery iterates a snapshot, so (un)subscribing from a listener is safe.
let listeners: readonly GcListener[] = [];
let observer: PerformanceObserver | undefined;
let observersCreated = 0;
let observersDisconnected = 0;

function deliver(list: PerformanceObserverEntryList): void {
  const entries = list.getEntries();
  const current = listeners;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const kind = (entry as { detail?: { kind?: number } | null }).detail?.kind ?? 0;
    for (let j = 0; j < current.length; j++) current[j]!(kind, entry.startTime, entry.duration);
  }
}

/**
 * Attaches `listener` to the shared GC observer, connecting it if this is the first subscriber.
 * Returns the function that detaches it (idempotent); the observer disconnects with its last subscriber.
 * Entries arrive asynchronously, shortly after each collection, never inside it.
 */
export function subscribeGc(listener: GcListener): () => void {
  listeners = [...listeners, listener];
  if (observer === undefined) {
    observer = new PerformanceObserver(deliver);
    observer.observe({ entryTypes: ['gc'] });
    observersCreated++;
  }
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners = [...listeners.slice(0, at), ...listeners.slice(at + 1)];
    if (listeners.length === 0 && observer !== undefined) {
      observer.disconnect();
      observer = undefined;
      observersDisconnected++;
    }
  };
}

// ---- heap accounting -------------------------------------------------------------------------------

/**
 * Drain the profiler from the GC listener after this many collections, so a process scraped rarely (or never)
 * keeps a bounded profile (each GC adds about 3 KB of JSON and about 20 µs to parse it).
 */
const DRAIN_EVERY = 128;

const hasProfiler = typeof (v8 as { GCProfiler?: unknown }).GCProfiler === 'function';
let profiler: v8.GCProfiler | undefined;
let accountingUsers = 0;
let unsubscribeDrain: (() => void) | undefined;
let undrained = 0;
/** Sum over every profiled GC of used heap before minus used heap after: the bytes it freed. */
let freedBytes = 0;
/** The highest allocation total reported so far: the counter never goes back. */
let allocatedHigh = 0;

function drain(): void {
  if (profiler === undefined) return;
  undrained = 0;
  const result = profiler.stop();
  profiler.start();
  const stats = result?.statistics;
  if (stats === undefined) return;
  for (let i = 0; i < stats.length; i++) {
    const s = stats[i]!;
    freedBytes += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  }
}

function countForDrain(): void {
  if (++undrained >= DRAIN_EVERY) drain();
}

/**
 * Starts heap accounting (shared, reference-counted) and returns its release function (idempotent).
 * The GCProfiler runs only while at least one user holds it.
 */
export function acquireHeapAccounting(): () => void {
  if (accountingUsers++ === 0 && hasProfiler) {
    profiler = new v8.GCProfiler();
    profiler.start();
    undrained = 0;
    unsubscribeDrain = subscribeGc(countForDrain);
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--accountingUsers > 0) return;
    // Keep what the last stretch freed, so a later user continues the same total.
    drain();
    profiler?.stop();
    profiler = undefined;
    unsubscribeDrain?.();
    unsubscribeDrain = undefined;
  };
}

/**
 * Bytes allocated on the V8 heap over the life of the process, as far as can be known: what is in use now
 * plus what every observed GC freed. Bytes allocated and freed before accounting first started, or by a GC
 * that fell between two profiler windows, are missing, so this is a lower bound; it never decreases.
 * `usedHeapNow` is the caller's fresh `used_heap_size`.
 */
export function allocatedBytesTotal(usedHeapNow: number): number {
  drain();
  const total = usedHeapNow + freedBytes;
  if (total > allocatedHigh) allocatedHigh = total;
  return allocatedHigh;
}

/** Whether the bytes-freed accounting has a real source in this Node (v8.GCProfiler, Node >= 18.15). */
export const HEAP_ACCOUNTING_AVAILABLE = hasProfiler;

/** What is attached right now. */
export function gcObserverStats(): GcObserverStats {
  return {
    listeners: listeners.length,
    observing: observer !== undefined,
    observersCreated,
    observersDisconnected,
    accountingUsers,
    profiling: profiler !== undefined,
  };
}
