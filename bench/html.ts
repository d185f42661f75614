/**
 * `--report DIR`: one self-contained DIR/index.html (no script, no external asset) with the metadata,
 * the table, and inline SVG bar charts of the ratios.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLOOR, formatNumber, peerColumns, tableData, type ReportDocument } from './report.js';

interface Bar {
  readonly label: string;
  readonly value: number;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A horizontal bar chart; `log` scales bars by log10 (ratios spanning orders of magnitude). */
function barChart(title: string, bars: readonly Bar[], scale: 'log' | 'linear', marks: readonly number[]): string {
  const labelWidth = 300;
  const plotWidth = 460;
  const rowHeight = 22;
  const top = 28;
  const height = top + bars.length * rowHeight + 24;
  const width = labelWidth + plotWidth + 70;
  const max = Math.max(...bars.map((b) => b.value), ...marks, 1);
  const x =
    scale === 'log'
      ? (v: number) => (Math.log10(Math.max(v, 0.1)) + 1) / (Math.log10(max) + 1) * plotWidth
      : (v: number) => (v / max) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(title)}">`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, x(b.value));
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" font-size="12" text-anchor="end">${escape(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="#3b7dd8"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" font-size="12">${escape(formatNumber(b.value))}x</text>`,
    );
  });
  const bottom = top + bars.length * rowHeight;
  for (const mark of marks) {
    const mx = (labelWidth + x(mark)).toFixed(1);
    parts.push(
      `<line x1="${mx}" y1="${top}" x2="${mx}" y2="${bottom}" stroke="#c33" stroke-dasharray="3,3"/>`,
      `<text x="${mx}" y="${bottom + 16}" font-size="11" text-anchor="middle" fill="#c33">${escape(formatNumber(mark))}x</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export function renderHtml(doc: ReportDocument): string {
  const { header, rows, notes } = tableData(doc);
  const charts: string[] = [];
  for (const peer of peerColumns(doc.measures)) {
    if (peer === FLOOR) {
      const bars = doc.measures.flatMap((m) => (m.zerotelOverFloor === undefined ? [] : [{ label: m.name, value: m.zerotelOverFloor }]));
      if (bars.length > 0) charts.push(barChart('zerotel / floor (1x = only the bytes are left; lower is better)', bars, 'linear', [1, 1.5, 2]));
      continue;
    }
    const bars = doc.measures.flatMap((m) => {
      const r = m.ratios[peer];
      return r === null || r === undefined ? [] : [{ label: m.name, value: r }];
    });
    if (bars.length > 0) charts.push(barChart(`${peer} / zerotel (how many times zerotel is cheaper; higher is better)`, bars, 'log', [1, 10, 100]));
  }
  const m = doc.metadata;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>zerotel bench</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
.notes { font-size: 12px; color: #555; }
svg { display: block; margin: 1.5em 0; }
</style>
</head>
<body>
<h1>zerotel bench</h1>
<p>${escape(m.date)} &middot; node ${escape(m.node)} &middot; ${escape(m.cpu)} x${m.cpus} &middot; ${escape(m.platform)}${m.quick ? ' &middot; quick run' : ''} &middot; ${m.durationSeconds} s</p>
<p>Medians; every unit is lower-is-better. Peers are measured in the same run, alternating with zerotel.</p>
<table>
<thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>
<div class="notes">${notes.map((n) => `<p>${escape(n)}</p>`).join('\n')}${doc.errors.map((e) => `<p><strong>FAILED</strong> ${escape(e)}</p>`).join('\n')}</div>
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
