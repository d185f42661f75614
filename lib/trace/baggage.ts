import { type Context, createContextKey } from './context.js';

/** A baggage entry's optional properties, kept as the header text that follows its `;`. */
export interface BaggageEntryMetadata {
  toString(): string;
}

export interface BaggageEntry {
  readonly value: string;
  readonly metadata?: BaggageEntryMetadata;
}

/**
 * W3C Baggage: name/value pairs that travel with a request. Immutable: every change returns a new
 * Baggage. The same shape as @opentelemetry/api's Baggage, so baggage set through the api is read here
 * and the reverse.
 */
export class Baggage {
  private readonly entries: ReadonlyMap<string, BaggageEntry>;

  constructor(entries: ReadonlyMap<string, BaggageEntry> | Readonly<Record<string, BaggageEntry>> = new Map()) {
    this.entries = entries instanceof Map ? new Map(entries) : new Map(Object.entries(entries));
  }

  getEntry(key: string): BaggageEntry | undefined {
    const entry = this.entries.get(key);
    return entry === undefined ? undefined : { ...entry };
  }

  getAllEntries(): [string, BaggageEntry][] {
    return [...this.entries].map(([key, entry]) => [key, entry]);
  }

  setEntry(key: string, entry: BaggageEntry): Baggage {
    const next = new Map(this.entries);
    next.set(key, entry);
    return new Baggage(next);
  }

  removeEntry(key: string): Baggage {
    const next = new Map(this.entries);
    next.delete(key);
    return new Baggage(next);
  }

  removeEntries(...keys: string[]): Baggage {
    const next = new Map(this.entries);
    for (const key of keys) next.delete(key);
    return new Baggage(next);
  }

  clear(): Baggage {
    return new Baggage();
  }
}

/** The api's baggage slot (`propagation.getBaggage` reads it too). */
const BAGGAGE_KEY = createContextKey('OpenTelemetry Baggage Key');

/** A baggage-like object of any implementation, as stored in a context: what zerotel reads of it. */
export interface BaggageLike {
  getAllEntries(): [string, BaggageEntry][];
}

/** The baggage in `ctx` (zerotel's or the api's), if any. */
export function getBaggage(ctx: Context): BaggageLike | undefined {
  const baggage = ctx.getValue(BAGGAGE_KEY) as BaggageLike | undefined;
  return baggage !== null && typeof baggage === 'object' && typeof baggage.getAllEntries === 'function'
    ? baggage
    : undefined;
}

/** A new context holding `baggage`. */
export function setBaggage(ctx: Context, baggage: BaggageLike): Context {
  return ctx.setValue(BAGGAGE_KEY, baggage);
}

/** A new context without baggage. */
export function deleteBaggage(ctx: Context): Context {
  return ctx.deleteValue(BAGGAGE_KEY);
}

/** Metadata from its header text (what follows the first `;` of an entry). */
export function baggageEntryMetadataFromString(text: string): BaggageEntryMetadata {
  const value = String(text);
  return { toString: () => value };
}
