import type { FamilySnapshot } from '../metrics/snapshot.js';
import { escapeHelpText } from './escape.js';
import { formatGo } from './numbers.js';
import { linePrefixes, type PrefixStyle } from './prefixes.js';

/** Content type of the Prometheus text format 0.0.4, as promhttp sends it. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const STYLE: PrefixStyle = { slot: 'textPrefixes', formatBound: formatGo };

/** Writes families in the Prometheus text format 0.0.4, byte for byte as client_golang's expfmt does. */
export function writeText(families: readonly FamilySnapshot[]): string {
  let out = '';
  for (let i = 0; i < families.length; i++) out += writeFamilyText(families[i]!);
  return out;
}

/** One family in the text format (HELP, TYPE, then its samples). */
export function writeFamilyText(family: FamilySnapshot): string {
  const name = family.name;
  let out = '# HELP ' + name + ' ' + escapeHelpText(family.help) + '\n# TYPE ' + name + ' ' + family.type + '\n';
  const all = family.series;
  switch (family.type) {
    case 'histogram':
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE);
        const ts = timestamp(series.timestampMs);
        const buckets = series.buckets!;
        const n = buckets.length;
        for (let i = 0; i < n; i++) out += p[i] + formatGo(buckets[i]!) + ts + '\n';
        const count = formatGo(series.count);
        out += p[n] + count + ts + '\n' + p[n + 1] + formatGo(series.sum) + ts + '\n' + p[n + 2] + count + ts + '\n';
      }
      return out;
    case 'summary':
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE);
        const ts = timestamp(series.timestampMs);
        const quantiles = series.quantiles;
        const n = quantiles === null ? 0 : quantiles.length;
        for (let i = 0; i < n; i++) out += p[i] + formatGo(quantiles![i]!) + ts + '\n';
        out += p[n] + formatGo(series.sum) + ts + '\n' + p[n + 1] + formatGo(series.count) + ts + '\n';
      }
      return out;
    default:
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE);
        out += p[0] + formatGo(series.value) + timestamp(series.timestampMs) + '\n';
      }
      return out;
  }
}

function timestamp(ms: number | undefined): string {
  return ms === undefined ? '' : ' ' + String(Math.trunc(ms));
}
