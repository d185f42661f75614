/** Exports under way, so that a shutdown can wait for every one of them before closing the connection. */
export class InFlight<T> {
  private readonly running = new Set<Promise<T>>();

  /** Remembers `run` until it settles; returns it. */
  track(run: Promise<T>): Promise<T> {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  /** Resolves once every export tracked so far has settled (never rejects). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
