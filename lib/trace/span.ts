import {
  copySimpleAttributes,
  hasOwn,
  limitAttributes,
  sanitizeAttributeValue,
  setOwn,
  simpleCount,
  type SpanLimits,
} from './attributes.js';
import type { Context } from './context-type.js';
import { setSpan } from './context.js';
import {
  type AttributeValue,
  type AttributesInput,
  type AttributeValueInput,
  type HrTime,
  type InstrumentationScope,
  type Resource,
  type SpanData,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type SpanStatus,
  StatusCode,
} from './span-data.js';
import { compareHrTime, type TimeInput, toHrTime } from './time.js';
import { INVALID_SPAN_CONTEXT, isSpanContextValid } from './span-api.js';
import type { Link, Span, SpanContext, SpanProcessor, SpanStatusInput } from './span-api.js';
import { TraceState } from './trace-state.js';

// The span API's names, where they have always been imported from.
export * from './span-api.js';

/**
 * A span that records nothing: for unsampled traces, a suppressed context, or a remote parent.
 * It carries its span context so propagation still works, and costs one small object.
 */
export class NonRecordingSpan implements Span {
  constructor(private readonly context: SpanContext = INVALID_SPAN_CONTEXT) {}

  spanContext(): SpanContext {
    return this.context;
  }
  setAttribute(_key: string, _value: AttributeValueInput): this {
    return this;
  }
  setAttributes(_attributes: AttributesInput): this {
    return this;
  }
  addEvent(_name: string, _attributesOrTime?: AttributesInput | TimeInput, _time?: TimeInput): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: readonly Link[]): this {
    return this;
  }
  setStatus(_status: SpanStatusInput): this {
    return this;
  }
  updateName(_name: string): this {
    return this;
  }
  recordException(_exception: unknown, _time?: TimeInput, _attributes?: AttributesInput): void {}
  end(_endTime?: TimeInput): void {}
  isRecording(): boolean {
    return false;
  }
}

/** A new context whose active span is a non-recording span for `spanContext` (e.g. an extracted remote parent). */
export function setSpanContext(ctx: Context, spanContext: SpanContext): Context {
  return setSpan(ctx, new NonRecordingSpan(spanContext));
}

const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);
const UNSET_STATUS: SpanStatus = Object.freeze({ code: StatusCode.UNSET, message: '' });
const OK_STATUS: SpanStatus = Object.freeze({ code: StatusCode.OK, message: '' });
const NOT_ENDED: HrTime = Object.freeze([0, 0]) as HrTime;
const HEX_32 = /^[0-9a-f]{32}$/;
const HEX_16 = /^[0-9a-f]{16}$/;

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || Array.isArray(value);
}

/**
 * A sampled (or record-only) span. It is its own SpanData: on `end()` the processor receives the span
 * itself, with no copy, and every mutator becomes a no-op from then on so the data stays fixed.
 */
export class RecordingSpan implements Span, SpanData {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly traceFlags: number;
  name: string;
  endTime: HrTime = NOT_ENDED;
  attributes: Record<string, AttributeValue> = {};
  droppedAttributesCount = 0;
  events: SpanEvent[] = NO_EVENTS as SpanEvent[];
  droppedEventsCount = 0;
  links: SpanLink[] = NO_LINKS as SpanLink[];
  droppedLinksCount = 0;
  status: SpanStatus = UNSET_STATUS;
  private attributeCount = 0;
  private ended = false;

  constructor(
    private readonly processor: SpanProcessor,
    private readonly limits: SpanLimits,
    readonly resource: Resource,
    readonly scope: InstrumentationScope,
    private readonly context: SpanContext,
    readonly parentSpanId: string,
    name: string,
    readonly kind: SpanKind,
    readonly startTime: HrTime,
    readonly parentIsRemote: boolean,
  ) {
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.traceFlags = context.traceFlags;
    this.traceState = context.traceState.serialize();
    this.name = name;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  /** True once `end()` was called. */
  get isEnded(): boolean {
    return this.ended;
  }

  setAttribute(key: string, value: AttributeValueInput): this {
    if (this.ended || typeof key !== 'string' || key.length === 0) return this;
    const limits = this.limits;
    const stored = sanitizeAttributeValue(value, limits.attributeValueLengthLimit);
    if (stored === undefined) return this;
    const attributes = this.attributes;
    if (!hasOwn(attributes, key)) {
      if (this.attributeCount >= limits.attributeCountLimit) {
        this.droppedAttributesCount++;
        return this;
      }
      this.attributeCount++;
    }
    setOwn(attributes, key, stored);
    return this;
  }

  setAttributes(attributes: AttributesInput): this {
    if (this.ended || attributes === null || typeof attributes !== 'object') return this;
    // Own enumerable keys in Object.keys order, without making the array of them.
    for (const key in attributes) if (hasOwn(attributes, key)) this.setAttribute(key, attributes[key]!);
    return this;
  }

  /**
   * Sets the attributes a span starts with (the span must have none yet), as setAttributes would.
   * The usual input, a plain object of string, number and boolean values within the limits, is
   * copied whole with one spread instead of key by key; anything else takes the setAttribute route.
   * @internal
   */
  initAttributes(input: AttributesInput): void {
    if (this.ended || input === null || typeof input !== 'object') return;
    const limits = this.limits;
    const copy = copySimpleAttributes(input, limits.attributeCountLimit, limits.attributeValueLengthLimit);
    if (copy !== undefined) {
      this.attributes = copy;
      this.attributeCount = simpleCount;
      return;
    }
    for (const key in input) if (hasOwn(input, key)) this.setAttribute(key, input[key]!);
  }

  addEvent(name: string, attributesOrTime?: AttributesInput | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    let attributes: AttributesInput | undefined;
    if (isTimeInput(attributesOrTime)) time = attributesOrTime;
    else attributes = attributesOrTime;
    const limits = this.limits;
    if (limits.eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    const limited = limitAttributes(attributes, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit);
    const event: SpanEvent = {
      name: String(name),
      time: toHrTime(time),
      attributes: limited.attributes,
      droppedAttributesCount: limited.dropped,
    };
    if (this.events === NO_EVENTS) this.events = [];
    if (this.events.length >= limits.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    this.events.push(event);
    return this;
  }

  addLink(link: Link): this {
    if (this.ended || link === null || typeof link !== 'object') return this;
    const ctx = link.context;
    if (ctx === null || typeof ctx !== 'object') return this;
    const { traceId, spanId } = ctx;
    if (typeof traceId !== 'string' || typeof spanId !== 'string' || !HEX_32.test(traceId) || !HEX_16.test(spanId)) {
      return this;
    }
    const traceState = TraceState.from(ctx.traceState);
    const hasAttributes = link.attributes !== undefined && Object.keys(link.attributes).length > 0;
    // The spec keeps links to invalid (all-zero) contexts only when they carry something else.
    if (!isSpanContextValid(ctx) && traceState.size === 0 && !hasAttributes) return this;
    const limits = this.limits;
    if (limits.linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    const limited = limitAttributes(
      link.attributes,
      limits.attributePerLinkCountLimit,
      limits.attributeValueLengthLimit,
    );
    const data: SpanLink = {
      traceId,
      spanId,
      traceState: traceState.serialize(),
      traceFlags: (ctx.traceFlags ?? 0) & 0xff,
      isRemote: ctx.isRemote === true,
      attributes: limited.attributes,
      droppedAttributesCount: limited.dropped,
    };
    if (this.links === NO_LINKS) this.links = [];
    if (this.links.length >= limits.linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    this.links.push(data);
    return this;
  }

  addLinks(links: readonly Link[]): this {
    if (Array.isArray(links)) for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatusInput): this {
    if (this.ended || status === null || typeof status !== 'object') return this;
    const current = this.status.code;
    if (current === StatusCode.OK) return this;
    if (status.code === StatusCode.OK) {
      this.status = OK_STATUS;
    } else if (status.code === StatusCode.ERROR) {
      this.status = { code: StatusCode.ERROR, message: typeof status.message === 'string' ? status.message : '' };
    }
    return this;
  }

  updateName(name: string): this {
    if (!this.ended && typeof name === 'string') this.name = name;
    return this;
  }

  recordException(exception: unknown, time?: TimeInput, attributes?: AttributesInput): void {
    if (this.ended) return;
    const event: Record<string, AttributeValueInput> = {};
    if (typeof exception === 'string') {
      event['exception.message'] = exception;
    } else if (exception !== null && typeof exception === 'object') {
      const e = exception as { code?: unknown; name?: unknown; message?: unknown; stack?: unknown };
      // OpenTelemetry JS prefers a Node error code (ECONNREFUSED) to the class name when there is one.
      if ((typeof e.code === 'string' && e.code !== '') || typeof e.code === 'number') {
        event['exception.type'] = String(e.code);
      } else if (typeof e.name === 'string' && e.name !== '') {
        event['exception.type'] = e.name;
      }
      if (typeof e.message === 'string') event['exception.message'] = e.message;
      if (typeof e.stack === 'string') event['exception.stacktrace'] = e.stack;
    } else if (exception !== undefined) {
      event['exception.message'] = String(exception);
    }
    if (attributes !== undefined && attributes !== null && typeof attributes === 'object') {
      for (const key of Object.keys(attributes))
        setOwn(event as Record<string, AttributeValue>, key, attributes[key]! as AttributeValue);
    }
    this.addEvent('exception', event, time);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const end = toHrTime(endTime);
    // A caller-given end before the start would make a negative duration: clamp it to the start.
    this.endTime = compareHrTime(end, this.startTime) < 0 ? this.startTime : end;
    this.processor.onEnd(this);
  }
}
