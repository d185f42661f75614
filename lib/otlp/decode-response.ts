/**
 * Readers for what the OTLP/gRPC exporter gets back: the `ExportTraceServiceResponse` body of a
 * successful call (is it a partial success?) and the `google.rpc.Status` of a failed one (the
 * `grpc-status-details-bin` trailer), whose RetryInfo detail says how long a throttled client
 * must wait. Schemas: proto/opentelemetry/proto/collector/trace/v1/trace_service.proto,
 * proto/google/rpc/status.proto, proto/google/rpc/error_details.proto.
 *
 * Unknown fields are skipped, as protobuf requires; an embedded message given twice is merged
 * (later scalar values win). Malformed or truncated input throws ProtobufDecodeError.
 */

import { ProtoReader, ProtobufDecodeError } from '../protobuf/reader.js';

export { ProtobufDecodeError };

/** The type URL of a packed google.rpc.RetryInfo (any host prefix is accepted when reading). */
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
const RETRY_INFO_TYPE_NAME = 'google.rpc.RetryInfo';

// Field keys: (field number << 3) | wire type.
const RESPONSE_PARTIAL_SUCCESS = 0x0a; // ExportTraceServiceResponse.partial_success = 1, LEN
const PARTIAL_REJECTED_SPANS = 0x08; // ExportTracePartialSuccess.rejected_spans = 1, int64
const PARTIAL_ERROR_MESSAGE = 0x12; // ExportTracePartialSuccess.error_message = 2, string
const STATUS_CODE = 0x08; // google.rpc.Status.code = 1, int32
const STATUS_MESSAGE = 0x12; // google.rpc.Status.message = 2, string
const STATUS_DETAILS = 0x1a; // google.rpc.Status.details = 3, repeated Any
const ANY_TYPE_URL = 0x0a; // google.protobuf.Any.type_url = 1, string
const ANY_VALUE = 0x12; // google.protobuf.Any.value = 2, bytes
const RETRY_INFO_DELAY = 0x0a; // google.rpc.RetryInfo.retry_delay = 1, Duration
const DURATION_SECONDS = 0x08; // google.protobuf.Duration.seconds = 1, int64
const DURATION_NANOS = 0x10; // google.protobuf.Duration.nanos = 2, int32

/** What an `ExportTraceServiceResponse` says. */
export interface ExportTraceResponse {
  /**
   * True when the server set `partial_success`: some spans were refused (`rejectedSpans` > 0),
   * or, with 0 rejected, the server has a warning in `errorMessage`. Never a reason to retry.
   */
  readonly partialSuccess: boolean;
  /** Spans the server refused (0 when none or unset). */
  readonly rejectedSpans: number;
  /** The server's explanation ('' when unset). */
  readonly errorMessage: string;
}

/** A google.protobuf.Duration. */
export interface Duration {
  readonly seconds: number;
  readonly nanos: number;
}

/** What a `google.rpc.Status` says, reduced to what the exporter acts on. */
export interface RpcStatus {
  /** The gRPC status code. */
  readonly code: number;
  readonly message: string;
  /** The `retry_delay` of the first RetryInfo detail; undefined when there is none. */
  readonly retryDelay: Duration | undefined;
  /** `retryDelay` in milliseconds (never negative); undefined without a RetryInfo detail. */
  readonly retryDelayMs: number | undefined;
  /** The type URL of every detail, in order (for logs). */
  readonly detailTypes: readonly string[];
}

/** Decodes the body of a successful Export call. An empty body is full success. */
export function decodeExportTraceResponse(bytes: Uint8Array): ExportTraceResponse {
  const r = new ProtoReader(bytes);
  let partialSuccess = false;
  let rejectedSpans = 0;
  let errorMessage = '';
  while (!r.done()) {
    const key = r.key();
    if (key !== RESPONSE_PARTIAL_SUCCESS) {
      r.skip(key);
      continue;
    }
    partialSuccess = true;
    const m = r.message();
    while (!m.done()) {
      const inner = m.key();
      if (inner === PARTIAL_REJECTED_SPANS) rejectedSpans = m.int64();
      else if (inner === PARTIAL_ERROR_MESSAGE) errorMessage = m.string();
      else m.skip(inner);
    }
  }
  return { partialSuccess, rejectedSpans, errorMessage };
}

/** Decodes a serialized `google.rpc.Status`. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const r = new ProtoReader(bytes);
  let code = 0;
  let message = '';
  let retryDelay: Duration | undefined;
  const detailTypes: string[] = [];
  while (!r.done()) {
    const key = r.key();
    switch (key) {
      case STATUS_CODE:
        code = r.int32();
        break;
      case STATUS_MESSAGE:
        message = r.string();
        break;
      case STATUS_DETAILS: {
        const detail = readAny(r.message());
        detailTypes.push(detail.typeUrl);
        if (retryDelay === undefined && isRetryInfo(detail.typeUrl)) {
          retryDelay = readRetryDelay(detail.value);
        }
        break;
      }
      default:
        r.skip(key);
    }
  }
  const retryDelayMs =
    retryDelay === undefined ? undefined : Math.max(0, retryDelay.seconds * 1000 + retryDelay.nanos / 1e6);
  return { code, message, retryDelay, retryDelayMs, detailTypes };
}

/**
 * Decodes the value of a `grpc-status-details-bin` trailer: base64 (padded or not, as gRPC
 * allows) of a serialized google.rpc.Status.
 */
export function decodeGrpcStatusDetails(base64: string): RpcStatus {
  return decodeRpcStatus(Buffer.from(base64, 'base64'));
}

function readAny(r: ProtoReader): { typeUrl: string; value: Uint8Array } {
  let typeUrl = '';
  let value: Uint8Array = new Uint8Array(0);
  while (!r.done()) {
    const key = r.key();
    if (key === ANY_TYPE_URL) typeUrl = r.string();
    else if (key === ANY_VALUE) value = r.bytes();
    else r.skip(key);
  }
  return { typeUrl, value };
}

/** A type URL naming google.rpc.RetryInfo: the part after the last '/' is the type name. */
function isRetryInfo(typeUrl: string): boolean {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1) === RETRY_INFO_TYPE_NAME;
}

/** The retry_delay of a serialized RetryInfo (zero when unset). */
function readRetryDelay(bytes: Uint8Array): Duration {
  const r = new ProtoReader(bytes);
  let seconds = 0;
  let nanos = 0;
  while (!r.done()) {
    const key = r.key();
    if (key !== RETRY_INFO_DELAY) {
      r.skip(key);
      continue;
    }
    const d = r.message();
    while (!d.done()) {
      const inner = d.key();
      if (inner === DURATION_SECONDS) seconds = d.int64();
      else if (inner === DURATION_NANOS) nanos = d.int32();
      else d.skip(inner);
    }
  }
  return { seconds, nanos };
}
