/**
 * `/metrics` of the reference server under load: autocannon (in a child process) scrapes it from
 * several connections at once for LOAD_SECONDS (default 10) while four recorders write into the same
 * registry at full speed, and a checker scrapes it back to back and verifies every answer: it parses,
 * every histogram's `+Inf` bucket equals its `_count` (buckets cumulative), and no counter, histogram
 * or summary count goes backwards from one scrape to the next. Requests/s and p99 are printed, never
 * asserted (shared machines).
 *
 * The recorders: a registry lives in one V8 isolate, so in Node "four workers recording" into the
 * server's own registry means four independent loops on the server's event loop. Each records
 * batches of 1,000 (a counter, a labelled histogram, a gauge) and yields with setImmediate, so the
 * event loop is always busy and scrapes are served between batches, the contention a busy Node
 * service puts its /metrics under. worker_threads could only post numbers for the main thread to
 * record, which is the same thing with a copy in between.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { Counter } from '../../lib/metrics/counter.js';
import { Gauge } from '../../lib/metrics/gauge.js';
import { Histogram } from '../../lib/metrics/histogram.js';
import { createReferenceServer, type ReferenceServer } from '../../lib/opa/app.js';
import { parseConfig } from '../../lib/opa/config.js';
import { findPythonPrometheusClient, runPython } from '../peers/python.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { request } from '../opa/helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const LOAD_SECONDS = Math.max(1, Math.min(120, Number(process.env.LOAD_SECONDS ?? 10)));
const CONNECTIONS = 8;
const WORKERS = 4;
const BATCH = 1000;
const ROUTES = 25;

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}
interface Family {
  type: string;
  readonly samples: Sample[];
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;

/** A strict reader of the text format (0.0.4) as zerotel writes it: every line must be understood. */
export function parseText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  let current: Family | undefined;
  let currentName = '';
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line.slice(0, 200))}`;
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      currentName = m[1]!;
      assert.ok(!families.has(currentName), `${where}: family twice`);
      current = { type: 'untyped', samples: [] };
      families.set(currentName, current);
    } else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      assert.equal(m[1], currentName, `${where}: TYPE without its HELP`);
      current!.type = m[2]!;
    } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line))) {
      assert.ok(current !== undefined && m[1]!.startsWith(currentName), `${where}: sample outside its family`);
      const labels: Record<string, string> = {};
      const body = m[2] ?? '';
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < body.length) {
        const at = LABEL.lastIndex;
        const l = LABEL.exec(body);
        assert.ok(l !== null && l.index === at, `${where}: bad labels`);
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      const v = m[3]!;
      const value = v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : v === 'NaN' ? NaN : Number(v);
      assert.ok(!Number.isNaN(value) || v === 'NaN', `${where}: bad value`);
      current.samples.push({ name: m[1]!, labels, value });
    } else {
      assert.fail(`${where}: not a line of the text format`);
    }
  });
  return families;
}

function seriesKey(name: string, labels: Record<string, string>, without?: string): string {
  return `${name}{${Object.keys(labels)
    .filter((k) => k !== without)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;
}

/** Checks one scrape; returns its monotonic values (counters, histogram and summary counts, buckets). */
function checkScrape(text: string): Map<string, number> {
  const families = parseText(text);
  const monotonic = new Map<string, number>();
  for (const [name, family] of families) {
    if (family.type === 'counter') {
      for (const s of family.samples) monotonic.set(seriesKey(s.name, s.labels), s.value);
    } else if (family.type === 'histogram') {
      const buckets = new Map<string, { le: number; value: number }[]>();
      const counts = new Map<string, number>();
      for (const s of family.samples) {
        const key = seriesKey(name, s.labels, 'le');
        if (s.name === `${name}_bucket`) {
          const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
          (buckets.get(key) ?? buckets.set(key, []).get(key)!).push({ le, value: s.value });
          monotonic.set(seriesKey(s.name, s.labels), s.value);
        } else if (s.name === `${name}_count`) {
          counts.set(key, s.value);
          monotonic.set(seriesKey(s.name, s.labels), s.value);
        } else assert.equal(s.name, `${name}_sum`, `unexpected sample ${s.name} in histogram ${name}`);
      }
      assert.ok(counts.size > 0 || family.samples.length === 0, `${name}: no _count`);
      for (const [key, count] of counts) {
        const b = buckets.get(key) ?? [];
        assert.ok(b.length > 0, `${key}: no buckets`);
        for (let i = 1; i < b.length; i++) {
          assert.ok(b[i]!.le > b[i - 1]!.le, `${key}: buckets out of order`);
          assert.ok(b[i]!.value >= b[i - 1]!.value, `${key}: buckets not cumulative at le=${b[i]!.le}`);
        }
        const inf = b[b.length - 1]!;
        assert.equal(inf.le, Infinity, `${key}: last bucket is not +Inf`);
        assert.equal(inf.value, count, `${key}: +Inf bucket ${inf.value} != _count ${count}`);
      }
    } else if (family.type === 'summary') {
      for (const s of family.samples)
        if (s.name === `${name}_count`) monotonic.set(seriesKey(s.name, s.labels), s.value);
    }
  }
  return monotonic;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

describe('/metrics under concurrent scrapes and full-speed recording', {
  timeout: 60_000 + LOAD_SECONDS * 3000,
}, () => {
  let app: ReferenceServer;
  let base: string;
  let stopRecorders = false;
  const recorded = Array.from({ length: WORKERS }, () => 0);
  let recorders: Promise<void>[] = [];
  const kept: string[] = [];

  before(async () => {
    app = createReferenceServer({ config: parseConfig({}, { env: {} }), env: {}, log: () => {} });
    const registers = [app.registry];
    const ops = new Counter({
      name: 'load_records_total',
      help: 'Records made by each recorder.',
      labelNames: ['worker'],
      registers,
    });
    const latency = new Histogram({
      name: 'load_latency_seconds',
      help: 'A latency per recorder and route.',
      labelNames: ['worker', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    const size = new Histogram({ name: 'load_size_bytes', help: 'Unlabelled, default buckets.', registers });
    const level = new Gauge({
      name: 'load_level',
      help: 'Last value per recorder.',
      labelNames: ['worker'],
      registers,
    });
    base = `http://127.0.0.1:${(await app.listen(0, '127.0.0.1')).port}`;
    recorders = Array.from({ length: WORKERS }, async (_, w) => {
      const worker = String(w);
      const count = ops.labels(worker);
      const gauge = level.labels(worker);
      const routes = Array.from({ length: ROUTES }, (_, r) => latency.labels(worker, `/r${r}`));
      let x = w + 1;
      while (!stopRecorders) {
        for (let i = 0; i < BATCH; i++) {
          x = (x * 1103515245 + 12345) % 2147483648;
          const u = x / 2147483648;
          count.inc();
          routes[i % ROUTES]!.observe(u * u * 2);
          size.observe(u * 10);
          gauge.set(u);
        }
        recorded[w]! += BATCH;
        await yieldNow();
      }
    });
  });

  after(async () => {
    stopRecorders = true;
    await Promise.all(recorders);
    await app?.shutdown(5000);
  });

  it(`autocannon, ${CONNECTIONS} connections for ${LOAD_SECONDS} s, while a checker verifies every scrape`, async () => {
    const child = spawn(
      process.execPath,
      [
        `${ROOT}node_modules/autocannon/autocannon.js`,
        '--json',
        '-c',
        String(CONNECTIONS),
        '-d',
        String(LOAD_SECONDS),
        `${base}/metrics`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let done = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), (LOAD_SECONDS + 30) * 1000);
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        clearTimeout(killer);
        done = true;
        resolve(code);
      }),
    );

    // The checker: scrapes back to back until the load ends.
    let scrapes = 0;
    const latencies: number[] = [];
    let previous: Map<string, number> | undefined;
    const deadline = Date.now() + (LOAD_SECONDS + 30) * 1000;
    try {
      while (!done && Date.now() < deadline) {
        const start = performance.now();
        const r = await request(`${base}/metrics`, { headers: { accept: 'text/plain' } });
        latencies.push(performance.now() - start);
        assert.equal(r.status, 200);
        const now = checkScrape(r.text);
        if (previous !== undefined) {
          for (const [key, value] of previous) {
            const later = now.get(key);
            assert.ok(later !== undefined, `scrape ${scrapes}: ${key} disappeared`);
            assert.ok(later >= value, `scrape ${scrapes}: ${key} went backwards from ${value} to ${later}`);
          }
        }
        previous = now;
        if (scrapes % 10 === 0 && kept.length < 30) kept.push(r.text);
        scrapes++;
      }
    } finally {
      // On a failure, neither the load generator nor the recorders may outlive the test (the
      // recorders' constant setImmediate chain would keep the test runner from moving on).
      if (!done) child.kill('SIGKILL');
      await exited;
      stopRecorders = true;
      await Promise.all(recorders);
    }
    const code = await exited;
    assert.equal(code, 0, `autocannon exited ${code}: ${Buffer.concat(err).toString('utf8')}`);
    const result = JSON.parse(Buffer.concat(out).toString('utf8')) as {
      requests: { average: number; total: number };
      latency: { p50: number; p99: number; max: number };
      throughput: { average: number };
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
    };
    assert.equal(result.errors, 0, 'autocannon saw errors');
    assert.equal(result.timeouts, 0, 'autocannon saw timeouts');
    assert.equal(result.non2xx, 0, 'autocannon saw non-2xx answers');
    assert.ok(scrapes >= 2, `the checker scraped ${scrapes} times`);

    // Recording stopped: the registry now holds exactly what the recorders made.
    const last = checkScrape((await request(`${base}/metrics`)).text);
    const total = recorded.reduce((a, b) => a + b, 0);
    recorded.forEach((n, w) => assert.equal(last.get(`load_records_total{worker="${w}"}`), n, `worker ${w}`));
    assert.equal(last.get('load_size_bytes_count{}'), total);
    for (const [key, value] of previous!) assert.ok(last.get(key)! >= value, `${key} went backwards at the end`);

    latencies.sort((a, b) => a - b);
    const lines = [
      `autocannon: ${result.requests.total} scrapes in ${LOAD_SECONDS} s over ${CONNECTIONS} connections: ` +
        `${result.requests.average.toFixed(0)} requests/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
        `${(result.throughput.average / 1048576).toFixed(1)} MiB/s, ${result['2xx']} 2xx, 0 errors`,
      `checker: ${scrapes} scrapes, all parsed; +Inf == _count and no counter went backwards; ` +
        `its latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
      `recorders: ${WORKERS} x ${(total / WORKERS).toFixed(0)} records of 4 operations (${(total / LOAD_SECONDS / 1e6).toFixed(2)} M records/s beside the scrapes), ` +
        `each counted exactly in the last scrape; exposition of ${Math.round((kept[0]?.length ?? 0) / 1024)} KiB`,
    ];
    for (const line of lines) console.log(line);
  });

  it(
    'the scrapes taken under load parse with the Python client too',
    peerOptions(findPythonPrometheusClient()),
    async () => {
      assertPeer(findPythonPrometheusClient());
      assert.ok(kept.length > 0, 'no scrape was kept for the Python parser (the load test failed first?)');
      const script = [
        'import sys',
        'from prometheus_client.parser import text_string_to_metric_families',
        'data = sys.stdin.read().split("\\n#---\\n")',
        'n = 0',
        'for text in data:',
        '    for fam in text_string_to_metric_families(text):',
        '        if fam.type != "histogram": continue',
        '        inf, count = {}, {}',
        '        for s in fam.samples:',
        '            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))',
        '            if s.name.endswith("_bucket") and s.labels["le"] == "+Inf": inf[key] = s.value',
        '            if s.name.endswith("_count"): count[key] = s.value',
        '        assert inf == count, (fam.name, inf, count)',
        '        n += len(count)',
        'print(len(data), n)',
      ].join('\n');
      const [expositions, histograms] = (await runPython(script, kept.join('\n#---\n'))).trim().split(' ').map(Number);
      assert.equal(expositions, kept.length);
      assert.ok(histograms! > kept.length * WORKERS * ROUTES, `only ${histograms} histogram series checked`);
    },
  );
});
