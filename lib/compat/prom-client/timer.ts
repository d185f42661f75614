/** prom-client's timers measure with a monotonic clock, in seconds. */
export function timerStart(): number {
  return performance.now();
}

export function elapsedSince(start: number): number {
  return (performance.now() - start) / 1000;
}
