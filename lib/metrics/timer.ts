/** Monotonic seconds, for timers: immune to wall-clock jumps. */
export function monotonicSeconds(): number {
  return performance.now() / 1000;
}

/** Starts a timer; the returned function hands the elapsed seconds to `record` and returns them. */
export function startTimer(record: (seconds: number) => void): () => number {
  const start = monotonicSeconds();
  return () => {
    const elapsed = monotonicSeconds() - start;
    record(elapsed);
    return elapsed;
  };
}
