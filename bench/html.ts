/**
 * `--report DIR`: one self-contained DIR/index.html (no script, no external asset) with the metadata,
 * the table, and inline SVG bar charts of the ratios.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { glossaryFor } from './glossary.js';
import { REFERENCE_SOURCE } from './reference.js';
import { FLOOR, formatNumber, peerColumns, type ReportDocument, type ReportMeasure } from './report.js';

interface Bar {
  readonly label: string;
  readonly value: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A horizontal bar chart; `log` scales bars by log10 (ratios spanning orders of magnitude). */
function barChart(title: string, bars: readonly Bar[], scale: 'log' | 'linear', marks: readonly number[]): string {
  // Wide enough for the longest label (about 7 px a character at 12 px), so none is clipped on the left.
  const labelWidth = Math.max(120, Math.ceil(Math.max(...bars.map((b) => b.label.length)) * 7) + 12);
  const plotWidth = 460;
  const rowHeight = 22;
  const top = 28;
  const height = top + bars.length * rowHeight + 24;
  const width = labelWidth + plotWidth + 70;
  const max = Math.max(...bars.map((b) => b.value), ...marks, 1);
  const x =
    scale === 'log'
      ? (v: number) => ((Math.log10(Math.max(v, 0.1)) + 1) / (Math.log10(max) + 1)) * plotWidth
      : (v: number) => (v / max) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, x(b.value));
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" font-size="12" text-anchor="end">${escapeHtml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="#3b7dd8"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" font-size="12">${escapeHtml(formatNumber(b.value))}x</text>`,
    );
  });
  const bottom = top + bars.length * rowHeight;
  for (const mark of marks) {
    const mx = (labelWidth + x(mark)).toFixed(1);
    parts.push(
      `<line x1="${mx}" y1="${top}" x2="${mx}" y2="${bottom}" stroke="#c33" stroke-dasharray="3,3"/>`,
      `<text x="${mx}" y="${bottom + 16}" font-size="11" text-anchor="middle" fill="#c33">${escapeHtml(formatNumber(mark))}x</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** One table cell per peer: its median and, for a real peer, how many times zerotel is cheaper. */
function peerCell(m: ReportMeasure, peer: string): string {
  const value = m[peer];
  if (typeof value !== 'number') return '<td></td>';
  const ratio = peer === FLOOR ? m.zerotelOverFloor : m.ratios[peer];
  const note = ratio === undefined || ratio === null ? '' : `${formatNumber(ratio)}x`;
  return `<td>${escapeHtml(formatNumber(value))}${note === '' ? '' : `<br><span class="ratio">${escapeHtml(note)}</span>`}</td>`;
}

/** The measure's extra facts, shortened to a tooltip: the page stays a table, not a wall of notes. */
function infoTitle(m: ReportMeasure): string {
  if (m.info === undefined) return '';
  const text = Object.entries(m.info)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join('\n');
  return ` title="${escapeHtml(text)}"`;
}

export function renderHtml(doc: ReportDocument): string {
  const peers = peerColumns(doc.measures);
  const charts: string[] = [];
  for (const peer of peers) {
    if (peer === FLOOR) {
      const bars = doc.measures.flatMap((m) =>
        m.zerotelOverFloor === undefined ? [] : [{ label: m.name, value: m.zerotelOverFloor }],
      );
      if (bars.length > 0)
        charts.push(
          barChart(
            'zerotel / floor (1x: nothing left but writing the bytes; lower is better)',
            bars,
            'linear',
            [1, 1.5, 2],
          ),
        );
      continue;
    }
    const bars = doc.measures.flatMap((m) => {
      const r = m.ratios[peer];
      return r === null || r === undefined ? [] : [{ label: m.name, value: r }];
    });
    if (bars.length > 0)
      charts.push(barChart(`${peer} / zerotel (times cheaper; higher is better)`, bars, 'log', [1, 10, 100]));
  }
  const references = doc.measures.some((m) => m.reference !== undefined);
  const header = [
    'measure',
    'unit',
    'zerotel (min–max)',
    ...peers.map((p) => (p === FLOOR ? 'floor (zerotel / floor)' : `${p} (${p} / zerotel)`)),
    ...(references ? ['client_golang*'] : []),
  ];
  const rows = doc.measures.map(
    (m) =>
      `<tr><td${infoTitle(m)}>${escapeHtml(m.name)}</td><td>${escapeHtml(m.unit)}</td>` +
      `<td>${escapeHtml(formatNumber(m.zerotel))}<br><span class="range">${escapeHtml(formatNumber(m.min.zerotel!))}–${escapeHtml(formatNumber(m.max.zerotel!))}</span></td>` +
      peers.map((p) => peerCell(m, p)).join('') +
      (references
        ? `<td>${m.reference === undefined ? '' : escapeHtml(formatNumber(m.reference.client_golang))}</td>`
        : '') +
      '</tr>',
  );
  const glossary = glossaryFor(doc.measures.map((m) => m.name));
  const m = doc.metadata;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>zerotel bench</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td[title] { text-decoration: underline dotted #999; cursor: help; }
th { background: #f3f3f3; }
.ratio { color: #1a6b2f; font-size: 12px; }
.range { color: #777; font-size: 11px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; }
dt { font-weight: bold; }
dd { margin: 0; }
.notes { font-size: 12px; color: #555; }
svg { display: block; margin: 1.5em 0; max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>zerotel bench</h1>
<p>${escapeHtml(m.date)} &middot; node ${escapeHtml(m.node)} &middot; ${escapeHtml(m.cpu)} x${m.cpus} &middot; ${escapeHtml(m.platform)}${m.quick ? ' &middot; quick run' : ''} &middot; ${m.durationSeconds} s</p>
<p>Medians; every unit is lower-is-better. Peers run in the same run, alternating with zerotel; under each peer's
figure, how many times cheaper zerotel is. Hover a measure's name for its details.</p>
<h2>What the codes mean</h2>
<dl>
${glossary.map(([code, meaning]) => `<dt>${escapeHtml(code)}</dt><dd>${escapeHtml(meaning)}</dd>`).join('\n')}
</dl>
<h2>Results</h2>
<table>
<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<div class="notes">${references ? `<p>* client_golang: ${escapeHtml(REFERENCE_SOURCE)}; not run here.</p>` : ''}${doc.errors.map((e) => `<p><strong>FAILED</strong> ${escapeHtml(e)}</p>`).join('\n')}</div>
<h2>Ratios</h2>
${charts.join('\n')}
</body>
</html>
`;
}

/** Writes DIR/index.html and returns its path. */
export function writeHtmlReport(dir: string, doc: ReportDocument): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.html');
  writeFileSync(file, renderHtml(doc));
  return file;
}
