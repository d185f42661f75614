/**
 * process_* metrics with client_golang's names and help texts, so dashboards written for any Go (or
 * prom-client) service read them unchanged.
 *
 * Sources on Linux, as client_golang's procfs collector: /proc/self/stat (virtual size, start tick),
 * /proc/self/limits (max fds, max address space), /proc/self/fd (open fds), /proc/stat (boot time).
 * CPU time comes from process.cpuUsage() (getrusage, microsecond resolution) and resident memory from
 * process.memoryUsage.rss(); both work everywhere.
 *
 * Off Linux there is no /proc: cpu, resident memory and start time (performance.timeOrigin) are still
 * exported; open_fds, max_fds and the two virtual memory gauges have no source and are left out (their
 * families carry no series, so nothing is written for them) rather than reported as a made-up number.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Collector } from '../metrics/collector.js';
import { Descriptor } from '../metrics/descriptor.js';
import { MetricsError } from '../metrics/errors.js';
import { series, type FamilySnapshot, type LabelSet, type MetricType } from '../metrics/snapshot.js';

/** Options shared by the runtime collectors. */
export interface RuntimeCollectorOptions {
  /** Prepended to every metric name (e.g. `myapp_`). */
  readonly prefix?: string;
  /** Labels added to every series. */
  readonly constLabels?: Readonly<Record<string, string>>;
}

export const IS_LINUX = process.platform === 'linux';

/** The kernel's USER_HZ, which /proc reports ticks in; procfs (and so client_golang) assumes 100 too. */
const USER_HZ = 100;

/** `unlimited` in /proc/self/limits: RLIM_INFINITY as client_golang reports it (2^64 - 1 as a float64). */
const RLIM_INFINITY = 18446744073709551615;

const scratch = Buffer.allocUnsafe(16384);

/**
 * Reads a small /proc file without the stat and buffer growth of readFileSync; undefined when it cannot
 * be read (not Linux, restricted /proc).
 */
export function readProcFile(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    let length = 0;
    for (;;) {
      const n = readSync(fd, scratch, length, scratch.length - length, length);
      if (n <= 0) break;
      length += n;
      if (length === scratch.length) break;
    }
    return scratch.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The fields of /proc/self/stat the collectors use. */
export interface ProcStat {
  readonly numThreads: number;
  /** Start time in clock ticks after boot. */
  readonly startTicks: number;
  /** Virtual memory size in bytes. */
  readonly vsize: number;
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so fields count from the last `)`. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // fields[0] is field 3 (state) of proc(5); field N is fields[N - 3].
  const fields = text.slice(close + 2).split(' ');
  if (fields.length < 21) return undefined;
  return { numThreads: Number(fields[17]), startTicks: Number(fields[19]), vsize: Number(fields[20]) };
}

/** /proc/self/stat now, or undefined off Linux. */
export function readProcStat(): ProcStat | undefined {
  if (!IS_LINUX) return undefined;
  const text = readProcFile('/proc/self/stat');
  return text === undefined ? undefined : parseProcStat(text);
}

/** The soft limit of one row of /proc/self/limits (e.g. `Max open files`); RLIM_INFINITY for `unlimited`. */
export function parseLimit(text: string, row: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(row)) continue;
    const soft = line.slice(row.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return RLIM_INFINITY;
    const n = Number(soft);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function bootTimeSeconds(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** When this process started, in seconds since the epoch: /proc as client_golang does, else Node's time origin. */
function startTimeSeconds(): number {
  if (IS_LINUX) {
    const stat = readProcStat();
    const boot = bootTimeSeconds();
    if (stat !== undefined && boot !== undefined && Number.isFinite(stat.startTicks)) {
      return boot + stat.startTicks / USER_HZ;
    }
  }
  return performance.timeOrigin / 1000;
}

/** One family with a single series: its descriptor and the label set built once for it. */
export interface SingleFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly descriptor: Descriptor;
  readonly labels: LabelSet;
}

/** Builds descriptor and label set once per family, for collectors with one unlabelled series per family. */
export function singleSeriesFamilies(
  specs: readonly (readonly [name: string, type: MetricType, help: string])[],
  options: RuntimeCollectorOptions,
): SingleFamily[] {
  const prefix = options.prefix ?? '';
  const constLabels = options.constLabels ?? {};
  return specs.map(([name, type, help]) => {
    const descriptor = new Descriptor(prefix + name, help, [], constLabels);
    if (descriptor.problem !== undefined) throw new MetricsError('construct', `${descriptor}: ${descriptor.problem}`);
    return { name: prefix + name, help, type, descriptor, labels: descriptor.labelSet([]) };
  });
}

/** Pushes a family with one series of `value`. */
export function pushSingle(out: FamilySnapshot[], family: SingleFamily, value: number): void {
  out.push({
    name: family.name,
    help: family.help,
    type: family.type,
    unit: '',
    upperBounds: null,
    quantileRanks: null,
    series: [series(family.labels, { value })],
  });
}

const PROCESS_METRICS = [
  ['process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.'],
  ['process_max_fds', 'gauge', 'Maximum number of open file descriptors.'],
  ['process_open_fds', 'gauge', 'Number of open file descriptors.'],
  ['process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.'],
  ['process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.'],
  ['process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.'],
  ['process_virtual_memory_max_bytes', 'gauge', 'Maximum amount of virtual memory available in bytes.'],
] as const;

/** The process_* collector. It holds no observers or timers; `stop()` exists for symmetry and is a no-op. */
export class ProcessCollector implements Collector {
  /** Series are built from pre-validated descriptors, one unlabelled series each. */
  readonly trusted = true;
  private readonly families: SingleFamily[];
  private readonly startTime = startTimeSeconds();
  private cpuHigh = 0;

  constructor(options: RuntimeCollectorOptions = {}) {
    this.families = singleSeriesFamilies(PROCESS_METRICS, options);
  }

  describe(): readonly Descriptor[] {
    return this.families.map((f) => f.descriptor);
  }

  collect(out: FamilySnapshot[]): void {
    const [cpu, maxFds, openFds, resident, start, vsize, vsizeMax] = this.families as [SingleFamily, ...SingleFamily[]];
    const usage = process.cpuUsage();
    // getrusage does not go back, but a counter must never be seen to, whatever the source does.
    const seconds = (usage.user + usage.system) / 1e6;
    if (seconds > this.cpuHigh) this.cpuHigh = seconds;
    pushSingle(out, cpu, this.cpuHigh);
    pushSingle(out, resident!, process.memoryUsage.rss());
    pushSingle(out, start!, this.startTime);
    if (!IS_LINUX) return;

    const limits = readProcFile('/proc/self/limits');
    if (limits !== undefined) {
      const files = parseLimit(limits, 'Max open files');
      if (files !== undefined) pushSingle(out, maxFds!, files);
      const space = parseLimit(limits, 'Max address space');
      if (space !== undefined) pushSingle(out, vsizeMax!, space);
    }
    const fds = countOpenFds();
    if (fds !== undefined) pushSingle(out, openFds!, fds);
    const stat = readProcStat();
    if (stat !== undefined && Number.isFinite(stat.vsize)) pushSingle(out, vsize!, stat.vsize);
  }

  stop(): void {}
}

/** Entries of /proc/self/fd. Like client_golang, the descriptor used to read the directory is counted too. */
export function countOpenFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
