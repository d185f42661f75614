/**
 * What the codes in measure names mean, for readers who don't know the workloads (their exact definitions are
 * in the workload document the benches implement).
 */
export const GLOSSARY: readonly (readonly [code: string, meaning: string])[] = [
  ['W1', 'a busy API server: 30 families (counters, gauges, histograms), 3,000 series, 16,000 lines of text'],
  ['W2', 'a small service: 30 families, about 600 lines; the fixed cost of one scrape'],
  ['W3', 'high cardinality: one counter with 100,000 label values'],
  ['H1', 'inc() on a counter child bound once'],
  ['H2', 'label lookup, then inc()'],
  ['H3', 'observe() on a histogram child bound once, default buckets'],
  ['H4', 'label lookup, then observe()'],
  ['H2r, H4r', 'H2 and H4 rotating over W1’s 100 label sets'],
  ['R1', 'one collect of the go_* runtime set'],
  ['R2', 'a text scrape of every runtime set (go_*, process_*, nodejs_*)'],
  ['T1', 'encoding a batch of 512 finished spans as an OTLP export request'],
  ['E1', 'spans exported end to end through the batch processor to a gRPC receiver on loopback'],
  ['H3n', 'H3 with native (sparse) buckets on as well'],
  ['W1n', 'W1 gathered and written as protobuf with native histograms'],
  ['C1', 'through zerotel/prom-client: labels(...).inc(), rotating over W1’s label sets'],
  ['C2', 'through zerotel/prom-client: inc({labels})'],
  ['C3', 'through zerotel/prom-client: observe({labels}, v)'],
  ['C4', 'through zerotel/prom-client: register.metrics() on W1'],
  ['C5', 'through zerotel/prom-client: aggregating W1 from 4 cluster workers'],
  ['floor', 'only writing the same bytes (precomputed lines into a buffer): the least any writer can cost'],
  ['peer / zerotel', 'how many times cheaper zerotel is than that peer (above 1: zerotel wins)'],
];

/** The glossary entries whose code appears in one of `names`. */
export function glossaryFor(names: readonly string[]): (readonly [string, string])[] {
  const text = names.join('\n');
  return GLOSSARY.filter(([code]) =>
    code.includes('/') || code === 'floor' ? true : code.split(', ').some((c) => new RegExp(`\\b${c}\\b`).test(text)),
  );
}
