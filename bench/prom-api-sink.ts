/**
 * A workload sink over any library with prom-client's API (prom-client itself, zerotel/prom-client), so
 * both record the same values through the same calls.
 */
import type { WorkloadSink } from './workloads.js';

/** The part of prom-client's API a workload uses. */
export interface PromApi {
  Counter: new (config: any) => { labels(...values: string[]): { inc(v?: number): void } };
  Gauge: new (config: any) => { labels(...values: string[]): { set(v: number): void } };
  Histogram: new (config: any) => { labels(...values: string[]): { observe(v: number): void } };
}

export function promApiSink(lib: PromApi, registry: unknown): WorkloadSink {
  const registers = [registry];
  return {
    counter(name, help, labelNames) {
      const metric = new lib.Counter({ name, help, labelNames: [...labelNames], registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.inc(v);
      };
    },
    gauge(name, help, labelNames) {
      const metric = new lib.Gauge({ name, help, labelNames: [...labelNames], registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.set(v);
      };
    },
    histogram(name, help, labelNames) {
      const metric = new lib.Histogram({ name, help, labelNames: [...labelNames], registers });
      return (values) => {
        const child = metric.labels(...values);
        return (v) => child.observe(v);
      };
    },
  };
}
