/** The process_* set: client_golang's names and help texts, values that agree with /proc. */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ProcessCollector, Registry, writeText } from '../../lib/index.js';
import { parseLimit, parseProcStat } from '../../lib/runtime/process.js';
import { valueOf } from './helpers.js';

const linux = process.platform === 'linux';

/** client_golang's process collector, as its exposition shows it. */
const CLIENT_GOLANG_PROCESS = `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
# HELP process_max_fds Maximum number of open file descriptors.
# TYPE process_max_fds gauge
# HELP process_open_fds Number of open file descriptors.
# TYPE process_open_fds gauge
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
# HELP process_virtual_memory_bytes Virtual memory size in bytes.
# TYPE process_virtual_memory_bytes gauge
# HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in bytes.
# TYPE process_virtual_memory_max_bytes gauge
`;

function registryWithProcess(): Registry {
  const registry = new Registry();
  registry.register(new ProcessCollector());
  return registry;
}

describe('process_* set', () => {
  it('writes client_golang HELP and TYPE lines', { skip: !linux && 'fd and memory limits need /proc' }, () => {
    const text = writeText(registryWithProcess().collect());
    const headers = text
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    assert.equal(headers + '\n', CLIENT_GOLANG_PROCESS);
  });

  it('process_open_fds moves up when files are opened and back when they are closed', {
    skip: !linux && 'needs /proc',
  }, () => {
    const registry = registryWithProcess();
    const open = () => valueOf(registry.collect(), 'process_open_fds');
    const before = open();
    const fds: number[] = [];
    try {
      for (let i = 0; i < 5; i++) fds.push(openSync(join(tmpdir(), '.'), 'r'));
      assert.equal(open(), before + 5);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    assert.equal(open(), before);
  });

  it('max fds and address space match /proc/self/limits; unlimited is 2^64-1 as client_golang reports it', {
    skip: !linux && 'needs /proc',
  }, () => {
    const families = registryWithProcess().collect();
    const limits = readFileSync('/proc/self/limits', 'latin1');
    const files = /^Max open files\s+(\S+)/m.exec(limits)![1]!;
    assert.equal(valueOf(families, 'process_max_fds'), Number(files));
    const space = /^Max address space\s+(\S+)/m.exec(limits)![1]!;
    const expected = space === 'unlimited' ? 18446744073709551615 : Number(space);
    assert.equal(valueOf(families, 'process_virtual_memory_max_bytes'), expected);
    assert.equal(
      parseLimit('Max address space         unlimited            unlimited            bytes\n', 'Max address space'),
      2 ** 64,
    );
    assert.equal(
      parseLimit('Max open files            1024                 4096                 files\n', 'Max open files'),
      1024,
    );
  });

  it('cpu time never decreases, memory and start time are plausible', () => {
    const registry = registryWithProcess();
    let previous = 0;
    for (let i = 0; i < 50; i++) {
      let x = 0;
      for (let j = 0; j < 20000; j++) x += Math.sqrt(j);
      assert.ok(x > 0);
      const cpu = valueOf(registry.collect(), 'process_cpu_seconds_total');
      assert.ok(cpu >= previous);
      previous = cpu;
    }
    const families = registry.collect();
    assert.ok(valueOf(families, 'process_resident_memory_bytes') > 1024 * 1024);
    const start = valueOf(families, 'process_start_time_seconds');
    const now = Date.now() / 1000;
    assert.ok(
      start <= now && start > now - process.uptime() - 5,
      `start ${start}, now ${now}, uptime ${process.uptime()}`,
    );
    if (linux) {
      assert.ok(
        valueOf(families, 'process_virtual_memory_bytes') >= valueOf(families, 'process_resident_memory_bytes'),
      );
    }
  });

  it('parses /proc/<pid>/stat with spaces and parentheses in the command name', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    const stat = parseProcStat(`1234 (a (b) c) ${fields.join(' ')}\n`);
    assert.deepEqual(stat, { numThreads: 20, startTicks: 22, vsize: 23 });
    assert.equal(parseProcStat('garbage'), undefined);
  });
});
