/**
 * The span processors, as this path has always exported them (they live in processors/). Importing this
 * module also loads the metrics binding, so the processor's `registry` option works for its importers.
 */
export { BATCH_DEFAULTS, BatchConfigError, MAX_QUEUE_SIZE, resolveBatchConfig } from './processors/batch-config.js';
export type { BatchConfig, BatchSpanProcessorOptions } from './processors/batch-config.js';
export type { BatchObserver, DropReason, ExportOutcome } from './processors/batch-observer.js';
export { BatchSpanProcessor, type BatchStats } from './processors/batch-span-processor.js';
export { SimpleSpanProcessor } from './processors/simple-span-processor.js';
export { batchMetrics } from './processors/batch-metrics.js';
