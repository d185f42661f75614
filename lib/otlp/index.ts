/** zerotel/otlp: the OTLP encoders and exporters. */

export {
  OtlpGrpcTraceExporter,
  OtlpExportError,
  type OtlpGrpcTraceExporterOptions,
  type ExporterLogger,
} from './exporter.js';
export {
  resolveOtlpConfig,
  otlpProtocolFromEnv,
  type OtlpProtocol,
  OtlpConfigError,
  DEFAULT_OTLP_GRPC_ENDPOINT,
  type OtlpExporterOptions,
  type OtlpExporterConfig,
  type Encryption,
  type Compression,
} from './config.js';
export { encodeExportTraceRequest } from './encode.js';

