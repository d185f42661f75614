/** prom-client's timers measure with a monotonic clock, in seconds. */
export function timerStart(): number {
  return performance.now();
}

export function elapsedSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * A child's timer: `end()` records on the child; `end(labels)` records on the series of the child's labels
 * merged with these, through the metric (prom-client's timers may name labels at the end).
 */
export function childTimer(
  record: (seconds: number) => void,
  ownLabels: () => Record<string, string>,
  owner: { observe(labels: object, value: number): void },
): (labels?: object) => number {
  const start = timerStart();
  return (endLabels) => {
    const seconds = elapsedSince(start);
    if (endLabels === undefined) record(seconds);
    else owner.observe({ ...ownLabels(), ...endLabels }, seconds);
    return seconds;
  };
}
