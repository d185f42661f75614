/**
 * The queue of encoded spans, for exporters that offer `createEncodedBatch` and `exportEncoded`: each span
 * is encoded into the last batch as it ends, so the queue holds wire bytes instead of span objects.
 */
import type { EncodedSpanBatch, ExportResult, SpanData, SpanExporter } from '../span-data.js';
import { callExport } from './export-call.js';
import type { SpanQueue } from './queue.js';

/** An exporter that can encode spans as they end. */
export type EncodingSpanExporter = SpanExporter & Required<Pick<SpanExporter, 'createEncodedBatch' | 'exportEncoded'>>;

export function isEncodingExporter(exporter: SpanExporter): exporter is EncodingSpanExporter {
  return typeof exporter.createEncodedBatch === 'function' && typeof exporter.exportEncoded === 'function';
}

export class EncodedBatchQueue implements SpanQueue<EncodedSpanBatch> {
  /** The queue, as batches in order (only the last one may be filling). */
  private readonly batches: EncodedSpanBatch[] = [];
  /** Emptied batches kept for reuse. */
  private readonly spare: EncodedSpanBatch[] = [];
  /** As many spare batches as the queue can fill, and the one in flight. */
  private readonly keep: number;

  constructor(
    private readonly exporter: EncodingSpanExporter,
    capacity: number,
    private readonly batchSize: number,
  ) {
    this.keep = Math.ceil(capacity / batchSize) + 1;
  }

  push(span: SpanData): boolean {
    try {
      const queue = this.batches;
      let tail = queue[queue.length - 1];
      if (tail === undefined || tail.length >= this.batchSize) {
        tail = this.spare.pop() ?? this.exporter.createEncodedBatch();
        queue.push(tail);
      }
      tail.add(span);
      return true;
    } catch {
      return false;
    }
  }

  /** Batches fill in order up to the batch size, so the first one holds exactly the `count` oldest spans. */
  take(_count: number): EncodedSpanBatch {
    return this.batches.shift()!;
  }

  send(batch: EncodedSpanBatch): Promise<ExportResult> {
    return callExport(() => this.exporter.exportEncoded(batch));
  }

  release(batch: EncodedSpanBatch): void {
    batch.clear();
    if (this.spare.length < this.keep) this.spare.push(batch);
  }

  clear(): void {
    for (const batch of this.batches) this.release(batch);
    this.batches.length = 0;
  }
}
