/**
 * The Prometheus series a decoded OTLP metrics request stands for (the reverse of the push mapping), so a
 * test can compare what a receiver got with what the text format shows, series by series and value by value.
 */
import { formatGo } from '../../lib/exposition/numbers.js';
import type { TextSeries } from '../push/text-series.js';

function labelsOf(attributes: any[]): Record<string, string> {
  return Object.fromEntries(attributes.map((kv: any) => [kv.key, kv.value.stringValue]));
}

/** Series of a decoded ExportMetricsServiceRequest (plain object, 64-bit integers as strings). */
export function otlpSeries(decoded: any): TextSeries[] {
  const out: TextSeries[] = [];
  for (const rm of decoded.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        const name: string = m.name;
        if (m.sum || m.gauge) {
          for (const p of (m.sum ?? m.gauge).dataPoints)
            out.push({ labels: { ...labelsOf(p.attributes), __name__: name }, value: p.asDouble });
        } else if (m.histogram) {
          for (const p of m.histogram.dataPoints) {
            const labels = labelsOf(p.attributes);
            let cumulative = 0;
            p.bucketCounts.forEach((c: string, i: number) => {
              cumulative += Number(c);
              const le = i < p.explicitBounds.length ? formatGo(p.explicitBounds[i]) : '+Inf';
              out.push({ labels: { ...labels, le, __name__: `${name}_bucket` }, value: cumulative });
            });
            out.push({ labels: { ...labels, __name__: `${name}_sum` }, value: p.sum });
            out.push({ labels: { ...labels, __name__: `${name}_count` }, value: Number(p.count) });
          }
        } else if (m.summary) {
          for (const p of m.summary.dataPoints) {
            const labels = labelsOf(p.attributes);
            for (const q of p.quantileValues)
              out.push({ labels: { ...labels, quantile: formatGo(q.quantile), __name__: name }, value: q.value });
            out.push({ labels: { ...labels, __name__: `${name}_sum` }, value: p.sum });
            out.push({ labels: { ...labels, __name__: `${name}_count` }, value: Number(p.count) });
          }
        }
      }
    }
  }
  return out;
}
