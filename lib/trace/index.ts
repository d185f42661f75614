/**
 * The tracing API: tracer, spans, context, W3C propagation, samplers and span processors, and the
 * OTLP/HTTP exporter. Runs on every runtime: nothing here imports node:* while loading (see
 * context-storage.ts for how the active context is kept where AsyncLocalStorage is missing).
 */

export {
  SpanKind,
  StatusCode,
  type AttributeValue,
  type AttributeValueInput,
  type AttributesInput,
  type Attributes,
  type ExportResult,
  type HrTime,
  type InstrumentationScope,
  type Resource,
  type SpanData,
  type SpanEvent,
  type SpanExporter,
  type SpanLink,
  type SpanStatus,
} from './span-data.js';
export {
  INVALID_SPAN_CONTEXT,
  NonRecordingSpan,
  RecordingSpan,
  TraceFlags,
  isSpanContextValid,
  setSpanContext,
  type Link,
  type Span,
  type SpanContext,
  type SpanContextInput,
  type SpanProcessor,
  type SpanStatusInput,
} from './span.js';
export {
  type Context,
  ROOT_CONTEXT,
  context,
  createContextKey,
  deleteSpan,
  getActiveSpan,
  getSpan,
  getSpanContext,
  isTracingSuppressed,
  setSpan,
  suppressTracing,
  withSpan,
} from './context.js';
export { AsyncLocalStorageContextManager } from './context-manager.js';
export {
  isAsyncContextAvailable,
  useAsyncLocalStorage,
  type AsyncLocalStorageClass,
  type ContextStorage,
} from './context-storage.js';
export {
  Baggage,
  baggageEntryMetadataFromString,
  deleteBaggage,
  getBaggage,
  setBaggage,
  type BaggageEntry,
  type BaggageEntryMetadata,
  type BaggageLike,
} from './baggage.js';
export {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagatorFromEnv,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from './propagators.js';
export {
  Tracer,
  TracerProvider,
  createResource,
  defaultResource,
  isSdkDisabled,
  parseResourceAttributes,
  type SpanOptions,
  type TracerOptions,
  type TracerProviderOptions,
} from './tracer.js';
export {
  RESOURCE_DETECTORS,
  detectResourceAttributes,
  resourceDetectorsFromEnv,
  type ResourceDetector,
} from './resource-detectors.js';
export {
  INVALID_SPAN_ID,
  INVALID_TRACE_ID,
  RandomIdGenerator,
  isValidSpanId,
  isValidTraceId,
  type IdGenerator,
  type RandomIdGeneratorOptions,
} from './ids.js';
export {
  DEFAULT_SPAN_LIMITS,
  resolveSpanLimits,
  sanitizeAttributeValue,
  type SpanLimits,
} from './attributes.js';
export { compareHrTime, now as hrNow, toHrTime, type TimeInput } from './time.js';
export {
  MAX_TRACESTATE_LENGTH,
  MAX_TRACESTATE_MEMBERS,
  TraceState,
  isValidTraceStateKey,
  isValidTraceStateValue,
} from './trace-state.js';
export {
  TRACEPARENT,
  TRACESTATE,
  extract,
  formatTraceParent,
  inject,
  parseTraceParent,
  type HeaderGetter,
  type HeaderSetter,
  type TraceParent,
} from './propagation.js';
export {
  AlwaysOffSampler,
  AlwaysOnSampler,
  KNOWN_SAMPLERS,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  samplerFromEnv,
  type ParentBasedOptions,
  type Sampler,
  type SamplingResult,
} from './sampler.js';
/** The one error of every configuration check (options and OTEL_* variables), listing each problem. */
export { ConfigError } from '../config/config-error.js';
export {
  BATCH_DEFAULTS,
  BatchConfigError,
  resolveBatchConfig,
  type BatchConfig,
  type BatchSpanProcessorOptions,
} from './processors/batch-config.js';
export type { BatchObserver, BatchQueueView, DropReason, ExportOutcome } from './processors/batch-observer.js';
export { BatchSpanProcessor, type BatchStats } from './processors/batch-span-processor.js';
export { SimpleSpanProcessor } from './processors/simple-span-processor.js';
export {
  OtlpHttpTraceExporter,
  type OtlpHttpTraceExporterOptions,
  type SpanExporterStats,
} from '../otlp/http-trace-exporter.js';
