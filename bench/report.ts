/**
 * The results as a document (what `--json` prints) and as a terminal table.
 * Every unit is "lower is better", so a ratio peer / zerotel above 1 means zerotel wins by that factor.
 */
import { cpus } from 'node:os';
import type { Stats } from './measure.js';
import { CLIENT_GOLANG, REFERENCE_SOURCE } from './reference.js';
import type { GroupedResult } from './runner.js';

/** The contender every byte-writing measure is compared with to see how much is left above pure output. */
export const FLOOR = 'floor';

export interface ReportMeasure {
  readonly name: string;
  readonly group: string;
  readonly unit: string;
  /** zerotel's median. */
  readonly zerotel: number;
  /** Every peer's median is a further key named after the peer (`prom-client`, `floor`). */
  readonly [peer: string]: unknown;
  /** Main peer / zerotel; null when the measure has no peer (or zerotel's figure is 0). */
  readonly ratio: number | null;
  readonly mainPeer: string | null;
  /** Every peer / zerotel. */
  readonly ratios: Readonly<Record<string, number | null>>;
  /** zerotel / floor, when a floor was measured (1 = nothing left above writing the bytes). */
  readonly zerotelOverFloor?: number;
  readonly min: Readonly<Record<string, number>>;
  readonly max: Readonly<Record<string, number>>;
  readonly samples: Readonly<Record<string, number>>;
  readonly reference?: { readonly client_golang: number; readonly note: string };
  readonly info?: Readonly<Record<string, string | number>>;
}

export interface ReportDocument {
  readonly metadata: {
    readonly date: string;
    readonly node: string;
    readonly cpu: string;
    readonly cpus: number;
    readonly platform: string;
    readonly quick: boolean;
    readonly only: string | null;
    readonly fixture: string | null;
    readonly durationSeconds: number;
  };
  readonly measures: ReportMeasure[];
  readonly errors: string[];
}

export function buildDocument(
  results: readonly GroupedResult[],
  errors: readonly string[],
  run: { quick: boolean; only: string | undefined; fixture: string | undefined; durationSeconds: number; date: Date },
): ReportDocument {
  return {
    metadata: {
      date: run.date.toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      platform: `${process.platform} ${process.arch}`,
      quick: run.quick,
      only: run.only ?? null,
      fixture: run.fixture ?? null,
      durationSeconds: Math.round(run.durationSeconds * 10) / 10,
    },
    measures: results.map(toMeasure),
    errors: [...errors],
  };
}

function toMeasure(r: GroupedResult): ReportMeasure {
  const z = r.contenders.zerotel;
  if (z === undefined) throw new Error(`${r.name}: no zerotel figure`);
  const peers = Object.keys(r.contenders).filter((name) => name !== 'zerotel');
  const mainPeer = r.mainPeer ?? peers.find((p) => p !== FLOOR) ?? peers[0] ?? null;
  const ratioOf = (s: Stats) => (z.median > 0 ? s.median / z.median : null);
  const pick = (key: keyof Stats) =>
    Object.fromEntries(Object.entries(r.contenders).map(([name, s]) => [name, s[key]]));
  const floor = r.contenders[FLOOR];
  const reference = CLIENT_GOLANG[r.name];
  const measure: Record<string, unknown> = { name: r.name, group: r.group, unit: r.unit, zerotel: z.median };
  for (const p of peers) measure[p] = r.contenders[p]!.median;
  measure.ratio = mainPeer === null ? null : ratioOf(r.contenders[mainPeer]!);
  measure.mainPeer = mainPeer;
  measure.ratios = Object.fromEntries(peers.map((p) => [p, ratioOf(r.contenders[p]!)]));
  if (floor !== undefined && floor.median > 0) measure.zerotelOverFloor = z.median / floor.median;
  measure.min = pick('min');
  measure.max = pick('max');
  measure.samples = pick('samples');
  // Quoted figures only where client_golang was not measured in this run.
  if (reference !== undefined && reference.unit === r.unit && r.contenders['client_golang'] === undefined) {
    measure.reference = { client_golang: reference.value, note: REFERENCE_SOURCE };
  }
  if (r.info !== undefined) measure.info = r.info;
  return measure as unknown as ReportMeasure;
}

/** A figure with three significant digits (thousands grouped). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (Number.isInteger(x) || abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  if (abs === 0) return '0';
  return x.toPrecision(3);
}

export function formatRatio(x: number | null | undefined): string {
  return x === null || x === undefined ? '' : `${formatNumber(x)}x`;
}

/** The peers shown as columns, in order of first appearance (the floor last). */
export function peerColumns(measures: readonly ReportMeasure[]): string[] {
  const seen: string[] = [];
  for (const m of measures) for (const p of Object.keys(m.ratios)) if (!seen.includes(p)) seen.push(p);
  return [...seen.filter((p) => p !== FLOOR), ...seen.filter((p) => p === FLOOR)];
}

export interface TableData {
  readonly header: string[];
  readonly rows: string[][];
  readonly notes: string[];
}

/** The table as cells, shared by the terminal and the HTML report. */
export function tableData(doc: ReportDocument): TableData {
  const peers = peerColumns(doc.measures);
  const ratioPeers = peers.filter((p) => p !== FLOOR);
  const references = doc.measures.some((m) => m.reference !== undefined);
  const header = [
    'measure',
    'unit',
    'zerotel',
    'zerotel min-max',
    ...peers,
    ...ratioPeers.map((p) => `${p} / zerotel`),
    ...(peers.includes(FLOOR) ? ['zerotel / floor'] : []),
    ...(references ? ['client_golang*'] : []),
  ];
  const rows = doc.measures.map((m) => [
    m.name,
    m.unit,
    formatNumber(m.zerotel),
    `${formatNumber(m.min.zerotel!)}-${formatNumber(m.max.zerotel!)}`,
    ...peers.map((p) => (typeof m[p] === 'number' ? formatNumber(m[p] as number) : '')),
    ...ratioPeers.map((p) => formatRatio(m.ratios[p])),
    ...(peers.includes(FLOOR) ? [formatRatio(m.zerotelOverFloor)] : []),
    ...(references ? [m.reference === undefined ? '' : formatNumber(m.reference.client_golang)] : []),
  ]);
  const notes = references ? [`* client_golang: ${REFERENCE_SOURCE}; not run here.`] : [];
  for (const m of doc.measures) {
    if (m.info === undefined) continue;
    notes.push(
      `${m.name}: ${Object.entries(m.info)
        .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
        .join('; ')}`,
    );
  }
  return { header, rows, notes };
}

/** The readable table for the terminal. */
export function renderTable(doc: ReportDocument): string {
  const { header, rows, notes } = tableData(doc);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const m = doc.metadata;
  const out = [
    `zerotel bench, ${m.date}, node ${m.node}, ${m.cpu} x${m.cpus}${m.quick ? ', --quick' : ''}, ${m.durationSeconds} s`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...notes,
  ];
  for (const e of doc.errors) out.push(`FAILED ${e}`);
  return out.join('\n') + '\n';
}
