/**
 * What a push engine (an OTLP metric exporter, a remote write client) reports about its deliveries, for a
 * binding to turn into metrics (see push-metrics.ts). Engines know nothing of metric classes.
 */
export interface PushObserver {
  /** `count` items (points, samples) the receiver accepted. */
  delivered(count: number): void;
  /** `count` items not delivered, by reason (`http_400`, `unavailable`, `shutdown`, a gRPC code name...). */
  failed(count: number, reason: string): void;
  /** An attempt is about to be repeated after a retryable failure with this reason. */
  retried(reason: string): void;
}
