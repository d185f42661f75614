import { Counter, Gauge, Histogram, type Registry } from '../lib/index.js';
import type { NativeHistogramOptions } from '../lib/metrics/native-histogram.js';
import type { WorkloadSink } from './workloads.js';

/** A workload sink that records into a zerotel registry; `native` makes its histograms native ones too. */
export function zerotelSink(
  registry: Registry,
  native: NativeHistogramOptions & { readonly buckets?: readonly number[] } = {},
): WorkloadSink {
  const registers = [registry];
  return {
    counter(name, help, labelNames) {
      const metric = new Counter({ name, help, labelNames, registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.add(v);
      };
    },
    gauge(name, help, labelNames) {
      const metric = new Gauge({ name, help, labelNames, registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.set(v);
      };
    },
    histogram(name, help, labelNames) {
      const metric = new Histogram({ name, help, labelNames, registers, ...native });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.observe(v);
      };
    },
  };
}
