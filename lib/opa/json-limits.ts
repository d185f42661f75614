/**
 * Limits a JSON text must meet before `JSON.parse` sees it. V8 does not throw past some sizes, it
 * aborts the process (`Fatal JavaScript invalid size error` for an array of ~2^27 elements), so no
 * `try` around the parse can save the server: the text is scanned first, in one pass over its bytes
 * that stops at the first limit passed.
 */

import { constants as bufferConstants } from 'node:buffer';

export interface JsonLimits {
  /** Nesting of arrays and objects, counting the path the document is stored at. */
  readonly maxDepth: number;
  /** Elements of one array. */
  readonly maxArrayLength: number;
  /** Members of one object. */
  readonly maxObjectKeys: number;
  /** Bytes of one string's JSON text (quotes excluded): an upper bound of its length once parsed. */
  readonly maxStringBytes: number;
  /** Values in the whole document, containers included. */
  readonly maxValues: number;
}

/**
 * The defaults: far below what V8 holds (arrays ~2^27 elements, strings ~2^29 characters). A document
 * near them still costs memory: 7 million one-element arrays (14 million values) took the server to
 * 1.3 GB while it was stored, within a default 64-bit heap.
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = Object.freeze({
  maxDepth: 1000,
  maxArrayLength: 2 ** 23,
  maxObjectKeys: 2 ** 22,
  maxStringBytes: 2 ** 27,
  maxValues: 2 ** 24,
});

/** The longest string V8 makes; a longer Buffer's `toString()` throws (Node's ERR_STRING_TOO_LONG). */
export const MAX_STRING_LENGTH: number = bufferConstants.MAX_STRING_LENGTH;

/** Which limit a text passed, and by how much, in words for an error body. */
export interface JsonLimitProblem {
  readonly limit: keyof JsonLimits;
  readonly message: string;
}

/** The bytes of JSON's structure (all ASCII, so a UTF-8 text can be scanned byte by byte). */
const [QUOTE, BACKSLASH, COMMA, OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT] = [
  0x22, 0x5c, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d,
];

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Checks `bytes` (UTF-8 JSON) against `limits`, `baseDepth` levels down (the path it is stored at).
 * Counts are taken from the structure alone (commas, brackets, quotes), so malformed text is bounded
 * too: whatever `JSON.parse` could build from it stays within the limits. Undefined when within all.
 */
export function checkJsonLimits(
  bytes: Uint8Array,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
  baseDepth = 0,
): JsonLimitProblem | undefined {
  const maxDepth = limits.maxDepth - baseDepth;
  // Per open container: separators seen, whether anything is in it, and its kind.
  const commas = new Float64Array(Math.max(1, maxDepth + 1));
  const filled = new Uint8Array(commas.length);
  const isArray = new Uint8Array(commas.length);
  let depth = 0;
  // The root is a value; each separator and each non-empty container adds one more.
  let values = 1;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (isSpace(c)) continue;
    if (depth > 0 && !(c === CLOSE_ARRAY || c === CLOSE_OBJECT) && filled[depth - 1] === 0) {
      filled[depth - 1] = 1;
      if (++values > limits.maxValues) return tooMany(limits);
    }
    if (c === QUOTE) {
      const start = i + 1;
      for (i = start; i < n; i++) {
        const s = bytes[i]!;
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
      if (i - start > limits.maxStringBytes) {
        return { limit: 'maxStringBytes', message: `a string longer than ${limits.maxStringBytes} bytes` };
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (depth >= maxDepth) {
        return {
          limit: 'maxDepth',
          message: `document nested too deeply (more than ${limits.maxDepth} levels${baseDepth > 0 ? `, counting the ${baseDepth} segment${baseDepth === 1 ? '' : 's'} of its path` : ''})`,
        };
      }
      commas[depth] = 0;
      filled[depth] = 0;
      isArray[depth] = c === OPEN_ARRAY ? 1 : 0;
      depth++;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (depth > 0) depth--;
    } else if (c === COMMA && depth > 0) {
      const d = depth - 1;
      const members = ++commas[d]! + 1;
      if (++values > limits.maxValues) return tooMany(limits);
      if (isArray[d] === 1 && members > limits.maxArrayLength) {
        return { limit: 'maxArrayLength', message: `an array of more than ${limits.maxArrayLength} elements` };
      }
      if (isArray[d] === 0 && members > limits.maxObjectKeys) {
        return { limit: 'maxObjectKeys', message: `an object of more than ${limits.maxObjectKeys} members` };
      }
    }
  }
  return undefined;
}

function tooMany(limits: JsonLimits): JsonLimitProblem {
  return { limit: 'maxValues', message: `a document of more than ${limits.maxValues} values` };
}
