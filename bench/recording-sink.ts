/**
 * Remembers every series a workload creates through a sink, so the benchmark can change all of them
 * between two timed scrapes: the same changes, in the same order, for every peer.
 */
import { mulberry32, type WorkloadSink } from './workloads.js';

type Kind = 'counter' | 'gauge' | 'histogram';

interface Recorded {
  readonly kind: Kind;
  readonly record: (v: number) => void;
}

/** Value ranges of the changes: gauges are set within [0, gauge), histograms observe within [0, histogram). */
export interface ChangeScale {
  readonly gauge: number;
  readonly histogram: number;
}

export interface RecordingSink {
  readonly sink: WorkloadSink;
  /** How many series were created. */
  readonly size: () => number;
  /**
   * A function that changes every series once: counters `add(1)`, gauges `set(r * scale.gauge)`, histograms
   * `observe(r * scale.histogram)`, with r from its own mulberry32 stream (the same seed gives every peer
   * the same values).
   */
  readonly changer: (scale: ChangeScale, seed?: number) => () => void;
}

export function recordingSink(inner: WorkloadSink): RecordingSink {
  const series: Recorded[] = [];
  const wrap =
    (kind: Kind, make: WorkloadSink[Kind]): WorkloadSink[Kind] =>
    (name, help, labelNames) => {
      const family = make(name, help, labelNames);
      return (values) => {
        const record = family(values);
        series.push({ kind, record });
        return record;
      };
    };
  return {
    sink: {
      counter: wrap('counter', inner.counter.bind(inner)),
      gauge: wrap('gauge', inner.gauge.bind(inner)),
      histogram: wrap('histogram', inner.histogram.bind(inner)),
    },
    size: () => series.length,
    changer(scale, seed = 7) {
      const r = mulberry32(seed);
      return () => {
        for (let i = 0; i < series.length; i++) {
          const s = series[i]!;
          if (s.kind === 'counter') s.record(1);
          else if (s.kind === 'gauge') s.record(r() * scale.gauge);
          else s.record(r() * scale.histogram);
        }
      };
    },
  };
}
