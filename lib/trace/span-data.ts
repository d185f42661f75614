/**
 * The contract between tracing and exporting: a finished span as plain data. The tracer produces it,
 * the batch processor queues it, the OTLP encoder writes it. Nothing here knows about the wire: an
 * exporter that encodes spans as they end hands out {@link EncodedSpanBatch}es, opaque here, which
 * processors/encoded-queue.ts queues. This module imports nothing, so every other one may import it.
 */

/** Spans already in an exporter's own form; see {@link SpanExporter.createEncodedBatch}. */
export interface EncodedSpanBatch {
  /** Spans in the batch. */
  readonly length: number;
  /** Encodes `span` into the batch; the span object itself is not kept. */
  add(span: SpanData): void;
  /** Forgets every span, keeping the storage for reuse. */
  clear(): void;
}

/** Time as [seconds since the Unix epoch, nanoseconds within that second], as OpenTelemetry JS keeps it. */
export type HrTime = readonly [seconds: number, nanos: number];

/**
 * An attribute value. Numbers that are safe integers are sent as OTLP int_value, others as double_value;
 * a bigint is always int_value (int64); Uint8Array is bytes_value; arrays and plain objects nest. A null
 * array element (kept as the attribute rules ask) is an AnyValue with nothing set.
 */
export type AttributeValue =
  | string
  | boolean
  | number
  | bigint
  | Uint8Array
  | readonly (AttributeValue | null)[]
  | { readonly [key: string]: AttributeValue };

export type Attributes = { readonly [key: string]: AttributeValue };

/**
 * Attributes as callers give them. Any value is accepted, as @opentelemetry/api (whose AnyValue is
 * `unknown`) accepts it; what a span keeps is checked on the way in (see sanitizeAttributeValue):
 * invalid values are dropped, undefined ones ignored, null array elements kept.
 */
export type AttributesInput = { readonly [key: string]: AttributeValueInput };

/** One attribute value as callers give it (see {@link AttributesInput}). */
export type AttributeValueInput = unknown;

/**
 * Span kinds, numbered as @opentelemetry/api's SpanKind, so a kind given through the api means the
 * same here. The OTLP encoder maps them to the wire's numbers (which start at 1, 0 being UNSPECIFIED).
 */
export const SpanKind = {
  INTERNAL: 0,
  SERVER: 1,
  CLIENT: 2,
  PRODUCER: 3,
  CONSUMER: 4,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** Status codes: @opentelemetry/api's SpanStatusCode and OTLP's number them alike. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface SpanStatus {
  readonly code: StatusCode;
  readonly message: string;
}

export interface SpanEvent {
  readonly name: string;
  readonly time: HrTime;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface SpanLink {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  readonly traceState: string;
  /** W3C trace flags of the linked span context (bit 0: sampled). */
  readonly traceFlags: number;
  /** Whether the linked context came from another process; undefined when not known. */
  readonly isRemote?: boolean | undefined;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

/** What produced the telemetry: `service.name` and friends. Shared by many spans (compare by identity). */
export interface Resource {
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  /** The semantic-conventions schema the attributes follow (ResourceSpans.schema_url). */
  readonly schemaUrl?: string;
}

/** The instrumentation library that created the span. Shared by many spans (compare by identity). */
export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: Attributes;
  /** The schema the scope's telemetry follows (ScopeSpans.schema_url), as `getTracer` options give it. */
  readonly schemaUrl?: string;
}

/** A finished span. */
export interface SpanData {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  readonly spanId: string;
  /** 16 lowercase hex digits, or '' for a root span. */
  readonly parentSpanId: string;
  /** Whether the parent came from another process; undefined when not known (OTLP flag bits 8-9). */
  readonly parentIsRemote?: boolean | undefined;
  /** The W3C `tracestate` header value, '' when none. */
  readonly traceState: string;
  /** W3C trace flags (bit 0: sampled). */
  readonly traceFlags: number;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
}

/** The outcome of one export, as a value: the batch processor decides what to count and log. */
export type ExportResult =
  | { readonly kind: 'success'; readonly rejectedSpans?: number; readonly message?: string }
  | { readonly kind: 'failure'; readonly error: Error; readonly retryable: false };

/** Where finished spans go: the OTLP exporter, or a test double. */
export interface SpanExporter {
  /** Exports one batch; never rejects (failures are results). Called with at most one batch in flight. */
  export(spans: readonly SpanData[]): Promise<ExportResult>;
  /** Waits for in-flight work (bounded by the exporter's own timeouts) and releases resources. */
  shutdown(): Promise<void>;
  /**
   * Optional, with {@link exportEncoded}: a new, empty batch into which a batch processor encodes
   * spans as they end, so that it keeps their wire form instead of the span objects.
   */
  createEncodedBatch?(): EncodedSpanBatch;
  /**
   * Optional, with {@link createEncodedBatch}: exports a batch made by it, as `export` does (never
   * rejects, at most one call in flight). The batch is not used after the returned promise settles.
   */
  exportEncoded?(batch: EncodedSpanBatch): Promise<ExportResult>;
}
