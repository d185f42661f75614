/**
 * Small typed readers for the reference server's configuration document (parsed JSON): each records a
 * problem naming the key and returns undefined when the value is wrong, so every problem is reported at
 * once. Shared by config.ts and the sections kept in their own files (native-histograms-config.ts).
 */

import { setOwn } from './own-key.js';

/** Buckets of one histogram setting. */
export const MAX_BUCKETS = 1024;

export type Obj = Record<string, unknown>;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a configuration document key by key, collecting a problem (naming the key) for each mistake. */
export class Reader {
  readonly problems: string[] = [];

  object(value: unknown, key: string): Obj | undefined {
    if (value === undefined) return undefined;
    if (!isObj(value)) {
      this.problems.push(`${key}: must be an object, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  /** Flags keys outside `known`; `unsupported` ones are OPA's but not implemented here. */
  keys(o: Obj, prefix: string, known: readonly string[], unsupported: readonly string[] = []): void {
    for (const key of Object.keys(o)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (known.includes(key)) continue;
      if (unsupported.includes(key)) this.problems.push(`${path}: not supported by the zerotel reference server`);
      else this.problems.push(`${path}: unknown key`);
    }
  }

  string(o: Obj, name: string, prefix: string, options: { nonEmpty?: boolean } = {}): string | undefined {
    const value = o[name];
    if (value === undefined) return undefined;
    const key = `${prefix}.${name}`;
    if (typeof value !== 'string') {
      this.problems.push(`${key}: must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (options.nonEmpty && value === '') {
      this.problems.push(`${key}: must not be empty`);
      return undefined;
    }
    return value;
  }

  boolean(o: Obj, name: string, prefix: string): boolean | undefined {
    const value = o[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.problems.push(`${prefix}.${name}: must be true or false, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  number(
    o: Obj,
    name: string,
    prefix: string,
    range: { min: number; max?: number; integer?: boolean; what?: string },
  ): number | undefined {
    const value = o[name];
    if (value === undefined) return undefined;
    const key = `${prefix}.${name}`;
    const what =
      range.what ??
      `${range.integer ? 'an integer' : 'a number'} ${range.max === undefined ? `>= ${range.min}` : `from ${range.min} to ${range.max}`}`;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (range.integer === true && !Number.isInteger(value)) ||
      value < range.min ||
      (range.max !== undefined && value > range.max)
    ) {
      this.problems.push(`${key}: must be ${what}, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  stringMap(o: Obj, name: string, prefix: string): Record<string, string> | undefined {
    const key = `${prefix}.${name}`;
    const m = this.object(o[name], key);
    if (m === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'string') this.problems.push(`${key}.${k}: must be a string, got ${describe(v)}`);
      else setOwn(out, k, v);
    }
    return out;
  }

  buckets(o: Obj, name: string, prefix: string): number[] | undefined {
    const value = o[name];
    if (value === undefined) return undefined;
    const key = `${prefix}.${name}`;
    if (!Array.isArray(value) || value.length === 0) {
      this.problems.push(`${key}: must be a non-empty array of increasing numbers, got ${describe(value)}`);
      return undefined;
    }
    if (value.length > MAX_BUCKETS) {
      this.problems.push(`${key}: must hold at most ${MAX_BUCKETS} buckets, got ${value.length}`);
      return undefined;
    }
    let ok = true;
    value.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.problems.push(`${key}[${i}]: must be a finite number, got ${describe(v)}`);
        ok = false;
      } else if (i > 0 && typeof value[i - 1] === 'number' && v <= (value[i - 1] as number)) {
        this.problems.push(`${key}[${i}]: buckets must be in increasing order, got ${v} after ${value[i - 1]}`);
        ok = false;
      }
    });
    return ok ? (value as number[]) : undefined;
  }

  httpUrl(o: Obj, name: string, prefix: string): string | undefined {
    const text = this.string(o, name, prefix, { nonEmpty: true });
    if (text === undefined) return undefined;
    try {
      const url = new URL(text);
      if (url.protocol === 'http:' || url.protocol === 'https:') return text;
      this.problems.push(`${prefix}.${name}: must be an http or https URL, got ${JSON.stringify(text)}`);
    } catch {
      this.problems.push(`${prefix}.${name}: must be an http or https URL, got ${JSON.stringify(text)}`);
    }
    return undefined;
  }
}
