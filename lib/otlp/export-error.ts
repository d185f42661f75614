/** The error of an export that delivered nothing, shared by the gRPC and HTTP trace exporters. */
import type { GrpcCode } from './grpc-code.js';

/** Why spans were not delivered: a gRPC code name in lower case, or one of these. */
export type FailureReason = 'encode_error' | 'shutdown' | Lowercase<string>;

/** An export that delivered nothing. */
export class OtlpExportError extends Error {
  constructor(
    message: string,
    /** The gRPC code of the last attempt (UNKNOWN for local failures such as encoding). */
    readonly code: GrpcCode,
    /** The reason label the failure was counted under. */
    readonly reason: FailureReason,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'OtlpExportError';
  }
}
