/**
 * Where a `*-metrics.ts` module leaves the function that binds an engine's observer to a registry, so that
 * an engine's `registry` option works without the engine importing (and every user loading) the metrics
 * engine. The binding module fills the slot when it loads; an entry that offers the option loads it.
 */
export class BindingSlot<Bind> {
  private bind: Bind | undefined;

  constructor(
    /** Who needs the binding, for the error: e.g. `BatchSpanProcessor`. */
    private readonly engine: string,
  ) {}

  provide(bind: Bind): void {
    this.bind = bind;
  }

  /** The binding; a clear error when no module provided it. */
  get(): Bind {
    if (this.bind === undefined) {
      throw new TypeError(
        `${this.engine}: the registry option needs the metrics binding, which the 'zerotel' and 'zerotel/otlp' ` +
          'entries load; import one of them, or pass an observer instead',
      );
    }
    return this.bind;
  }
}
