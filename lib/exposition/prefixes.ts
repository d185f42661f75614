import type { FamilySnapshot, LabelSet } from '../metrics/snapshot.js';
import { utf8Length } from '../protobuf/writer.js';
import { type OPENMETRICS_PREFIXES, readSlot, type TEXT_PREFIXES, writeSlot } from './label-cache.js';
import { slabUtf8 } from './slab.js';

/** Which writer the prefixes are for: they differ in how `le` and `quantile` values are written. */
export interface PrefixStyle {
  readonly slot: typeof TEXT_PREFIXES | typeof OPENMETRICS_PREFIXES;
  readonly formatBound: (value: number) => string;
}

/**
 * The encoded line prefixes of one series (`name{labels} `, or one per bucket/quantile plus `_sum`, `_count`),
 * built once per series and reused by every scrape in this format.
 * Order: counter/gauge/untyped: [sample]; histogram: [buckets..., +Inf, _sum, _count];
 * summary: [quantiles..., _sum, _count].
 */
export function linePrefixes(
  family: FamilySnapshot,
  labels: LabelSet,
  style: PrefixStyle,
  ownRanks?: readonly number[],
): readonly Uint8Array[] {
  const ranks =
    ownRanks ??
    (family.type === 'histogram' ? family.upperBounds : family.type === 'summary' ? family.quantileRanks : null);
  const cached = readSlot(labels, style.slot);
  if (cached !== undefined && cached.family === family.name && cached.ranks === ranks) return cached.lines;
  const lines = encodeAll(buildPrefixes(family, labels.text, ranks, style));
  writeSlot(labels, style.slot, { family: family.name, ranks, lines });
  return lines;
}

/** Encodes the prefixes into one allocation, handing out views of it. */
function encodeAll(texts: readonly string[]): Uint8Array[] {
  const all = slabUtf8(texts.join(''));
  const views: Uint8Array[] = [];
  let offset = 0;
  for (const text of texts) {
    const length = utf8Length(text);
    views.push(all.subarray(offset, offset + length));
    offset += length;
  }
  return views;
}

function buildPrefixes(
  family: FamilySnapshot,
  labelText: string,
  ranks: readonly number[] | null,
  style: PrefixStyle,
): string[] {
  const name = family.name;
  const plain = labelText === '' ? ' ' : '{' + labelText + '} ';
  const open = labelText === '' ? '{' : '{' + labelText + ',';
  switch (family.type) {
    case 'histogram': {
      const lines = (ranks ?? []).map((b) => name + '_bucket' + open + 'le="' + style.formatBound(b) + '"} ');
      lines.push(name + '_bucket' + open + 'le="+Inf"} ', name + '_sum' + plain, name + '_count' + plain);
      return lines;
    }
    case 'summary': {
      const lines = (ranks ?? []).map((q) => name + open + 'quantile="' + style.formatBound(q) + '"} ');
      lines.push(name + '_sum' + plain, name + '_count' + plain);
      return lines;
    }
    default:
      return [name + plain];
  }
}
