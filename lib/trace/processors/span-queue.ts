/** The queue of span objects, for any exporter: a ring buffer allocated once at the queue's capacity. */
import type { SpanData, SpanExporter } from '../span-data.js';
import { callExport } from './export-call.js';
import type { SpanQueue } from './queue.js';

export class SpanRingQueue implements SpanQueue<SpanData[]> {
  private readonly ring: (SpanData | undefined)[];
  private head = 0;
  private size = 0;

  constructor(
    private readonly exporter: SpanExporter,
    capacity: number,
  ) {
    this.ring = new Array<SpanData | undefined>(capacity).fill(undefined);
  }

  push(span: SpanData): boolean {
    let slot = this.head + this.size;
    if (slot >= this.ring.length) slot -= this.ring.length;
    this.ring[slot] = span;
    this.size++;
    return true;
  }

  take(count: number): SpanData[] {
    const spans = new Array<SpanData>(count);
    const ring = this.ring;
    let head = this.head;
    for (let i = 0; i < count; i++) {
      spans[i] = ring[head]!;
      ring[head] = undefined;
      if (++head === ring.length) head = 0;
    }
    this.head = head;
    this.size -= count;
    return spans;
  }

  send(spans: SpanData[]) {
    return callExport(() => this.exporter.export(spans));
  }

  release(_spans: SpanData[]): void {}

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
}
