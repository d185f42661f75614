/** The stage at which client_golang would refuse a metric: where our errors are thrown too. */
export type MetricsStage = 'construct' | 'register' | 'op' | 'gather';

/** A programmer mistake in defining, registering or using a metric. */
export class MetricsError extends Error {
  constructor(
    readonly stage: MetricsStage,
    message: string,
  ) {
    super(message);
    this.name = 'MetricsError';
  }
}

/** Registering a collector whose descriptors are all registered already (client_golang's AlreadyRegisteredError). */
export class AlreadyRegisteredError extends MetricsError {
  constructor(
    message: string,
    readonly existing: unknown,
  ) {
    super('register', message);
    this.name = 'AlreadyRegisteredError';
  }
}

/** Every problem found while gathering, at once; the families that were fine are kept in `families`. */
export class GatherError extends MetricsError {
  constructor(
    readonly problems: readonly string[],
    readonly families: readonly unknown[],
  ) {
    super('gather', `${problems.length} error(s) occurred during gathering:\n* ${problems.join('\n* ')}`);
    this.name = 'GatherError';
  }
}
