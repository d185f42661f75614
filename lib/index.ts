/** zerotel: zero-dependency metrics (client_golang-exact exposition), runtime metrics and tracing for Node.js. */

// The bindings of the engines' `registry` options to the metrics engine: this entry has both, so it loads them
// (package.json lists them as side effects, so bundlers keep them).
import './trace/processors/batch-metrics.js';
import './otlp/exporter-metrics.js';

export * from './metrics/index.js';
export * from './http/index.js';

// The tracing API, as lib/trace/index.ts defines it.
export * from './trace/index.js';
export * from './runtime/index.js';
export * from './otlp/index.js';
export * from './push/index.js';
