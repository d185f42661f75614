/**
 * The W3C `tracestate` list (Trace Context): ordered vendor key/value pairs, immutable.
 *
 * Keys follow the current grammar (which replaced Level 1's fixed `tenant@system` split): `a-z` or a
 * digit first, then up to 255 of `a-z 0-9 _ - * / @`, so `@` may appear anywhere but first and a key
 * is at most 256 characters. Values: 1 to 256 printable ASCII characters (0x20-0x7E) except `,` and
 * `=`, not ending with a space.
 */
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** At most this many list members (W3C). */
export const MAX_TRACESTATE_MEMBERS = 32;
/** Characters of `tracestate` propagated at most; the W3C spec asks for at least this many. */
export const MAX_TRACESTATE_LENGTH = 512;
/** Members longer than this are the first to go when a header must be shortened (W3C advice). */
const LONG_MEMBER = 128;

export function isValidTraceStateKey(key: string): boolean {
  return KEY.test(key);
}

export function isValidTraceStateValue(value: string): boolean {
  return VALUE.test(value);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

export class TraceState {
  /** The empty list, shared. */
  static readonly EMPTY = new TraceState([], []);

  private serialized: string | undefined;
  private header: string | undefined;

  private constructor(
    private readonly keys: readonly string[],
    private readonly values: readonly string[],
  ) {}

  /**
   * Parses a combined `tracestate` header value (several header lines joined with `,`).
   *
   * Empty and whitespace-only members are skipped, and spaces/tabs around members are ignored, as the
   * spec requires. A key seen again is dropped (the first one wins), which the spec allows and the
   * W3C suite accepts. An invalid member or more than 32 members makes the whole header invalid: the
   * result is undefined and the caller discards the header. The spec lets a vendor discard either
   * the whole header or only bad members; the W3C suite's strict tests ask for the whole header
   * (`foo=,bar=3` and `@foo=1,bar=2` must not forward `bar`).
   */
  static parse(header: string): TraceState | undefined {
    const keys: string[] = [];
    const values: string[] = [];
    const n = header.length;
    let start = 0;
    while (start <= n) {
      let end = header.indexOf(',', start);
      if (end === -1) end = n;
      let a = start;
      let b = end;
      while (a < b && isOws(header.charCodeAt(a))) a++;
      while (b > a && isOws(header.charCodeAt(b - 1))) b--;
      if (a < b) {
        const eq = header.indexOf('=', a);
        if (eq === -1 || eq >= b) return undefined;
        const key = header.slice(a, eq);
        const value = header.slice(eq + 1, b);
        if (!KEY.test(key) || !VALUE.test(value)) return undefined;
        if (!keys.includes(key)) {
          if (keys.length === MAX_TRACESTATE_MEMBERS) return undefined;
          keys.push(key);
          values.push(value);
        }
      }
      start = end + 1;
    }
    return keys.length === 0 ? TraceState.EMPTY : new TraceState(keys, values);
  }

  /**
   * A tracestate as a caller holds it: zerotel's own list as it is, another implementation's (say,
   * @opentelemetry/core's, in a context made through the api) re-read from its `serialize()` text,
   * and anything else (undefined included) as the empty list.
   */
  static from(state: unknown): TraceState {
    if (state instanceof TraceState) return state;
    const serialize = (state as { serialize?: unknown } | null | undefined)?.serialize;
    if (typeof serialize !== 'function') return TraceState.EMPTY;
    const text: unknown = serialize.call(state);
    return typeof text === 'string' ? (TraceState.parse(text) ?? TraceState.EMPTY) : TraceState.EMPTY;
  }

  /** Number of members. */
  get size(): number {
    return this.keys.length;
  }

  get(key: string): string | undefined {
    const i = this.keys.indexOf(key);
    return i === -1 ? undefined : this.values[i];
  }

  /** Keys, left (most recent) first. */
  keyList(): readonly string[] {
    return this.keys;
  }

  /**
   * A new list with `key` set and moved to the front (left), as the spec requires for an updated or
   * added entry; the rightmost member goes if the list would exceed 32. Invalid keys or values throw.
   */
  set(key: string, value: string): TraceState {
    if (!KEY.test(key)) throw new TypeError(`invalid tracestate key: ${JSON.stringify(key)}`);
    if (!VALUE.test(value)) throw new TypeError(`invalid tracestate value for ${key}: ${JSON.stringify(value)}`);
    const keys = [key];
    const values = [value];
    for (let i = 0; i < this.keys.length && keys.length < MAX_TRACESTATE_MEMBERS; i++) {
      if (this.keys[i] === key) continue;
      keys.push(this.keys[i]!);
      values.push(this.values[i]!);
    }
    return new TraceState(keys, values);
  }

  /** A new list without `key` (this one when the key is absent). */
  unset(key: string): TraceState {
    const i = this.keys.indexOf(key);
    if (i === -1) return this;
    if (this.keys.length === 1) return TraceState.EMPTY;
    const keys = this.keys.slice();
    const values = this.values.slice();
    keys.splice(i, 1);
    values.splice(i, 1);
    return new TraceState(keys, values);
  }

  /** The full list as `k=v,k=v` (no optional whitespace); '' when empty. Computed once. */
  serialize(): string {
    let s = this.serialized;
    if (s === undefined) {
      s = '';
      for (let i = 0; i < this.keys.length; i++) s += (i === 0 ? '' : ',') + this.keys[i] + '=' + this.values[i];
      this.serialized = s;
    }
    return s;
  }

  /**
   * The header value to send: the full list when it fits in 512 characters, otherwise whole members
   * are removed as the W3C spec advises: first members longer than 128 characters (rightmost first,
   * only as many as needed), then members from the right end, until the rest fits.
   */
  toHeader(): string {
    let h = this.header;
    if (h === undefined) {
      h = this.serialize();
      if (h.length > MAX_TRACESTATE_LENGTH) h = this.truncated(MAX_TRACESTATE_LENGTH);
      this.header = h;
    }
    return h;
  }

  private truncated(limit: number): string {
    const n = this.keys.length;
    const members = new Array<string>(n);
    const keep = new Array<boolean>(n).fill(true);
    let length = -1;
    for (let i = 0; i < n; i++) {
      members[i] = this.keys[i] + '=' + this.values[i];
      length += members[i]!.length + 1;
    }
    for (let i = n - 1; i >= 0 && length > limit; i--) {
      if (members[i]!.length > LONG_MEMBER) {
        keep[i] = false;
        length -= members[i]!.length + 1;
      }
    }
    for (let i = n - 1; i >= 0 && length > limit; i--) {
      if (keep[i]) {
        keep[i] = false;
        length -= members[i]!.length + 1;
      }
    }
    let out = '';
    for (let i = 0; i < n; i++) if (keep[i]) out += (out === '' ? '' : ',') + members[i];
    return out;
  }
}
