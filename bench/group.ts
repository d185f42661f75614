/**
 * The contract between the bench runner and the groups of measures.
 *
 * A group is one file under bench/cases/ that owns a few related measures. The runner starts every group
 * in a fresh child process (so JIT state, heap and caches of one group never colour another), hands it the
 * options and collects the results it emits. Adding measures later means adding one file and listing it in
 * bench/cases/index.ts; nothing else in the runner changes.
 */
import type { Stats } from './measure.js';

/** Command-line options a group may look at. */
export interface BenchOptions {
  /** Few samples: the whole run fits in about a minute. */
  readonly quick: boolean;
  /** Only measures whose name matches run (the source of a RegExp, case-insensitive). */
  readonly only: string | undefined;
  /** A conformance fixture to benchmark instead of the standard workloads. */
  readonly fixture: string | undefined;
}

/** One finished measure: zerotel and every peer measured beside it in the same process. */
export interface MeasureResult {
  readonly name: string;
  /** Unit of the medians, min and max (`ms`, `ns/op`, `KiB`, ...). Lower is better for every unit. */
  readonly unit: string;
  /** Stats per contender; `zerotel` always, then the peers in the order they should be shown. */
  readonly contenders: Readonly<Record<string, Stats>>;
  /** Which peer `ratio` is computed against; the first non-floor peer when not given. */
  readonly mainPeer?: string;
  /** Extra facts shown beside the figures (output bytes, where zerotel was imported from, ...). */
  readonly info?: Readonly<Record<string, string | number>>;
}

/** What a group gets while it runs in its child process. */
export interface BenchContext {
  readonly options: BenchOptions;
  /** True when the measure passes `--only`; skip the work of measures that do not. */
  wants(name: string): boolean;
  /** A short progress note for the status line (never written to stdout). */
  progress(text: string): void;
  /** Hands a finished measure to the runner. */
  emit(result: MeasureResult): void;
}

/** A group of measures, run in its own child process. */
export interface BenchGroup {
  /** Stable id, used to start the group in its child process. */
  readonly id: string;
  readonly title: string;
  /** `standard`: part of every run; `fixture`: runs only when `--fixture` is given (and then alone). */
  readonly mode: 'standard' | 'fixture';
  /** The names of the measures the group would emit with these options (used for `--only` before spawning). */
  measureNames(options: BenchOptions): readonly string[];
  run(context: BenchContext): Promise<void>;
}

/** The `--only` filter as a predicate. */
export function measureFilter(only: string | undefined): (name: string) => boolean {
  if (only === undefined) return () => true;
  const pattern = new RegExp(only, 'i');
  return (name) => pattern.test(name);
}
