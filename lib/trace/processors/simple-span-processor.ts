/** Exports each span as it ends: for tests and debugging. */
import type { SpanData, SpanExporter } from '../span-data.js';
import { type Span, type SpanProcessor, TraceFlags } from '../span.js';
import { TIMED_OUT, callExport, withTimeout } from './export-call.js';

/**
 * Exports each sampled span as it ends, one call at a time (calls are chained, so the exporter still
 * never sees two at once). For tests and debugging: no batching, no queue limit.
 */
export class SimpleSpanProcessor implements SpanProcessor {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private shutdownResult: Promise<boolean> | undefined;

  constructor(private readonly exporter: SpanExporter) {}

  onStart(_span: Span): void {}

  onEnd(span: SpanData): void {
    if (this.closed || (span.traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.chain = this.chain.then(() => callExport(() => this.exporter.export([span])).then(() => undefined));
  }

  async forceFlush(timeoutMillis = 30000): Promise<boolean> {
    return (await withTimeout(this.chain, Math.max(1, timeoutMillis), true)) !== TIMED_OUT;
  }

  shutdown(timeoutMillis = 30000): Promise<boolean> {
    this.shutdownResult ??= (async () => {
      this.closed = true;
      const deadline = performance.now() + timeoutMillis;
      const flushed = await this.forceFlush(timeoutMillis);
      const left = Math.max(1, deadline - performance.now());
      let closed: boolean;
      try {
        closed =
          (await withTimeout(
            Promise.resolve(this.exporter.shutdown()).then(() => true),
            left,
            true,
          )) === true;
      } catch {
        closed = false;
      }
      return flushed && closed;
    })();
    return this.shutdownResult;
  }
}
