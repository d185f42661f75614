import type { FamilySnapshot } from '../metrics/snapshot.js';
import { ByteSink } from './byte-sink.js';
import { escapeHelpText } from './escape.js';
import { HeaderCache } from './header-cache.js';
import { formatGoFloat, writeGo } from './numbers.js';
import { decodeUtf8 } from './utf8.js';
import { TEXT_PREFIXES } from './label-cache.js';
import { linePrefixes, type PrefixStyle } from './prefixes.js';

/** Content type of the Prometheus text format 0.0.4, as promhttp sends it. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const STYLE: PrefixStyle = { slot: TEXT_PREFIXES, formatBound: formatGoFloat };
const NEWLINE = 10;
const SPACE = 32;

const headers = new HeaderCache(
  (name, help, type) => '# HELP ' + name + ' ' + escapeHelpText(help) + '\n# TYPE ' + name + ' ' + type + '\n',
);

/** Last output size, so the next scrape's buffer rarely has to grow. */
let sizeHint = 64 * 1024;

/** Encodes families in the Prometheus text format 0.0.4, byte for byte as client_golang's expfmt does. */
export function encodeText(families: readonly FamilySnapshot[]): Uint8Array {
  const sink = new ByteSink(sizeHint);
  for (let i = 0; i < families.length; i++) writeFamily(sink, families[i]!);
  sizeHint = sink.length + (sink.length >> 3);
  return sink.result();
}

/** The text format as a string (see encodeText, which is what the `/metrics` handler sends). */
export function formatText(families: readonly FamilySnapshot[]): string {
  return decodeUtf8(encodeText(families));
}

/** @deprecated Use formatText (a string) or encodeText (bytes); this returns exactly what formatText does. */
export function writeText(families: readonly FamilySnapshot[]): string {
  return formatText(families);
}

function writeFamily(sink: ByteSink, family: FamilySnapshot): void {
  const name = family.name;
  sink.bytes(headers.get(name, family.help, family.type, ''));
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
        const n = buckets.length;
        for (let i = 0; i < n; i++) sample(sink, p[i]!, buckets[i]!, ts);
        const infSeen = series.ownRanks === undefined ? familyInfSeen : series.ownRanks.includes(Infinity);
        if (!infSeen) sample(sink, p[n]!, series.count, ts);
        sample(sink, p[n + 1]!, series.sum, ts);
        sample(sink, p[n + 2]!, series.count, ts);
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
        for (let i = 0; i < n; i++) sample(sink, p[i]!, quantiles![i]!, ts);
        sample(sink, p[n]!, series.sum, ts);
        sample(sink, p[n + 1]!, series.count, ts);
      }
      return;
    default:
      for (let s = 0; s < all.length; s++) {
        const series = all[s]!;
        sample(sink, linePrefixes(family, series.labels, STYLE)[0]!, series.value, series.timestampMs);
      }
  }
}

function sample(sink: ByteSink, prefix: Uint8Array, value: number, timestampMs: number | undefined): void {
  sink.bytes(prefix);
  writeGo(sink, value);
  if (timestampMs !== undefined) {
    sink.byte(SPACE);
    sink.ascii(String(Math.trunc(timestampMs)));
  }
  sink.byte(NEWLINE);
}
