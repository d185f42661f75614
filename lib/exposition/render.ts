import type { FamilySnapshot } from '../metrics/snapshot.js';
import { encodeOpenMetrics } from './openmetrics.js';
import { encodeProtobuf } from './protobuf.js';
import { encodeText } from './text.js';

/** The exposition formats zerotel writes. */
export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';

/** Renders gathered families in one format, as the bytes a scraper receives. */
export function renderFormat(families: readonly FamilySnapshot[], format: ExpositionFormat): Uint8Array {
  switch (format) {
    case 'text':
      return encodeText(families);
    case 'openmetrics':
      return encodeOpenMetrics(families);
    case 'protobuf':
      return encodeProtobuf(families);
  }
}
