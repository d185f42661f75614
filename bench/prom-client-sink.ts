/** A workload sink that records into a prom-client registry, the peer every zerotel figure is compared with. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WorkloadSink } from './workloads.js';

export function promClientSink(registry: Registry): WorkloadSink {
  const registers = [registry];
  return {
    counter(name, help, labelNames) {
      const metric = new Counter({ name, help, labelNames: [...labelNames], registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.inc(v);
      };
    },
    gauge(name, help, labelNames) {
      const metric = new Gauge({ name, help, labelNames: [...labelNames], registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.set(v);
      };
    },
    histogram(name, help, labelNames) {
      const metric = new Histogram({ name, help, labelNames: [...labelNames], registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.observe(v);
      };
    },
  };
}
