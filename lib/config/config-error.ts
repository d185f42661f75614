/** The one error type of configuration checks: thrown once, after every problem has been found. */
export class ConfigError extends Error {
  /**
   * @param problems each names the option, key or variable it is about, e.g. `OTEL_BSP_SCHEDULE_DELAY=...`
   * @param subject what was configured, for the first line (`invalid <subject>:`)
   */
  constructor(
    readonly problems: readonly string[],
    subject = 'configuration',
  ) {
    super(`invalid ${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Throws a {@link ConfigError} when `problems` holds any. */
export function throwIfProblems(problems: readonly string[], subject?: string): void {
  if (problems.length > 0) throw new ConfigError(problems, subject);
}
