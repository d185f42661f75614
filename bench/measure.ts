/**
 * Sampling: contenders measured in alternating rounds (A B C, B C A, C A B, ...) after a warm-up, so any
 * drift of a shared, noisy machine lands on all of them alike; medians with min and max.
 */

/** Median, extremes and sample count of one contender's samples. */
export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = samples.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: sorted.length };
}

/** Stats of samples scaled by a constant (ns to ms, total ns to ns per operation). */
export function scaled(s: Stats, factor: number): Stats {
  return { median: s.median * factor, min: s.min * factor, max: s.max * factor, samples: s.samples };
}

let hole = 0;

/**
 * Uses a result so the work that produced it cannot be skipped. A string is read in its middle, which makes
 * V8 flatten a string built by concatenation: every contender pays for contiguous output, as a socket write
 * would make it.
 */
export function consume(value: unknown): void {
  if (typeof value === 'string') hole ^= value.length === 0 ? 0 : value.charCodeAt(value.length >> 1);
  else if (typeof value === 'number') hole ^= value | 0;
  else if (value instanceof Uint8Array) hole ^= value.length === 0 ? 0 : value[value.length >> 1]!;
  else if (value !== undefined && value !== null) hole ^= 1;
}

/** The accumulated black hole, reported at the end so it is observably used. */
export function blackHole(): number {
  return hole;
}

/** One contestant of a measure. */
export interface Contender {
  readonly name: string;
  /** Untimed, before every sample: change the data so no output could be reused. */
  readonly before?: () => void;
  /** The timed work; a returned promise is awaited, a returned value is consumed, both inside the timing. */
  readonly run: () => unknown;
  /**
   * For a peer in another process that times its own work (client_golang): resolves to the nanoseconds it
   * measured, and is used instead of timing `run`.
   */
  readonly timedElsewhere?: () => Promise<number>;
}

export interface SamplingPlan {
  readonly warmup: number;
  readonly samples: number;
  /**
   * Empty the young generation before every sample (needs --expose-gc), so one contender's short-lived
   * garbage is not collected on another's time. A scavenge, not a full collection: a full one also drops
   * V8's old-generation caches, and every sample would then time a cold start no steady server sees.
   */
  readonly collectGarbage?: boolean;
  /** Called after every round with the round number (warm-up rounds included) and the total. */
  readonly onRound?: (round: number, total: number) => void;
}

const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;

/** A scavenge when the process runs with --expose-gc; nothing otherwise. */
export function scavenge(): void {
  gc?.({ type: 'minor' });
}

/** Samples every contender in alternating order and returns the elapsed nanoseconds of each timed run. */
export async function interleave(contenders: readonly Contender[], plan: SamplingPlan): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const total = plan.warmup + plan.samples;
  const n = contenders.length;
  for (let round = 0; round < total; round++) {
    for (let k = 0; k < n; k++) {
      const contender = contenders[(round + k) % n]!;
      contender.before?.();
      if (plan.collectGarbage === true) scavenge();
      const elapsed =
        contender.timedElsewhere === undefined ? await timeOnce(contender.run) : await contender.timedElsewhere();
      if (round >= plan.warmup) out.get(contender.name)!.push(elapsed);
    }
    plan.onRound?.(round + 1, total);
    // Let pending I/O (progress messages to the parent) go out between rounds, never inside a timing.
    if (round % 8 === 7) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

async function timeOnce(run: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  let result = run();
  if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
    result = await result;
  }
  consume(result);
  const end = process.hrtime.bigint();
  return Number(end - start);
}

/** Stats in a unit: nanoseconds times `factor` (1e-6 for ms, 1 / iterations for ns per operation). */
export function statsOf(samples: Map<string, number[]>, factor: number): Record<string, Stats> {
  const out: Record<string, Stats> = {};
  for (const [name, xs] of samples) out[name] = scaled(stats(xs), factor);
  return out;
}
