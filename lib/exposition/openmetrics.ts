import type { Exemplar, FamilySnapshot, SeriesSnapshot } from '../metrics/snapshot.js';
import { ByteSink } from './byte-sink.js';
import { escapeHelpOpenMetrics } from './escape.js';
import { HeaderCache } from './header-cache.js';
import { formatOpenMetricsFloat, writeCount, writeOpenMetricsFloat } from './numbers.js';
import { OPENMETRICS_PREFIXES } from './label-cache.js';
import { linePrefixes, type PrefixStyle } from './prefixes.js';
import { decodeUtf8 } from './utf8.js';

/** Content type of OpenMetrics 1.0.0, as promhttp sends it. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const STYLE: PrefixStyle = { slot: OPENMETRICS_PREFIXES, formatBound: formatOpenMetricsFloat };
const NEWLINE = 10;
const SPACE = 32;

/** Options of the OpenMetrics writer. */
export interface OpenMetricsOptions {
  /** Write `_created` lines for counters, histograms and summaries (off by default, as client_golang 1.14). */
  readonly created?: boolean;
}

const headers = new HeaderCache((name, help, type, unit) => {
  const isCounter = type === 'counter';
  const hasTotal = name.endsWith('_total');
  const short = isCounter && hasTotal ? name.slice(0, -6) : name;
  const shown = type === 'untyped' || (isCounter && !hasTotal) ? 'unknown' : type;
  let header = '# HELP ' + short + ' ' + escapeHelpOpenMetrics(help) + '\n# TYPE ' + short + ' ' + shown + '\n';
  if (unit !== '') header += '# UNIT ' + short + ' ' + unit + '\n';
  return header;
});

let sizeHint = 64 * 1024;

/**
 * Encodes families as OpenMetrics 1.0, byte for byte as client_golang's expfmt does, ending with `# EOF`.
 * Counters named `*_total` lose the suffix on HELP/TYPE; other counters are typed `unknown`.
 */
export function encodeOpenMetrics(families: readonly FamilySnapshot[], options: OpenMetricsOptions = {}): Uint8Array {
  const created = options.created === true;
  const sink = new ByteSink(sizeHint);
  for (let i = 0; i < families.length; i++) writeFamily(sink, families[i]!, created);
  sink.ascii('# EOF\n');
  sizeHint = sink.length + (sink.length >> 3);
  return sink.result();
}

/** OpenMetrics as a string (see encodeOpenMetrics, which is what the `/metrics` handler sends). */
export function formatOpenMetrics(families: readonly FamilySnapshot[], options?: OpenMetricsOptions): string;
/**
 * @deprecated A number here is formatted as an OpenMetrics float, as this name did before it meant the
 * whole exposition: use formatOpenMetricsFloat.
 */
export function formatOpenMetrics(value: number): string;
export function formatOpenMetrics(
  families: readonly FamilySnapshot[] | number,
  options: OpenMetricsOptions = {},
): string {
  if (typeof families === 'number') return formatOpenMetricsFloat(families);
  if (!Array.isArray(families)) {
    throw new TypeError(`formatOpenMetrics: expected an array of metric families, got ${describe(families)}`);
  }
  return decodeUtf8(encodeOpenMetrics(families, options));
}

/** @deprecated Use formatOpenMetrics (a string) or encodeOpenMetrics (bytes); this returns exactly what formatOpenMetrics does. */
export function writeOpenMetrics(families: readonly FamilySnapshot[], options: OpenMetricsOptions = {}): string {
  return decodeUtf8(encodeOpenMetrics(families, options));
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

function writeFamily(sink: ByteSink, family: FamilySnapshot, created: boolean): void {
  const name = family.name;
  const isCounter = family.type === 'counter';
  const hasTotal = name.endsWith('_total');
  const short = created && isCounter && hasTotal ? name.slice(0, -6) : name;
  sink.bytes(headers.get(name, family.help, family.type, family.unit));
  const all = family.series;
  switch (family.type) {
    case 'histogram': {
      // As expfmt: a +Inf bucket is made up only when no bound is +Inf (one can precede NaN bounds).
      const familyInfSeen = family.upperBounds?.includes(Infinity) === true;
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE, series.ownRanks);
        const ts = series.timestampMs;
        const buckets = series.buckets!;
        const exemplars = series.bucketExemplars;
        const n = buckets.length;
        for (let i = 0; i < n; i++) {
          sink.bytes(p[i]!);
          writeCount(sink, buckets[i]!);
          end(sink, ts, exemplars === null ? undefined : exemplars[i]);
        }
        const infSeen = series.ownRanks === undefined ? familyInfSeen : series.ownRanks.includes(Infinity);
        if (!infSeen) {
          sink.bytes(p[n]!);
          writeCount(sink, series.count);
          end(sink, ts, exemplars === null ? undefined : exemplars[n]);
        }
        sink.bytes(p[n + 1]!);
        writeOpenMetricsFloat(sink, series.sum);
        end(sink, ts, undefined);
        sink.bytes(p[n + 2]!);
        writeCount(sink, series.count);
        end(sink, ts, undefined);
        if (created) createdLine(sink, short, series);
      }
      return;
    }
    case 'summary':
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        const p = linePrefixes(family, series.labels, STYLE, series.ownRanks);
        const ts = series.timestampMs;
        const quantiles = series.quantiles;
        const n = quantiles === null ? 0 : quantiles.length;
        for (let i = 0; i < n; i++) {
          sink.bytes(p[i]!);
          writeOpenMetricsFloat(sink, quantiles![i]!);
          end(sink, ts, undefined);
        }
        sink.bytes(p[n]!);
        writeOpenMetricsFloat(sink, series.sum);
        end(sink, ts, undefined);
        sink.bytes(p[n + 1]!);
        writeCount(sink, series.count);
        end(sink, ts, undefined);
        if (created) createdLine(sink, short, series);
      }
      return;
    default:
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        sink.bytes(linePrefixes(family, series.labels, STYLE)[0]!);
        writeOpenMetricsFloat(sink, series.value);
        end(sink, series.timestampMs, series.exemplar ?? undefined);
        // A counter without `_total` is typed unknown, where a `_created` line would clash with its name.
        if (created && isCounter && hasTotal) createdLine(sink, short, series);
      }
  }
}

/** Ends a sample line: optional timestamp (seconds), optional exemplar, newline. */
function end(sink: ByteSink, timestampMs: number | undefined, exemplar: Exemplar | undefined): void {
  if (timestampMs !== undefined) {
    sink.byte(SPACE);
    sink.ascii(formatOpenMetricsFloat(timestampMs / 1000));
  }
  if (exemplar !== undefined) writeExemplar(sink, exemplar);
  sink.byte(NEWLINE);
}

function createdLine(sink: ByteSink, short: string, series: SeriesSnapshot): void {
  if (series.createdMs === undefined) return;
  const labels = series.labels.text;
  sink.utf8(short + '_created' + (labels === '' ? ' ' : '{' + labels + '} '));
  sink.ascii(formatOpenMetricsFloat(nanosToSeconds(series.createdMs)));
  sink.byte(NEWLINE);
}

/** ` # {labels} value [timestamp]`, as client_golang writes an exemplar (timestamp in seconds). */
function writeExemplar(sink: ByteSink, exemplar: Exemplar): void {
  const labels = exemplar.labels.text;
  sink.utf8(' # ' + (labels === '' ? '' : '{' + labels + '}') + ' ');
  sink.ascii(formatOpenMetricsFloat(exemplar.value));
  if (exemplar.timestampMs !== undefined) {
    sink.byte(SPACE);
    sink.ascii(formatOpenMetricsFloat(nanosToSeconds(exemplar.timestampMs)));
  }
}

/** Seconds as client_golang computes them from a timestamp: float64(UnixNano) / 1e9. */
function nanosToSeconds(ms: number): number {
  return (ms * 1e6) / 1e9;
}
