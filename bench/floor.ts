/**
 * The floor: what writing a scrape costs when nothing but the bytes is left to do. Every output line's
 * prefix (`name{labels} `, with the family's HELP and TYPE lines folded into its first line) is built once;
 * a scrape concatenates each prefix with `String(value)` and a newline. No gathering, no sorting, no
 * number formatting beyond `String`: any exposition writer costs at least this much.
 */
import type { WorkloadSink } from './workloads.js';

/** client_golang's DefBuckets, which the workloads use. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface FloorSeries {
  readonly labelNames: readonly string[];
  readonly labelValues: readonly string[];
  /** Line values; after `finish()` a view into the floor's single value array. */
  values: Float64Array;
}

interface FloorFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly series: FloorSeries[];
}

export interface Floor {
  readonly sink: WorkloadSink;
  /** Fixes the line order (families by name, series by label values, as client_golang writes them) and builds the prefixes. */
  finish(): void;
  /** One scrape: the whole text. */
  scrape(): string;
  /** Why `text` does not have exactly the floor's lines (values aside), or undefined when it has. */
  differenceFrom(text: string): string | undefined;
}

export function createFloor(): Floor {
  const families: FloorFamily[] = [];
  let prefixes: string[] = [];
  let values = new Float64Array(0);

  const family =
    (type: FloorFamily['type'], lines: number, update: (values: Float64Array, v: number) => void) =>
    (name: string, help: string, labelNames: readonly string[]) => {
      const f: FloorFamily = { name, help, type, series: [] };
      families.push(f);
      return (labelValues: readonly string[]) => {
        const s: FloorSeries = { labelNames, labelValues: [...labelValues], values: new Float64Array(lines) };
        f.series.push(s);
        return (v: number) => update(s.values, v);
      };
    };

  const n = DEFAULT_BUCKETS.length;
  const sink: WorkloadSink = {
    counter: family('counter', 1, (x, v) => {
      x[0]! += v;
    }),
    gauge: family('gauge', 1, (x, v) => {
      x[0] = v;
    }),
    histogram: family('histogram', n + 3, (x, v) => {
      for (let i = 0; i < n; i++) if (v <= DEFAULT_BUCKETS[i]!) x[i]!++;
      x[n]!++;
      x[n + 1]! += v;
      x[n + 2]!++;
    }),
  };

  return {
    sink,
    finish() {
      families.sort((a, b) => compare(a.name, b.name));
      const lines: string[] = [];
      for (const f of families) {
        f.series.sort((a, b) => compareValues(sortedLabels(a).values, sortedLabels(b).values));
        let header =
          '# HELP ' +
          f.name +
          ' ' +
          f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') +
          '\n# TYPE ' +
          f.name +
          ' ' +
          f.type +
          '\n';
        for (const s of f.series) {
          for (const line of seriesPrefixes(f, s)) {
            lines.push(header + line);
            header = '';
          }
        }
      }
      prefixes = lines;
      const flat = new Float64Array(lines.length);
      let offset = 0;
      for (const f of families) {
        for (const s of f.series) {
          flat.set(s.values, offset);
          s.values = flat.subarray(offset, offset + s.values.length);
          offset += s.values.length;
        }
      }
      values = flat;
    },
    scrape() {
      const p = prefixes;
      const v = values;
      let out = '';
      for (let i = 0; i < p.length; i++) out += p[i] + String(v[i]) + '\n';
      return out;
    },
    differenceFrom(text) {
      const theirs = text.split('\n');
      if (theirs.pop() !== '') return 'the text does not end with a newline';
      const ours = this.scrape().split('\n');
      ours.pop();
      if (theirs.length !== ours.length) return `${theirs.length} lines, the floor writes ${ours.length}`;
      for (let i = 0; i < ours.length; i++) {
        const a = ours[i]!;
        const b = theirs[i]!;
        const same = a.startsWith('#') ? a === b : a.slice(0, a.lastIndexOf(' ')) === b.slice(0, b.lastIndexOf(' '));
        if (!same) return `line ${i + 1} differs: ${JSON.stringify(b)} vs the floor's ${JSON.stringify(a)}`;
      }
      return undefined;
    },
  };
}

function sortedLabels(s: FloorSeries): { names: string[]; values: string[] } {
  const order = s.labelNames.map((_, i) => i).sort((i, j) => compare(s.labelNames[i]!, s.labelNames[j]!));
  return { names: order.map((i) => s.labelNames[i]!), values: order.map((i) => s.labelValues[i]!) };
}

function seriesPrefixes(f: FloorFamily, s: FloorSeries): string[] {
  const { names, values } = sortedLabels(s);
  const pairs = names.map((name, i) => name + '="' + escapeValue(values[i]!) + '"');
  const plain = pairs.length === 0 ? ' ' : '{' + pairs.join(',') + '} ';
  if (f.type !== 'histogram') return [f.name + plain];
  const open = pairs.length === 0 ? '{' : '{' + pairs.join(',') + ',';
  const lines = DEFAULT_BUCKETS.map((b) => f.name + '_bucket' + open + 'le="' + String(b) + '"} ');
  lines.push(f.name + '_bucket' + open + 'le="+Inf"} ', f.name + '_sum' + plain, f.name + '_count' + plain);
  return lines;
}

function escapeValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

/** Code-unit order, which is byte order for the ASCII names and values of the workloads. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
