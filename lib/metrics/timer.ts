/** Monotonic seconds, for timers: immune to wall-clock jumps. */
export function monotonicSeconds(): number {
  return performance.now() / 1000;
}
