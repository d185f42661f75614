/**
 * Encoded fields kept from one span to the next: attribute keys, string values that repeat, and
 * whole key/value pairs whose value hardly changes. Each entry is kept as bytes and as little-endian
 * words (see putCached), so that writing it is a copy instead of a UTF-8 encode.
 *
 * Bounded, and emptied only by {@link FieldCache.trim}, which encoders call before a span or a
 * request (never inside a message, whose writer holds entries by index).
 */
import { utf8Length, varintSize } from '../../protobuf/writer.js';
import { keptField, wordsOf } from './output.js';
import { ANY_STRING, KV_KEY, KV_VALUE } from './wire-keys.js';

/** At most this many keys of at most KEY_CACHE_LENGTH characters are kept. */
const KEY_CACHE_ENTRIES = 2048;
const KEY_CACHE_LENGTH = 128;
/**
 * String values: at most VALUE_CACHE_ENTRIES values of at most VALUE_CACHE_LENGTH characters.
 * Identifiers that never repeat (request ids, hashes) must not churn the cache, so admission is
 * decided per attribute key: a key's values are cached until VALUE_PROBE lookups have been made
 * under it, and from then on only while at least half of those lookups found their value cached.
 */
const VALUE_CACHE_ENTRIES = 4096;
const VALUE_CACHE_LENGTH = 64;
const VALUE_PROBE = 1024;
/** A string value seen under a key this many times in a row gets its whole KeyValue kept. */
export const PAIR_STREAK = 8;
/** Places of a run of attributes the one-pass writer remembers, per kind of run (see memoKey). */
export const KEY_MEMO_RUN = 32;

export class FieldCache {
  /** Key cache index by key. */
  readonly keyIndex = new Map<string, number>();
  /** The encoded `KeyValue.key` fields (key byte, length, UTF-8), by key cache index. */
  readonly keyFields: Uint8Array[] = [];
  /** The same bytes as words. */
  readonly keyWords: Int32Array[] = [];

  /** Value cache index by value. */
  readonly valueIndex = new Map<string, number>();
  /** Encoded `AnyValue.string_value` fields (key byte, length, UTF-8), by value cache index. */
  readonly valueFields: Uint8Array[] = [];
  /** The same bytes as words. */
  readonly valueWords: Int32Array[] = [];
  /** Per key cache index: value lookups and hits so far, and whether its values are no longer cached. */
  readonly valueLookups = new Uint32Array(KEY_CACHE_ENTRIES);
  readonly valueHits = new Uint32Array(KEY_CACHE_ENTRIES);
  readonly valueOff = new Uint8Array(KEY_CACHE_ENTRIES);
  /** Per key cache index: the last string value found in the value cache under it, and that value's index. */
  readonly lastValue: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_ENTRIES).fill(undefined);
  readonly lastValueIndex = new Int32Array(KEY_CACHE_ENTRIES);

  /**
   * Per key cache index: a string value seen under the key PAIR_STREAK times in a row, and the whole
   * encoded `KeyValue` message of the pair after the field key (length, key field, value field), as
   * bytes and as words: a key whose value hardly changes (a method, a route) is written with one copy.
   */
  readonly pairValue: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_ENTRIES).fill(undefined);
  readonly pairFields: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KEY_CACHE_ENTRIES).fill(
    undefined,
  );
  readonly pairWords: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(KEY_CACHE_ENTRIES).fill(undefined);
  readonly pairStreak = new Uint8Array(KEY_CACHE_ENTRIES);

  /**
   * What the one-pass writer saw last at each place of a run of attributes, per kind of run (span,
   * event, link attributes; nested lists share one): the key and its key cache index (or -1).
   */
  readonly memoKey: (string | undefined)[] = new Array<string | undefined>(4 * KEY_MEMO_RUN).fill(undefined);
  readonly memoIndex = new Int32Array(4 * KEY_MEMO_RUN);

  /** Empties the caches that are full; only ever before an encode starts. */
  trim(): void {
    if (this.keyFields.length >= KEY_CACHE_ENTRIES) {
      this.keyIndex.clear();
      this.keyFields.length = 0;
      this.keyWords.length = 0;
      this.memoKey.fill(undefined);
      this.valueLookups.fill(0);
      this.valueHits.fill(0);
      this.valueOff.fill(0);
      this.clearValues();
    } else if (this.valueFields.length >= VALUE_CACHE_ENTRIES) {
      this.clearValues();
    }
  }

  private clearValues(): void {
    this.lastValue.fill(undefined);
    this.pairValue.fill(undefined);
    this.pairFields.fill(undefined);
    this.pairWords.fill(undefined);
    this.pairStreak.fill(0);
    this.valueIndex.clear();
    this.valueFields.length = 0;
    this.valueWords.length = 0;
  }

  /** The key cache index of `key`, caching it when there is room; -1 when it is not cached. */
  keyCacheIndex(key: string): number {
    const cached = this.keyIndex.get(key);
    return cached !== undefined ? cached : this.cacheKey(key);
  }

  private cacheKey(key: string): number {
    if (key.length === 0 || key.length > KEY_CACHE_LENGTH || this.keyFields.length >= KEY_CACHE_ENTRIES) return -1;
    return keep(KV_KEY, key, this.keyIndex, this.keyFields, this.keyWords);
  }

  /**
   * The value cache index of the string `value` under the attribute key of cache index `key`, caching
   * it when the key's values are still admitted; -1 when it is not cached. The last value found under
   * each key is remembered, so a key whose value rarely changes skips the Map lookup.
   */
  valueCacheIndex(value: string, key: number): number {
    let cached: number | undefined;
    if (this.lastValue[key] === value) cached = this.lastValueIndex[key]!;
    // A key whose values stopped being cached (identifiers) skips the lookup too: the values found
    // under it would mostly be misses, and a miss costs hashing a new string.
    else if (this.valueOff[key] !== 0) return -1;
    else cached = this.valueIndex.get(value);
    if (cached !== undefined) {
      this.countHit(key);
      this.lastValue[key] = value;
      this.lastValueIndex[key] = cached;
      return cached;
    }
    if (this.valueOff[key] === 0) {
      const lookups = this.valueLookups[key]!;
      if (lookups < VALUE_PROBE) this.valueLookups[key] = lookups + 1;
      else if (this.valueHits[key]! * 2 < lookups) this.valueOff[key] = 1;
      if (this.valueOff[key] === 0) {
        const index = this.cacheValue(value);
        if (index >= 0) {
          this.lastValue[key] = value;
          this.lastValueIndex[key] = index;
          return index;
        }
      }
    }
    return -1;
  }

  /** Counts a value found in the cache under the key of cache index `key` (see valueCacheIndex). */
  countHit(key: number): void {
    if (this.valueLookups[key]! < VALUE_PROBE) {
      this.valueLookups[key] = this.valueLookups[key]! + 1;
      this.valueHits[key] = this.valueHits[key]! + 1;
    }
  }

  private cacheValue(value: string): number {
    if (value.length > VALUE_CACHE_LENGTH || this.valueFields.length >= VALUE_CACHE_ENTRIES) return -1;
    return keep(ANY_STRING, value, this.valueIndex, this.valueFields, this.valueWords);
  }

  /** Keeps the whole KeyValue of the key of cache index `key` and the cached value `index` (`value`). */
  cachePair(key: number, value: string, index: number): void {
    const keyField = this.keyFields[key]!;
    const valueField = this.valueFields[index]!;
    const body = keyField.length + 1 + varintSize(valueField.length) + valueField.length;
    const field = keptField(varintSize(body) + body, (w) => {
      w.varint(body);
      w.raw(keyField);
      w.byte(KV_VALUE);
      w.varint(valueField.length);
      w.raw(valueField);
    });
    this.pairValue[key] = value;
    this.pairFields[key] = field;
    this.pairWords[key] = wordsOf(field);
    this.pairStreak[key] = 0;
  }
}

/** Adds the string field `fieldKey: s` to a cache (its index, bytes and words); returns its index. */
function keep(fieldKey: number, s: string, index: Map<string, number>, fields: Uint8Array[], words: Int32Array[]) {
  const length = utf8Length(s);
  const field = keptField(1 + varintSize(length) + length, (w) => {
    w.byte(fieldKey);
    w.string(s, length);
  });
  const at = fields.length;
  fields.push(field);
  words.push(wordsOf(field));
  index.set(s, at);
  return at;
}
