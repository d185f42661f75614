import { type Env, processEnv } from '../config/env.js';
import { emitZerotelWarning } from '../host.js';
import { resolveSpanLimits, sanitizeAttributeValue, setOwn, type SpanLimits } from './attributes.js';
import { type Context, context, getSpanContext, isTracingSuppressed, setSpan } from './context.js';
import { type IdGenerator, RandomIdGenerator } from './ids.js';
import { detectResourceAttributes, type ResourceDetector, resourceDetectorsFromEnv } from './resource-detectors.js';
import { ZEROTEL_VERSION } from '../version.js';
import { type Sampler, SamplingDecision, samplerFromEnv } from './sampler.js';
import {
  type AttributeValue,
  type AttributesInput,
  type InstrumentationScope,
  type Resource,
  type SpanData,
  SpanKind,
} from './span-data.js';
import {
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Link,
  NonRecordingSpan,
  RecordingSpan,
  type Span,
  type SpanContext,
  type SpanProcessor,
  TraceFlags,
} from './span.js';
import { type TimeInput, toHrTime } from './time.js';
import { TraceState } from './trace-state.js';

/** How a span starts. */
export interface SpanOptions {
  /** Default INTERNAL. */
  readonly kind?: SpanKind;
  readonly attributes?: AttributesInput;
  readonly links?: readonly Link[];
  /** Default: now. */
  readonly startTime?: TimeInput;
  /** Start a new trace even if a span is active. */
  readonly root?: boolean;
}

export interface TracerProviderOptions {
  /** What produces the spans; default {@link defaultResource}(). */
  readonly resource?: Resource;
  /** Default {@link samplerFromEnv}(): ParentBased(AlwaysOn) unless OTEL_TRACES_SAMPLER says otherwise. */
  readonly sampler?: Sampler;
  /** Receive every recording span, in order. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Default 128 attributes, events, links, attributes per event and per link; no value length limit. */
  readonly spanLimits?: Partial<SpanLimits>;
  /** Default: {@link RandomIdGenerator}. */
  readonly idGenerator?: IdGenerator;
  /** Record nothing (every span non-recording). Default: OTEL_SDK_DISABLED=true. */
  readonly disabled?: boolean;
}

/** What `getTracer` accepts as its third argument: @opentelemetry/api's TracerOptions and scope attributes. */
export interface TracerOptions {
  /** The schema the scope's telemetry follows: sent as ScopeSpans.schema_url. */
  readonly schemaUrl?: string;
  readonly attributes?: AttributesInput;
}

/** Shared by a provider and its tracers. */
interface TracingState {
  readonly resource: Resource;
  readonly sampler: Sampler;
  readonly limits: SpanLimits;
  readonly ids: IdGenerator;
  readonly processor: SpanProcessor;
  shutdown: boolean;
}

/** True for the numbers of SpanKind: the integers 0 to 4. */
function isSpanKind(kind: unknown): kind is SpanKind {
  return typeof kind === 'number' && (kind | 0) === kind && kind >= SpanKind.INTERNAL && kind <= SpanKind.CONSUMER;
}

/** True when OTEL_SDK_DISABLED is "true" (any case): the SDK then records nothing. */
export function isSdkDisabled(env: Env = processEnv()): boolean {
  return (env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true';
}

/** Creates spans for one instrumentation scope. Get one from {@link TracerProvider.getTracer}. */
export class Tracer {
  /** @internal */
  constructor(
    private readonly state: TracingState,
    readonly scope: InstrumentationScope,
  ) {}

  /**
   * Starts a span, a child of the span in `parentContext` (default: the active context) unless
   * `options.root` is set. The span is not made active: see {@link startActiveSpan} or `withSpan`.
   * Unsampled spans, spans in a suppressed context and spans after shutdown are non-recording.
   */
  startSpan(name: string, options: SpanOptions = {}, parentContext?: Context): Span {
    const state = this.state;
    const ctx = parentContext ?? context.active();
    if (isTracingSuppressed(ctx)) return new NonRecordingSpan(INVALID_SPAN_CONTEXT);
    if (state.shutdown) {
      // Disabled or shut down: like the api's no-op tracer, pass the parent on so propagation still works.
      const passed = options.root === true ? undefined : getSpanContext(ctx);
      return new NonRecordingSpan(passed !== undefined && isSpanContextValid(passed) ? passed : INVALID_SPAN_CONTEXT);
    }
    const candidate = options.root === true ? undefined : getSpanContext(ctx);
    const parent = candidate !== undefined && isSpanContextValid(candidate) ? candidate : undefined;
    const traceId = parent === undefined ? state.ids.generateTraceId() : parent.traceId;
    const spanId = state.ids.generateSpanId();
    const kind = isSpanKind(options.kind) ? options.kind : SpanKind.INTERNAL;
    const spanName = typeof name === 'string' ? name : String(name);
    const result = state.sampler.shouldSample(parent, traceId, spanName, kind, options.attributes, options.links);
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags: result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState: result.traceState ?? (parent === undefined ? TraceState.EMPTY : TraceState.from(parent.traceState)),
      isRemote: false,
    };
    if (result.decision === SamplingDecision.NOT_RECORD) return new NonRecordingSpan(spanContext);
    const span = new RecordingSpan(
      state.processor,
      state.limits,
      state.resource,
      this.scope,
      spanContext,
      parent === undefined ? '' : parent.spanId,
      spanName,
      kind,
      toHrTime(options.startTime),
      parent === undefined ? false : parent.isRemote === true,
    );
    if (options.attributes !== undefined) span.initAttributes(options.attributes);
    if (result.attributes !== undefined) span.setAttributes(result.attributes);
    if (options.links !== undefined) span.addLinks(options.links);
    state.processor.onStart(span, ctx);
    return span;
  }

  /**
   * Starts a span and runs `fn(span)` with it active, returning what `fn` returns. The span is not
   * ended for you (as in OpenTelemetry): end it in `fn`, also when `fn` is async.
   */
  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    parentContext: Context | undefined,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> {
    let options: SpanOptions = {};
    let parentContext: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else {
      options = a;
      parentContext = b;
      fn = c as F;
    }
    const ctx = parentContext ?? context.active();
    const span = this.startSpan(name, options, ctx);
    return context.with(setSpan(ctx, span), fn, undefined, span) as ReturnType<F>;
  }
}

/** Hands spans to several processors in order. */
class MultiSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: readonly SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    for (const p of this.processors) p.onStart(span, parentContext);
  }

  onEnd(span: SpanData): void {
    for (const p of this.processors) p.onEnd(span);
  }

  async forceFlush(timeoutMillis?: number): Promise<boolean> {
    const results = await Promise.all(this.processors.map((p) => p.forceFlush(timeoutMillis)));
    return results.every(Boolean);
  }

  async shutdown(timeoutMillis?: number): Promise<boolean> {
    const results = await Promise.all(this.processors.map((p) => p.shutdown(timeoutMillis)));
    return results.every(Boolean);
  }
}

/**
 * The tracing SDK's root: resource, sampler, span processors, limits and id generator, shared by the
 * tracers it hands out.
 */
export class TracerProvider {
  private readonly state: TracingState;
  private readonly tracers = new Map<string, Tracer>();
  private shutdownResult: Promise<boolean> | undefined;

  constructor(options: TracerProviderOptions = {}) {
    const processors = [...(options.spanProcessors ?? [])];
    this.state = {
      resource: options.resource ?? defaultResource(),
      sampler: options.sampler ?? samplerFromEnv(),
      limits: resolveSpanLimits(options.spanLimits),
      ids: options.idGenerator ?? new RandomIdGenerator(),
      processor: processors.length === 1 ? processors[0]! : new MultiSpanProcessor(processors),
      shutdown: options.disabled ?? isSdkDisabled(),
    };
  }

  get resource(): Resource {
    return this.state.resource;
  }

  get sampler(): Sampler {
    return this.state.sampler;
  }

  get spanLimits(): SpanLimits {
    return this.state.limits;
  }

  /**
   * The tracer for an instrumentation scope; the same object for the same name, version and schema URL
   * (the api's `trace.getTracer(name, version, { schemaUrl })` lands here).
   */
  getTracer(name: string, version?: string, options: TracerOptions = {}): Tracer {
    const schemaUrl = typeof options?.schemaUrl === 'string' ? options.schemaUrl : '';
    const key = JSON.stringify([name, version ?? '', schemaUrl]);
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      const scope: InstrumentationScope = Object.freeze({
        name: String(name),
        version: String(version ?? ''),
        attributes: Object.freeze(copyAttributes(options?.attributes)),
        ...(schemaUrl === '' ? {} : { schemaUrl }),
      });
      tracer = new Tracer(this.state, scope);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /** Flushes every processor; true when all finished within the timeout. */
  forceFlush(timeoutMillis?: number): Promise<boolean> {
    return this.state.processor.forceFlush(timeoutMillis);
  }

  /** Stops recording (new spans are non-recording) and shuts every processor down. Idempotent. */
  shutdown(timeoutMillis?: number): Promise<boolean> {
    if (this.shutdownResult === undefined) {
      this.state.shutdown = true;
      this.shutdownResult = this.state.processor.shutdown(timeoutMillis);
    }
    return this.shutdownResult;
  }
}

function copyAttributes(input: AttributesInput | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (input === undefined || input === null) return out;
  for (const key of Object.keys(input)) {
    const value = sanitizeAttributeValue(input[key], Infinity);
    if (key !== '' && value !== undefined) setOwn(out, key, value);
  }
  return out;
}

/** A resource with these attributes (invalid values dropped, as for spans) and, if given, a schema URL. */
export function createResource(attributes: AttributesInput = {}, schemaUrl?: string): Resource {
  const attrs = Object.freeze(copyAttributes(attributes));
  return Object.freeze(
    typeof schemaUrl === 'string' && schemaUrl !== ''
      ? { attributes: attrs, droppedAttributesCount: 0, schemaUrl }
      : { attributes: attrs, droppedAttributesCount: 0 },
  );
}

function defaultWarn(message: string): void {
  emitZerotelWarning(message, 'ZEROTEL_RESOURCE');
}

/**
 * Parses OTEL_RESOURCE_ATTRIBUTES (`key=value,key=value`, values percent-encoded). On any error the
 * whole value is discarded and a warning given, as the OpenTelemetry spec asks.
 */
export function parseResourceAttributes(
  text: string | undefined,
  warn: (message: string) => void = defaultWarn,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? '' : part.slice(0, eq).trim();
    if (key === '') {
      warn(`OTEL_RESOURCE_ATTRIBUTES ignored: ${JSON.stringify(part)} is not key=value`);
      return {};
    }
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      warn(`OTEL_RESOURCE_ATTRIBUTES ignored: the value of ${key} is not valid percent-encoding`);
      return {};
    }
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The default resource: `service.name` (OTEL_SERVICE_NAME, else OTEL_RESOURCE_ATTRIBUTES' service.name,
 * else `unknown_service:node`), `telemetry.sdk.name` zerotel, `telemetry.sdk.language` nodejs,
 * `telemetry.sdk.version`, what the detectors find (host.name, host.arch, os.type, process.pid,
 * process.runtime.name and .version; `detectors`, else OTEL_NODE_RESOURCE_DETECTORS, chooses them,
 * default all), the rest of OTEL_RESOURCE_ATTRIBUTES over those, and then `attributes`, which win over
 * the environment (the spec's order: user-provided resource information has the higher priority).
 */
export function defaultResource(
  options: {
    readonly attributes?: AttributesInput;
    readonly env?: Env;
    readonly warn?: (message: string) => void;
    readonly detectors?: readonly ResourceDetector[];
    /** Sent as ResourceSpans.schema_url. */
    readonly schemaUrl?: string;
  } = {},
): Resource {
  const env = options.env ?? processEnv();
  const warn = options.warn ?? defaultWarn;
  const fromEnv = parseResourceAttributes(env['OTEL_RESOURCE_ATTRIBUTES'], warn);
  const serviceName = env['OTEL_SERVICE_NAME']?.trim();
  const detected = detectResourceAttributes(options.detectors ?? resourceDetectorsFromEnv(env, warn));
  return createResource(
    {
      'service.name': 'unknown_service:node',
      'telemetry.sdk.name': 'zerotel',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': ZEROTEL_VERSION,
      ...detected,
      ...fromEnv,
      ...(serviceName ? { 'service.name': serviceName } : {}),
      ...options.attributes,
    },
    options.schemaUrl,
  );
}
