import type { Exemplar, FamilySnapshot, SeriesSnapshot } from '../metrics/snapshot.js';
import { escapeHelpOpenMetrics } from './escape.js';
import { formatCount, formatOpenMetrics } from './numbers.js';
import { linePrefixes, type PrefixStyle } from './prefixes.js';

/** Content type of OpenMetrics 1.0.0, as promhttp sends it. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const STYLE: PrefixStyle = { slot: 'openMetricsPrefixes', formatBound: formatOpenMetrics };

/** Options of the OpenMetrics writer. */
export interface OpenMetricsOptions {
  /** Write `_created` lines for counters, histograms and summaries (off by default, as client_golang 1.14). */
  readonly created?: boolean;
}

/**
 * Writes families as OpenMetrics 1.0, byte for byte as client_golang's expfmt does, ending with `# EOF`.
 * Counters named `*_total` lose the suffix on HELP/TYPE; other counters are typed `unknown`.
 */
export function writeOpenMetrics(families: readonly FamilySnapshot[], options: OpenMetricsOptions = {}): string {
  const created = options.created === true;
  let out = '';
  for (let i = 0; i < families.length; i++) out += writeFamilyOpenMetrics(families[i]!, created);
  return out + '# EOF\n';
}

function writeFamilyOpenMetrics(family: FamilySnapshot, created: boolean): string {
  const name = family.name;
  const isCounter = family.type === 'counter';
  const hasTotal = name.endsWith('_total');
  const short = isCounter && hasTotal ? name.slice(0, -6) : name;
  const type =
    family.type === 'untyped' || (isCounter && !hasTotal) ? 'unknown' : family.type;
  let out = '# HELP ' + short + ' ' + escapeHelpOpenMetrics(family.help) + '\n# TYPE ' + short + ' ' + type + '\n';
  if (family.unit !== '') out += '# UNIT ' + short + ' ' + family.unit + '\n';
  const all = family.series;
  switch (family.type) {
    case 'histogram':
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE);
        const ts = timestamp(series.timestampMs);
        const buckets = series.buckets!;
        const exemplars = series.bucketExemplars;
        const n = buckets.length;
        for (let i = 0; i < n; i++) {
          out += p[i] + formatCount(buckets[i]!) + ts + (exemplars === null ? '' : exemplarText(exemplars[i])) + '\n';
        }
        const count = formatCount(series.count);
        out += p[n] + count + ts + (exemplars === null ? '' : exemplarText(exemplars[n])) + '\n';
        out += p[n + 1] + formatOpenMetrics(series.sum) + ts + '\n' + p[n + 2] + count + ts + '\n';
        if (created) out += createdLine(short, series);
      }
      return out;
    case 'summary':
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE);
        const ts = timestamp(series.timestampMs);
        const quantiles = series.quantiles;
        const n = quantiles === null ? 0 : quantiles.length;
        for (let i = 0; i < n; i++) out += p[i] + formatOpenMetrics(quantiles![i]!) + ts + '\n';
        out += p[n] + formatOpenMetrics(series.sum) + ts + '\n' + p[n + 1] + formatCount(series.count) + ts + '\n';
        if (created) out += createdLine(short, series);
      }
      return out;
    default:
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE);
        out += p[0] + formatOpenMetrics(series.value) + timestamp(series.timestampMs);
        out += (series.exemplar === null ? '' : exemplarText(series.exemplar)) + '\n';
        if (created && isCounter) out += createdLine(short, series);
      }
      return out;
  }
}

function createdLine(short: string, series: SeriesSnapshot): string {
  if (series.createdMs === undefined) return '';
  const labels = series.labels.text;
  return short + '_created' + (labels === '' ? ' ' : '{' + labels + '} ') + formatOpenMetrics(nanosToSeconds(series.createdMs)) + '\n';
}

/** ` # {labels} value [timestamp]`, as client_golang writes an exemplar (timestamp in seconds). */
function exemplarText(exemplar: Exemplar | undefined): string {
  if (exemplar === undefined) return '';
  const labels = exemplar.labels.text;
  let out = ' # ' + (labels === '' ? '' : '{' + labels + '}') + ' ' + formatOpenMetrics(exemplar.value);
  if (exemplar.timestampMs !== undefined) out += ' ' + formatOpenMetrics(nanosToSeconds(exemplar.timestampMs));
  return out;
}

/** Seconds as client_golang computes them from a timestamp: float64(UnixNano) / 1e9. */
function nanosToSeconds(ms: number): number {
  return (ms * 1e6) / 1e9;
}

function timestamp(ms: number | undefined): string {
  return ms === undefined ? '' : ' ' + formatOpenMetrics(ms / 1000);
}
