/**
 * process_* metrics as prom-client's collectDefaultMetrics names and computes them, for its compat entry:
 * CPU split into user and system, resident/virtual/heap memory from /proc/self/status (VmRSS, VmSize,
 * VmData), open fds not counting the one used to list them, start time rounded to a second.
 * client_golang's set (ProcessCollector) differs in names and sources, so the two live side by side.
 */
import type { Collector } from '../metrics/collector.js';
import type { Descriptor } from '../metrics/descriptor.js';
import type { FamilySnapshot } from '../metrics/snapshot.js';
import {
  parseLimit,
  pushSingle,
  readProcFile,
  singleSeriesFamilies,
  type RuntimeCollectorOptions,
  type SingleFamily,
  countOpenFds,
  IS_LINUX,
} from './process.js';

const METRICS = [
  ['process_cpu_user_seconds_total', 'counter', 'Total user CPU time spent in seconds.'],
  ['process_cpu_system_seconds_total', 'counter', 'Total system CPU time spent in seconds.'],
  ['process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.'],
  ['process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.'],
  ['process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.'],
  ['process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.'],
  ['process_heap_bytes', 'gauge', 'Process heap size in bytes.'],
  ['process_open_fds', 'gauge', 'Number of open file descriptors.'],
  ['process_max_fds', 'gauge', 'Maximum number of open file descriptors.'],
] as const;

/** `VmRSS:  1234 kB` lines of /proc/self/status, in bytes. */
function parseProcStatus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(VmSize|VmRSS|VmData):\s+(\d+) kB$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * 1024);
  }
  return out;
}

/** The process_* collector with prom-client's default-metric names; holds nothing, so `stop()` is a no-op. */
export class PromClientProcessCollector implements Collector {
  readonly trusted = true;
  private readonly families: SingleFamily[];
  private readonly startTime = Math.round(Date.now() / 1000 - process.uptime());

  constructor(options: RuntimeCollectorOptions = {}) {
    // Off Linux the /proc families are described but carry no series, so nothing is written for them.
    this.families = singleSeriesFamilies(METRICS, options);
  }

  describe(): readonly Descriptor[] {
    return this.families.map((f) => f.descriptor);
  }

  collect(out: FamilySnapshot[]): void {
    const [user, system, total, start, resident, virtualMemory, heap, openFds, maxFds] = this.families;
    const usage = process.cpuUsage();
    pushSingle(out, user!, usage.user / 1e6);
    pushSingle(out, system!, usage.system / 1e6);
    pushSingle(out, total!, (usage.user + usage.system) / 1e6);
    pushSingle(out, start!, this.startTime);
    if (!IS_LINUX) {
      pushSingle(out, resident!, process.memoryUsage.rss());
      return;
    }
    const status = parseProcStatus(readProcFile('/proc/self/status') ?? '');
    pushSingle(out, resident!, status.get('VmRSS') ?? process.memoryUsage.rss());
    if (status.has('VmSize')) pushSingle(out, virtualMemory!, status.get('VmSize')!);
    if (status.has('VmData')) pushSingle(out, heap!, status.get('VmData')!);
    // Less the descriptor reading the directory opened, as prom-client counts.
    const fds = countOpenFds();
    if (fds !== undefined) pushSingle(out, openFds!, fds - 1);
    const limits = readProcFile('/proc/self/limits');
    const max = limits === undefined ? undefined : parseLimit(limits, 'Max open files');
    if (max !== undefined) pushSingle(out, maxFds!, max);
  }

  stop(): void {}
}
