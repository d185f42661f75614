import { type Env, processEnv } from '../config/env.js';
import { emitZerotelWarning } from '../host.js';
import type { Attributes, AttributesInput, SpanKind } from './span-data.js';
import { isSpanContextValid, type Link, type SpanContext, TraceFlags } from './span.js';
import type { TraceState } from './trace-state.js';

/** OpenTelemetry's sampling decisions (numbering as in OpenTelemetry JS). */
export const SamplingDecision = { NOT_RECORD: 0, RECORD: 1, RECORD_AND_SAMPLED: 2 } as const;
export type SamplingDecision = (typeof SamplingDecision)[keyof typeof SamplingDecision];

export interface SamplingResult {
  readonly decision: SamplingDecision;
  /** Attributes the sampler adds to the span. */
  readonly attributes?: Attributes;
  /** The tracestate for the new span; the parent's when absent. */
  readonly traceState?: TraceState;
}

/** Decides, when a span starts, whether it records and whether it is sampled. */
export interface Sampler {
  /**
   * @param parent the parent's span context, or undefined for a root span
   * @param traceId the new span's trace id (the parent's, or a fresh one for a root)
   */
  shouldSample(
    parent: SpanContext | undefined,
    traceId: string,
    name: string,
    kind: SpanKind,
    attributes: AttributesInput | undefined,
    links: readonly Link[] | undefined,
  ): SamplingResult;
  /** A description, e.g. `TraceIdRatioBased{0.25}`. */
  toString(): string;
}

const SAMPLE: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const DROP: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/** Samples every span. */
export class AlwaysOnSampler implements Sampler {
  shouldSample(): SamplingResult {
    return SAMPLE;
  }
  toString(): string {
    return 'AlwaysOnSampler';
  }
}

/** Samples nothing. */
export class AlwaysOffSampler implements Sampler {
  shouldSample(): SamplingResult {
    return DROP;
  }
  toString(): string {
    return 'AlwaysOffSampler';
  }
}

const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 9223372036854775808;

/** The value of 8 hex digits at `start` (a uint32); NaN when one is not a hex digit. */
function hexWord(id: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const c = id.charCodeAt(i);
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
    else return NaN;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * Samples a fraction of traces, deciding from the trace id alone so every service (and OpenTelemetry
 * Go) makes the same choice for the same trace. Go computes `bound = uint64(fraction * 2^63)` and
 * samples when `BigEndian.Uint64(traceID[8:16]) >> 1 < bound`. Here the 63-bit value and the bound are
 * each split into a high part (31 bits) and a low part (32 bits), compared as a pair: exact, with no
 * bigint and no allocation per decision.
 *
 * Fractions >= 1 sample everything, <= 0 nothing (as Go clamps them); NaN is refused.
 */
export class TraceIdRatioBasedSampler implements Sampler {
  readonly ratio: number;
  private readonly boundHigh: number;
  private readonly boundLow: number;

  constructor(ratio: number) {
    if (typeof ratio !== 'number' || Number.isNaN(ratio)) {
      throw new TypeError(`sampling ratio must be a number in [0, 1], got ${String(ratio)}`);
    }
    this.ratio = ratio >= 1 ? 1 : ratio <= 0 ? 0 : ratio;
    // fraction * 2^63 is exact in a double (scaling by a power of two); Go's uint64() conversion truncates.
    const bound = this.ratio >= 1 ? TWO_POW_63 : Math.floor(this.ratio * TWO_POW_63);
    this.boundHigh = Math.floor(bound / TWO_POW_32);
    this.boundLow = bound - this.boundHigh * TWO_POW_32;
  }

  shouldSample(_parent: SpanContext | undefined, traceId: string): SamplingResult {
    if (this.ratio >= 1) return SAMPLE;
    // The last 8 bytes are hex digits 16..31: two 32-bit words A and B. (A:B) >> 1 has high part A >>> 1
    // and low part (A & 1) * 2^31 + (B >>> 1).
    const a = hexWord(traceId, 16);
    const b = hexWord(traceId, 24);
    if (Number.isNaN(a) || Number.isNaN(b)) return DROP;
    const high = a >>> 1;
    const low = (a % 2) * 2147483648 + (b >>> 1);
    const sampled = high < this.boundHigh || (high === this.boundHigh && low < this.boundLow);
    return sampled ? SAMPLE : DROP;
  }

  toString(): string {
    return `TraceIdRatioBased{${this.ratio}}`;
  }
}

/** Delegates per parent kind; OpenTelemetry's defaults are below. */
export interface ParentBasedOptions {
  /** Decides for root spans. */
  readonly root: Sampler;
  /** Default AlwaysOn. */
  readonly remoteParentSampled?: Sampler;
  /** Default AlwaysOff. */
  readonly remoteParentNotSampled?: Sampler;
  /** Default AlwaysOn. */
  readonly localParentSampled?: Sampler;
  /** Default AlwaysOff. */
  readonly localParentNotSampled?: Sampler;
}

/** Follows the parent's sampled flag; asks `root` only for spans without a (valid) parent. */
export class ParentBasedSampler implements Sampler {
  private readonly root: Sampler;
  private readonly remoteParentSampled: Sampler;
  private readonly remoteParentNotSampled: Sampler;
  private readonly localParentSampled: Sampler;
  private readonly localParentNotSampled: Sampler;

  constructor(options: ParentBasedOptions | Sampler) {
    const o: ParentBasedOptions = 'shouldSample' in options ? { root: options } : options;
    if (o.root === undefined) throw new TypeError('ParentBasedSampler needs a root sampler');
    this.root = o.root;
    this.remoteParentSampled = o.remoteParentSampled ?? new AlwaysOnSampler();
    this.remoteParentNotSampled = o.remoteParentNotSampled ?? new AlwaysOffSampler();
    this.localParentSampled = o.localParentSampled ?? new AlwaysOnSampler();
    this.localParentNotSampled = o.localParentNotSampled ?? new AlwaysOffSampler();
  }

  shouldSample(
    parent: SpanContext | undefined,
    traceId: string,
    name: string,
    kind: SpanKind,
    attributes: AttributesInput | undefined,
    links: readonly Link[] | undefined,
  ): SamplingResult {
    let delegate: Sampler;
    if (parent === undefined || !isSpanContextValid(parent)) delegate = this.root;
    else if (parent.isRemote) {
      delegate =
        (parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? this.remoteParentSampled : this.remoteParentNotSampled;
    } else {
      delegate = (parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? this.localParentSampled : this.localParentNotSampled;
    }
    return delegate.shouldSample(parent, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return (
      `ParentBased{root:${this.root},remoteParentSampled:${this.remoteParentSampled},` +
      `remoteParentNotSampled:${this.remoteParentNotSampled},localParentSampled:${this.localParentSampled},` +
      `localParentNotSampled:${this.localParentNotSampled}}`
    );
  }
}

/** Sampler names OTEL_TRACES_SAMPLER may hold that this package implements. */
export const KNOWN_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function defaultWarn(message: string): void {
  emitZerotelWarning(message, 'ZEROTEL_TRACES_SAMPLER');
}

function ratioFromArg(arg: string | undefined, warn: (message: string) => void): number {
  const text = arg?.trim() ?? '';
  if (text === '') return 1;
  const ratio = DECIMAL.test(text) ? Number(text) : NaN;
  if (ratio >= 0 && ratio <= 1) return ratio;
  warn(`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(arg)} is not a sampling ratio in [0, 1]; using 1.0`);
  return 1;
}

/**
 * The sampler OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG describe (names case-insensitive, as the
 * spec treats enum values). Unset or empty: parentbased_always_on, the spec default. An unknown or
 * unsupported name (e.g. jaeger_remote) warns and falls back to parentbased_always_on; a missing
 * ratio is 1.0, an invalid one (not a decimal number in [0, 1]) warns and uses 1.0.
 *
 * @param warn receives warnings; default `process.emitWarning` (type ZerotelWarning)
 */
export function samplerFromEnv(env: Env = processEnv(), warn: (message: string) => void = defaultWarn): Sampler {
  const raw = env['OTEL_TRACES_SAMPLER'];
  const name = (raw ?? '').trim().toLowerCase();
  const arg = env['OTEL_TRACES_SAMPLER_ARG'];
  switch (name) {
    case '':
    case 'parentbased_always_on':
      return new ParentBasedSampler(new AlwaysOnSampler());
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratioFromArg(arg, warn));
    case 'parentbased_always_off':
      return new ParentBasedSampler(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return new ParentBasedSampler(new TraceIdRatioBasedSampler(ratioFromArg(arg, warn)));
    default:
      warn(
        `OTEL_TRACES_SAMPLER=${JSON.stringify(raw)} is not a supported sampler ` +
          `(supported: ${KNOWN_SAMPLERS.join(', ')}); using parentbased_always_on`,
      );
      return new ParentBasedSampler(new AlwaysOnSampler());
  }
}
