/**
 * UTF-8 conversions the writers share. TextEncoder/TextDecoder exist on every runtime zerotel targets
 * (Node, Bun, Deno, workerd), unlike Buffer; one instance each, since they hold no state between calls.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of `text` (lone surrogates become U+FFFD, as Go and Buffer write them). */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Writes `text` as UTF-8 into `into` from its start; returns the bytes written (`into` must be large enough). */
export function encodeUtf8Into(text: string, into: Uint8Array): number {
  return encoder.encodeInto(text, into).written;
}

/** The text of UTF-8 bytes. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
