/**
 * The HTTP transport of the OTLP/HTTP exporters (metrics and traces), built from their resolved
 * configuration: endpoint URL, headers, gzip and TLS files, and the content type of the protocol.
 */
import type { OtlpExporterConfig } from './config.js';
import { defaultUserAgent } from './user-agent.js';
import { HttpTransport } from './http-transport.js';

/** The transport an OTLP/HTTP exporter uses for its resolved configuration and protocol. */
export function otlpHttpTransport(
  config: OtlpExporterConfig,
  protocol: 'http/protobuf' | 'http/json',
  fetchImpl: typeof fetch | undefined,
): HttpTransport {
  const { endpoint, headers, compression, ca, cert, key } = config;
  return new HttpTransport({
    url: endpoint,
    contentType: protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    headers: { 'user-agent': defaultUserAgent(), ...headers },
    compression,
    ...(fetchImpl !== undefined ? { fetch: fetchImpl } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
  });
}
