/** Checks of custom OTLP headers (gRPC metadata rules): when a configuration is resolved, and by the gRPC transport. */

/** Headers only the transport may set, and HTTP/1 connection headers that HTTP/2 forbids. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'te',
  'user-agent',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);
const METADATA_KEY = /^[0-9a-z_.-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Problems with custom metadata, one string per bad entry (empty when all is well). Keys must be
 * lower-case gRPC metadata names (`0-9 a-z _ . -`), must not start with `grpc-` nor be a header the
 * transport sets itself; values must be printable ASCII, or base64 for keys ending in `-bin`.
 */
export function checkMetadata(metadata: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(key)) {
      problems.push(`header ${JSON.stringify(key)}: keys must be lower-case and use only 0-9 a-z _ . -`);
    } else if (key.startsWith('grpc-') || RESERVED_HEADERS.has(key)) {
      problems.push(`header ${JSON.stringify(key)}: reserved for the transport`);
    }
    if (typeof value !== 'string') {
      problems.push(`header ${JSON.stringify(key)}: value must be a string`);
    } else if (key.endsWith('-bin') ? !BASE64.test(value) : !PRINTABLE_ASCII.test(value)) {
      problems.push(
        `header ${JSON.stringify(key)}: value must be ${key.endsWith('-bin') ? 'base64' : 'printable ASCII'}`,
      );
    }
  }
  return problems;
}
