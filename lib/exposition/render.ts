import type { FamilySnapshot } from '../metrics/snapshot.js';
import { writeOpenMetrics } from './openmetrics.js';
import { writeProtobuf } from './protobuf.js';
import { writeText } from './text.js';

/** The exposition formats zerotel writes. */
export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';

/** Renders gathered families in one format, as the bytes a scraper receives. */
export function renderFormat(families: readonly FamilySnapshot[], format: ExpositionFormat): Buffer {
  switch (format) {
    case 'text':
      return Buffer.from(writeText(families), 'utf8');
    case 'openmetrics':
      return Buffer.from(writeOpenMetrics(families), 'utf8');
    case 'protobuf':
      return writeProtobuf(families);
  }
}
