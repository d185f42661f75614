import { ZEROTEL_VERSION } from '../version.js';

/** `zerotel/<version>`. */
export function defaultUserAgent(): string {
  return `zerotel/${ZEROTEL_VERSION}`;
}
