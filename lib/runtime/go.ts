/**
 * The go_* metric set the spec promises (OPA's /metrics surface), fed from the Node runtime.
 *
 * Every metric of the spec's table is written with its exact name, type and help text. Each value comes
 * from the closest true fact Node offers; where Node has nothing comparable (profiling bucket hash,
 * pointer lookups, mcache/mspan, object counts, ...) the value is 0, stated in the README, never invented.
 * Sources per metric (exact / analog / none) are listed in GO_SOURCES below and in the README.
 *
 * Everything is sampled when the registry collects; the only thing running between scrapes is the shared
 * GC observer (gc-observer.ts), which records pause durations as collections happen.
 */
import { performance, constants as perfConstants } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { Collector } from '../metrics/collector.js';
import { Descriptor } from '../metrics/descriptor.js';
import { MetricsError } from '../metrics/errors.js';
import { series, type FamilySnapshot, type MetricType } from '../metrics/snapshot.js';
import { acquireHeapAccounting, allocatedBytesTotal, subscribeGc } from './gc-observer.js';
import { pushSingle as single, readProcStat, type RuntimeCollectorOptions, type SingleFamily } from './process.js';

/** Name, type and help of every go_* metric, exactly as the spec's table lists them. */
export const GO_METRICS: readonly (readonly [name: string, type: MetricType, help: string])[] = [
  ['go_gc_duration_seconds', 'summary', 'A summary of the GC invocation durations.'],
  ['go_goroutines', 'gauge', 'Number of goroutines that currently exist.'],
  ['go_info', 'gauge', 'Information about the Go environment.'],
  ['go_memstats_alloc_bytes', 'gauge', 'Number of bytes allocated and still in use.'],
  ['go_memstats_alloc_bytes_total', 'counter', 'Total number of bytes allocated, even if freed.'],
  ['go_memstats_buck_hash_sys_bytes', 'gauge', 'Number of bytes used by the profiling bucket hash table.'],
  ['go_memstats_frees_total', 'counter', 'Total number of frees.'],
  [
    'go_memstats_gc_cpu_fraction',
    'gauge',
    "The fraction of this program's available CPU time used by the GC since the program started.",
  ],
  ['go_memstats_gc_sys_bytes', 'gauge', 'Number of bytes used for garbage collection system metadata.'],
  ['go_memstats_heap_alloc_bytes', 'gauge', 'Number of heap bytes allocated and still in use.'],
  ['go_memstats_heap_idle_bytes', 'gauge', 'Number of heap bytes waiting to be used.'],
  ['go_memstats_heap_inuse_bytes', 'gauge', 'Number of heap bytes that are in use.'],
  ['go_memstats_heap_objects', 'gauge', 'Number of allocated objects.'],
  ['go_memstats_heap_released_bytes', 'gauge', 'Number of heap bytes released to OS.'],
  ['go_memstats_heap_sys_bytes', 'gauge', 'Number of heap bytes obtained from system.'],
  ['go_memstats_last_gc_time_seconds', 'gauge', 'Number of seconds since 1970 of last garbage collection.'],
  ['go_memstats_lookups_total', 'counter', 'Total number of pointer lookups.'],
  ['go_memstats_mallocs_total', 'counter', 'Total number of mallocs.'],
  ['go_memstats_mcache_inuse_bytes', 'gauge', 'Number of bytes in use by mcache structures.'],
  ['go_memstats_mcache_sys_bytes', 'gauge', 'Number of bytes used for mcache structures obtained from system.'],
  ['go_memstats_mspan_inuse_bytes', 'gauge', 'Number of bytes in use by mspan structures.'],
  ['go_memstats_mspan_sys_bytes', 'gauge', 'Number of bytes used for mspan structures obtained from system.'],
  ['go_memstats_next_gc_bytes', 'gauge', 'Number of heap bytes when next garbage collection will take place.'],
  ['go_memstats_other_sys_bytes', 'gauge', 'Number of bytes used for other system allocations.'],
  ['go_memstats_stack_inuse_bytes', 'gauge', 'Number of bytes in use by the stack allocator.'],
  ['go_memstats_stack_sys_bytes', 'gauge', 'Number of bytes obtained from system for stack allocator.'],
  ['go_memstats_sys_bytes', 'gauge', 'Number of bytes obtained from system.'],
  ['go_threads', 'gauge', 'Number of OS threads created.'],
];

/** How faithful a go_* value is in Node: the same fact, a comparable one, or none (exported as 0). */
export type Fidelity = 'exact' | 'analog' | 'none';

/** The Node source of every go_* metric, and how close it is; the README table is written from this. */
export const GO_SOURCES: Readonly<Record<string, readonly [source: string, fidelity: Fidelity]>> = {
  go_gc_duration_seconds: ["perf_hooks 'gc' entries: every V8 GC pause (last 256 for quantiles)", 'analog'],
  go_goroutines: ['process.getActiveResourcesInfo().length', 'analog'],
  go_info: ['process.version in the version label, value 1', 'analog'],
  go_memstats_alloc_bytes: ['v8.getHeapStatistics().used_heap_size', 'analog'],
  go_memstats_alloc_bytes_total: ['used_heap_size + bytes freed by every GC (v8.GCProfiler), running max', 'analog'],
  go_memstats_buck_hash_sys_bytes: ['none', 'none'],
  go_memstats_frees_total: ['none (V8 does not count objects freed)', 'none'],
  go_memstats_gc_cpu_fraction: ["GC pause time / wall time since observation began ('gc' entries)", 'analog'],
  go_memstats_gc_sys_bytes: ['none', 'none'],
  go_memstats_heap_alloc_bytes: ['v8.getHeapStatistics().used_heap_size', 'analog'],
  go_memstats_heap_idle_bytes: ['total_heap_size - used_heap_size', 'analog'],
  go_memstats_heap_inuse_bytes: ['used_heap_size', 'analog'],
  go_memstats_heap_objects: ['none (no object count without a heap snapshot)', 'none'],
  go_memstats_heap_released_bytes: ['none (V8 uncommits released pages, they leave total_heap_size)', 'none'],
  go_memstats_heap_sys_bytes: ['v8.getHeapStatistics().total_heap_size', 'analog'],
  go_memstats_last_gc_time_seconds: ["end of the last minor or major 'gc' entry, seconds since epoch", 'analog'],
  go_memstats_lookups_total: ['none (Go itself reports 0)', 'none'],
  go_memstats_mallocs_total: ['none (V8 does not count allocations)', 'none'],
  go_memstats_mcache_inuse_bytes: ['none', 'none'],
  go_memstats_mcache_sys_bytes: ['none', 'none'],
  go_memstats_mspan_inuse_bytes: ['none', 'none'],
  go_memstats_mspan_sys_bytes: ['none', 'none'],
  go_memstats_next_gc_bytes: ['none (V8 does not expose its allocation limit)', 'none'],
  go_memstats_other_sys_bytes: ['malloced_memory + external_memory', 'analog'],
  go_memstats_stack_inuse_bytes: ['none', 'none'],
  go_memstats_stack_sys_bytes: ['none', 'none'],
  go_memstats_sys_bytes: ['total_heap_size + malloced_memory + external_memory', 'analog'],
  go_threads: ['/proc/self/stat num_threads (0 off Linux)', 'exact'],
};

/** The quantile ranks client_golang asks the Go runtime for. */
const GC_QUANTILES: readonly number[] = Object.freeze([0, 0.25, 0.5, 0.75, 1]);
/** Pauses kept for the quantiles: the size of Go's MemStats.PauseNs ring. */
const PAUSE_RING = 256;

const { NODE_PERFORMANCE_GC_MAJOR, NODE_PERFORMANCE_GC_MINOR } = perfConstants;

/** The version go_info reports: the Node version (`process.version`, e.g. `v20.11.1`) in place of Go's. */
export const GO_INFO_VERSION = process.version;

/**
 * The go_* collector. Construction subscribes to the shared GC observer and heap accounting; `stop()`
 * releases both (idempotent). Collecting after `stop()` still works, with GC figures frozen.
 */
export class GoCollector implements Collector {
  /** Names and labels are checked at construction and series are one per family, so no per-scrape checks. */
  readonly trusted = true;
  private readonly families: SingleFamily[];
  private readonly pauses = new Float64Array(PAUSE_RING);
  private readonly sorted = new Float64Array(PAUSE_RING);
  private readonly quantiles = new Float64Array(GC_QUANTILES.length);
  private sortedFor = -1;
  private pauseCount = 0;
  private pauseSumMs = 0;
  private lastGcEndMs = 0;
  private readonly observedSince = performance.now();
  private unsubscribe: (() => void) | undefined;
  private releaseAccounting: (() => void) | undefined;

  constructor(options: RuntimeCollectorOptions = {}) {
    const prefix = options.prefix ?? '';
    const constLabels = options.constLabels ?? {};
    if (Object.hasOwn(constLabels, 'quantile')) {
      throw new MetricsError(
        'construct',
        '"quantile" is reserved in summaries and cannot be a const label of the go_* set',
      );
    }
    this.families = GO_METRICS.map(([name, type, help]) => {
      const isInfo = name === 'go_info';
      const descriptor = new Descriptor(prefix + name, help, isInfo ? ['version'] : [], constLabels);
      if (descriptor.problem !== undefined) throw new MetricsError('construct', `${descriptor}: ${descriptor.problem}`);
      const labels = descriptor.labelSet(isInfo ? [GO_INFO_VERSION] : []);
      return { name: prefix + name, help, type, descriptor, labels };
    });
    this.unsubscribe = subscribeGc((kind, startTime, duration) => this.onGc(kind, startTime, duration));
    this.releaseAccounting = acquireHeapAccounting();
  }

  private onGc(kind: number, startTime: number, duration: number): void {
    this.pauses[this.pauseCount % PAUSE_RING] = duration / 1000;
    this.pauseCount++;
    this.pauseSumMs += duration;
    if (kind === NODE_PERFORMANCE_GC_MAJOR || kind === NODE_PERFORMANCE_GC_MINOR) {
      this.lastGcEndMs = performance.timeOrigin + startTime + duration;
    }
  }

  describe(): readonly Descriptor[] {
    return this.families.map((f) => f.descriptor);
  }

  collect(out: FamilySnapshot[]): void {
    const f = this.families;
    const heap = v8.getHeapStatistics();
    const used = heap.used_heap_size;
    const heapSys = heap.total_heap_size;
    const otherSys = heap.malloced_memory + heap.external_memory;
    const elapsedMs = performance.now() - this.observedSince;

    out.push({
      name: f[0]!.name,
      help: f[0]!.help,
      type: 'summary',
      unit: '',
      upperBounds: null,
      quantileRanks: GC_QUANTILES,
      series: [
        series(f[0]!.labels, {
          quantiles: this.pauseQuantiles(),
          sum: this.pauseSumMs / 1000,
          count: this.pauseCount,
        }),
      ],
    });
    single(out, f[1]!, process.getActiveResourcesInfo().length);
    single(out, f[2]!, 1);
    single(out, f[3]!, used);
    single(out, f[4]!, allocatedBytesTotal(used));
    single(out, f[5]!, 0);
    single(out, f[6]!, 0);
    single(out, f[7]!, elapsedMs > 0 ? this.pauseSumMs / elapsedMs : 0);
    single(out, f[8]!, 0);
    single(out, f[9]!, used);
    single(out, f[10]!, heapSys - used);
    single(out, f[11]!, used);
    single(out, f[12]!, 0);
    single(out, f[13]!, 0);
    single(out, f[14]!, heapSys);
    single(out, f[15]!, this.lastGcEndMs / 1000);
    single(out, f[16]!, 0);
    single(out, f[17]!, 0);
    single(out, f[18]!, 0);
    single(out, f[19]!, 0);
    single(out, f[20]!, 0);
    single(out, f[21]!, 0);
    single(out, f[22]!, 0);
    single(out, f[23]!, otherSys);
    single(out, f[24]!, 0);
    single(out, f[25]!, 0);
    single(out, f[26]!, heapSys + otherSys);
    single(out, f[27]!, readProcStat()?.numThreads ?? 0);
  }

  /**
   * Quantiles of the recent pauses the way Go's debug.ReadGCStats computes them: sort the ring and take
   * the element at len*i/(n-1), the last one for the maximum; all zero before the first GC.
   */
  private pauseQuantiles(): Float64Array {
    const q = this.quantiles;
    if (this.sortedFor === this.pauseCount) return q.slice();
    const n = Math.min(this.pauseCount, PAUSE_RING);
    if (n === 0) {
      q.fill(0);
    } else {
      const view = this.sorted.subarray(0, n);
      view.set(this.pauses.subarray(0, n));
      view.sort();
      const last = q.length - 1;
      for (let i = 0; i < last; i++) q[i] = view[Math.floor((n * i) / last)]!;
      q[last] = view[n - 1]!;
    }
    this.sortedFor = this.pauseCount;
    return q.slice();
  }

  /** Releases the GC subscription and heap accounting; safe to call more than once. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.releaseAccounting?.();
    this.releaseAccounting = undefined;
  }
}
