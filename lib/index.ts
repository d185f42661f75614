/** zerotel: zero-dependency metrics (client_golang-exact exposition), runtime metrics and tracing for Node.js. */

export * from './metrics/index.js';
export * from './http/index.js';

// The tracing API, as lib/trace/index.ts defines it.
export * from './trace/index.js';
export * from './runtime/index.js';
export * from './otlp/index.js';
export * from './push/index.js';
