import type { ExpositionFormat } from './render.js';
import { OPENMETRICS_CONTENT_TYPE } from './openmetrics.js';
import { PROTOBUF_CONTENT_TYPE } from './protobuf.js';
import { TEXT_CONTENT_TYPE } from './text.js';

/** The format chosen for a scrape and the exact Content-Type to send with it. */
export interface Negotiated {
  readonly format: ExpositionFormat;
  readonly contentType: string;
}

const TEXT: Negotiated = { format: 'text', contentType: TEXT_CONTENT_TYPE };
const PROTOBUF: Negotiated = { format: 'protobuf', contentType: PROTOBUF_CONTENT_TYPE };
const OPENMETRICS_1: Negotiated = { format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE };
const OPENMETRICS_0: Negotiated = {
  format: 'openmetrics',
  contentType: 'application/openmetrics-text; version=0.0.1; charset=utf-8',
};

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly params: ReadonlyMap<string, string>;
}

/**
 * Picks the exposition format for an Accept header the way promhttp does (with OpenMetrics enabled):
 * media ranges by descending q (specific before wildcards), the first one we can serve wins, text otherwise.
 * Covers what Prometheus 2.x and 3.x send, e.g. protobuf first when native histograms are on.
 */
export function negotiate(accept: string | undefined): Negotiated {
  if (accept === undefined || accept === '') return TEXT;
  for (const range of parseAccept(accept)) {
    const version = range.params.get('version') ?? '';
    const media = range.type + '/' + range.subtype;
    if (
      media === 'application/vnd.google.protobuf' &&
      range.params.get('proto') === 'io.prometheus.client.MetricFamily' &&
      range.params.get('encoding') === 'delimited'
    ) {
      return PROTOBUF;
    }
    if (media === 'text/plain' && (version === '0.0.4' || version === '')) return TEXT;
    if (media === 'application/openmetrics-text') {
      if (version === '1.0.0') return OPENMETRICS_1;
      if (version === '0.0.1' || version === '') return OPENMETRICS_0;
    }
  }
  return TEXT;
}

/** True when the Accept-Encoding header allows gzip (a `q=0` refuses it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  for (const part of acceptEncoding.split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim());
    if (coding?.toLowerCase() !== 'gzip') continue;
    const q = params.find((p) => p.toLowerCase().startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaRange = '', ...rawParams] = part.trim().split(';');
    const slash = mediaRange.split('/');
    const type = slash[0]!.trim().toLowerCase();
    let subtype: string;
    if (slash.length === 1 && type === '*') subtype = '*';
    else if (slash.length === 2) subtype = slash[1]!.trim().toLowerCase();
    else continue;
    let q = 1;
    const params = new Map<string, string>();
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim();
      if (key === 'q') q = Number.isNaN(Number(value)) || value === '' ? 0 : Number(value);
      else params.set(key, value.replace(/^"(.*)"$/, '$1'));
    }
    ranges.push({ type, subtype, q, params });
  }
  // Stable: equal preference keeps the header's order.
  return ranges
    .map((range, index) => ({ range, index }))
    .sort((a, b) => preference(b.range) - preference(a.range) || a.index - b.index)
    .map((x) => x.range);
}

function preference(range: MediaRange): number {
  return range.q * 4 + (range.type !== '*' ? 2 : 0) + (range.subtype !== '*' ? 1 : 0);
}
