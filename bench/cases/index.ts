/**
 * Every group of measures the bench knows. To add measures (OTLP encode, end-to-end span export,
 * runtime-metrics collect cost, ...), write one file in this folder exporting a `BenchGroup` and list it
 * here; the runner gives it a fresh process, `--only` filtering, progress, the table, JSON and HTML.
 */
import type { BenchGroup } from '../group.js';
import { compatGroup } from './compat.js';
import { eventLoopGroup } from './event-loop.js';
import { fixtureGroup } from './fixture.js';
import { footprintGroup } from './footprint.js';
import { formatsGroup } from './formats.js';
import { hotPathsGroup } from './hot-paths.js';
import { nativeGroup } from './native.js';
import { otlpE2eApiGroup, otlpE2eGroup } from './otlp-e2e.js';
import { otlpEncodeGroup } from './otlp-encode.js';
import { pushEncodeGroup } from './push-encode.js';
import { runtimeGroup } from './runtime.js';
import { scrapeGroups } from './scrape.js';

export const GROUPS: readonly BenchGroup[] = [
  ...scrapeGroups,
  formatsGroup,
  hotPathsGroup,
  nativeGroup,
  compatGroup,
  eventLoopGroup,
  runtimeGroup,
  otlpEncodeGroup,
  otlpE2eGroup,
  otlpE2eApiGroup,
  pushEncodeGroup,
  footprintGroup,
  fixtureGroup,
];

export function groupById(id: string): BenchGroup | undefined {
  return GROUPS.find((g) => g.id === id);
}
