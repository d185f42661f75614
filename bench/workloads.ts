/**
 * The standard workloads (W1 service, W2 small, W3 high cardinality), defined once and built through a
 * small adapter so every peer (zerotel, prom-client, the floor) records exactly the same values.
 */

/** mulberry32 with uint32 arithmetic, returning uint32 / 2^32: the workloads' shared PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a peer must offer to build a workload: one family at a time, one bound series at a time. */
export interface WorkloadSink {
  counter(
    name: string,
    help: string,
    labelNames: readonly string[],
  ): (values: readonly string[]) => (v: number) => void;
  gauge(name: string, help: string, labelNames: readonly string[]): (values: readonly string[]) => (v: number) => void;
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
  ): (values: readonly string[]) => (v: number) => void;
}

export const W1_LABEL_NAMES = ['method', 'code', 'handler'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const CODES = ['200', '201', '400', '404', '500'];
const HANDLERS = ['v1/data', 'v1/policies', 'v1/query', 'health', 'metrics'];

/** The 100 W1 label sets: method outermost, then code, then handler. */
export const W1_LABEL_SETS: readonly (readonly string[])[] = METHODS.flatMap((m) =>
  CODES.flatMap((c) => HANDLERS.map((h) => [m, c, h] as const)),
);

/** Records W1 (30 families, 3,000 series) into the sink, consuming the PRNG in the workload's order. */
export function buildW1(sink: WorkloadSink, r: () => number = mulberry32(42)): void {
  for (let i = 0; i < 10; i++) {
    const family = sink.counter(`w1_requests_${i}_total`, `W1 requests counter ${i}.`, W1_LABEL_NAMES);
    for (const set of W1_LABEL_SETS) family(set)(Math.floor(r() * 1e6));
  }
  for (let i = 0; i < 10; i++) {
    const family = sink.gauge(`w1_inflight_${i}`, `W1 in-flight gauge ${i}.`, W1_LABEL_NAMES);
    for (const set of W1_LABEL_SETS) family(set)(r() * 1000);
  }
  for (let i = 0; i < 10; i++) {
    const family = sink.histogram(`w1_duration_${i}_seconds`, `W1 duration histogram ${i}.`, W1_LABEL_NAMES);
    for (const set of W1_LABEL_SETS) {
      const observe = family(set);
      for (let k = 0; k < 20; k++) observe(r() * 12);
    }
  }
}

/** Records W2 (30 families, label `handler` in a, b, c) into the sink. */
export function buildW2(sink: WorkloadSink, r: () => number = mulberry32(42)): void {
  const sets = [['a'], ['b'], ['c']];
  for (let i = 0; i < 10; i++) {
    const family = sink.counter(`w2_c${i}_total`, `W2 counter ${i}.`, ['handler']);
    for (const set of sets) family(set)(Math.floor(r() * 1000));
  }
  for (let i = 0; i < 10; i++) {
    const family = sink.gauge(`w2_g${i}`, `W2 gauge ${i}.`, ['handler']);
    for (const set of sets) family(set)(r() * 100);
  }
  for (let i = 0; i < 10; i++) {
    const family = sink.histogram(`w2_h${i}_seconds`, `W2 histogram ${i}.`, ['handler']);
    for (const set of sets) {
      const observe = family(set);
      for (let k = 0; k < 5; k++) observe(r() * 3);
    }
  }
}

/** Records W3 (one counter, 100,000 series) into the sink. */
export function buildW3(sink: WorkloadSink): void {
  const family = sink.counter('w3_hits_total', 'W3 hits per user.', ['id']);
  for (let n = 0; n < 100_000; n++) family([`user-${n}`])(n);
}
