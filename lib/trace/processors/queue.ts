/**
 * Where a batch processor keeps spans between `onEnd` and their export. The processor owns the limits
 * (capacity, batch size) and the timing; a queue only stores spans and knows how its batches are exported.
 */
import type { ExportResult, SpanData } from '../span-data.js';

/** A batch taken from a queue: the spans of one export call. */
export interface QueuedBatch {
  readonly length: number;
}

export interface SpanQueue<B extends QueuedBatch = QueuedBatch> {
  /**
   * Appends a span (the processor checked the capacity). False when it could not be stored (encoding
   * failed): the span is then lost and the processor counts it.
   */
  push(span: SpanData): boolean;
  /** Removes the oldest `count` spans as one batch (`count` is at most the batch size and the spans queued). */
  take(count: number): B;
  /** Exports a batch through the exporter (see export-call.ts); never rejects. */
  send(batch: B): Promise<ExportResult>;
  /** The exporter is done with `batch` (its call settled): its storage may be reused. */
  release(batch: B): void;
  /** Forgets every queued span. */
  clear(): void;
}
