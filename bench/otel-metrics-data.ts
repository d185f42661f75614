/**
 * The same points as a zerotel snapshot, in OpenTelemetry JS's `ResourceMetrics` shape: what its
 * serializers take. Used by the bench (encode cost side by side) and by the tests (decode-equal output).
 * Counters, gauges and histograms only: OpenTelemetry JS has no Summary data point type.
 */
import type { HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { FamilySnapshot } from '../lib/metrics/snapshot.js';
import type { MetricsEnvelope } from '../lib/otlp/metrics-model.js';
import { otelUnit } from '../lib/otlp/metrics-model.js';

/** Milliseconds since the epoch as an HrTime. */
export function msToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

const ZERO: HrTime = [0, 0];

/** Builds OpenTelemetry JS's input for the families (summaries left out), stamped `timeMs`. */
export function toOtelResourceMetrics(
  families: readonly FamilySnapshot[],
  envelope: MetricsEnvelope,
  timeMs: number,
): ResourceMetrics {
  const end = msToHrTime(timeMs);
  const metrics: MetricData[] = [];
  for (const family of families) {
    if (family.series.length === 0 || family.type === 'summary') continue;
    const descriptor = {
      name: family.name,
      description: family.help,
      unit: otelUnit(family.unit),
      valueType: 1 /* DOUBLE */,
    };
    const points = family.series.map((s) => {
      const attributes: Record<string, string> = {};
      s.labels.names.forEach((n, i) => (attributes[n] = s.labels.values[i]!));
      return { s, attributes, startTime: s.createdMs === undefined ? ZERO : msToHrTime(s.createdMs), endTime: end };
    });
    if (family.type === 'counter') {
      metrics.push({
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: points.map((p) => ({
          attributes: p.attributes,
          startTime: p.startTime,
          endTime: p.endTime,
          value: p.s.value,
        })),
      });
    } else if (family.type === 'histogram') {
      const boundaries = [...(family.upperBounds ?? [])];
      metrics.push({
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: points.map((p) => {
          const cumulative = p.s.buckets ?? [];
          const counts: number[] = [];
          let previous = 0;
          for (let i = 0; i < cumulative.length; i++) {
            counts.push(cumulative[i]! - previous);
            previous = cumulative[i]!;
          }
          counts.push(p.s.count - previous);
          return {
            attributes: p.attributes,
            startTime: p.startTime,
            endTime: p.endTime,
            value: { buckets: { boundaries, counts }, sum: p.s.sum, count: p.s.count },
          };
        }),
      });
    } else {
      metrics.push({
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: points.map((p) => ({
          attributes: p.attributes,
          startTime: ZERO,
          endTime: p.endTime,
          value: p.s.value,
        })),
      });
    }
  }
  return {
    resource: resourceFromAttributes(envelope.resource),
    scopeMetrics: [{ scope: { name: envelope.scope.name, version: envelope.scope.version }, metrics }],
  };
}
