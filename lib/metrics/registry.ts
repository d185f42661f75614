import type { Collector } from './collector.js';
import { compareLabelValues, compareUtf8 } from './compare.js';
import type { Descriptor } from './descriptor.js';
import { AlreadyRegisteredError, GatherError, MetricsError } from './errors.js';
import { type FamilySnapshot, LabelSet, type MetricType, Series, type SeriesSnapshot } from './snapshot.js';
import { isValidLabelName, isValidMetricName, isValidUtf8 } from './validate.js';

/** What one gather produced: the consistent families, sorted, and every problem found on the way. */
export interface GatherResult {
  readonly families: FamilySnapshot[];
  readonly problems: string[];
}

interface Registration {
  readonly collector: Collector;
  readonly descriptorIds: readonly string[];
}

/** The family counting series refused by metrics' `maxSeries` limits. */
export const SERIES_DROPPED_METRIC = 'zerotel_metric_series_dropped_total';
const SERIES_DROPPED_HELP = 'New label value combinations refused because the metric reached its maxSeries limit.';

const TYPES: ReadonlySet<MetricType> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * A set of collectors gathered together, with client_golang's registration rules: one name has one help
 * and one set of label names; the same name with other const label values is another series of it.
 */
export class Registry {
  private readonly registrations = new Map<Collector, Registration>();
  /** Collector identity (all its descriptor ids together) -> collector, to detect re-registration. */
  private readonly collectorIds = new Map<string, Collector>();
  private readonly descriptorIds = new Set<string>();
  /** Name -> help and label names of its registered descriptors. */
  private readonly dimensionsByName = new Map<string, { dimensions: string; users: number }>();
  /** Label sets of the series-dropped family, one per limited metric name, kept for their cached text. */
  private readonly droppedLabels = new Map<string, LabelSet>();

  /**
   * Registers a collector. Throws when a descriptor is invalid, disagrees with an earlier one of the same
   * name, or the collector (or an equal one) is registered already.
   */
  register(collector: Collector): void {
    if (this.registrations.has(collector)) {
      throw new AlreadyRegisteredError(`duplicate metrics collector registration attempted`, collector);
    }
    const descriptors = collector.describe();
    const newIds = new Set<string>();
    const newDimensions = new Map<string, string>();
    let duplicate: string | undefined;
    for (const desc of descriptors) {
      if (desc.problem !== undefined) {
        throw new MetricsError('register', `descriptor ${desc} is invalid: ${desc.problem}`);
      }
      if (this.descriptorIds.has(desc.id)) {
        duplicate = `descriptor ${desc} already exists with the same fully-qualified name and const label values`;
      }
      newIds.add(desc.id);
      const known = this.dimensionsByName.get(desc.name);
      if (known !== undefined) {
        if (known.dimensions !== desc.dimensions) {
          throw new MetricsError(
            'register',
            `a previously registered descriptor with the same fully-qualified name as ${desc} has different label names or a different help string`,
          );
        }
      } else {
        const seen = newDimensions.get(desc.name);
        if (seen !== undefined && seen !== desc.dimensions) {
          throw new MetricsError(
            'register',
            `descriptors reported by collector have inconsistent label names or help strings for the same fully-qualified name, offending descriptor: ${desc}`,
          );
        }
        newDimensions.set(desc.name, desc.dimensions);
      }
    }
    const collectorId = [...newIds].sort().join('\u0001');
    if (newIds.size > 0) {
      const existing = this.collectorIds.get(collectorId);
      if (existing !== undefined) {
        throw new AlreadyRegisteredError(
          `duplicate metrics collector registration attempted: ${descriptors[0]!.name} is registered already`,
          existing,
        );
      }
      if (duplicate !== undefined) throw new MetricsError('register', duplicate);
      this.collectorIds.set(collectorId, collector);
    }
    for (const id of newIds) this.descriptorIds.add(id);
    for (const desc of uniqueByName(descriptors)) {
      const known = this.dimensionsByName.get(desc.name);
      if (known !== undefined) known.users++;
      else this.dimensionsByName.set(desc.name, { dimensions: desc.dimensions, users: 1 });
    }
    this.registrations.set(collector, { collector, descriptorIds: [...newIds] });
  }

  /** Unregisters a collector; true when it was registered. */
  unregister(collector: Collector): boolean {
    const registration = this.registrations.get(collector);
    if (registration === undefined) return false;
    this.registrations.delete(collector);
    if (registration.descriptorIds.length > 0) {
      this.collectorIds.delete([...registration.descriptorIds].sort().join('\u0001'));
    }
    for (const id of registration.descriptorIds) this.descriptorIds.delete(id);
    for (const desc of uniqueByName(collector.describe())) {
      const known = this.dimensionsByName.get(desc.name);
      if (known !== undefined && --known.users === 0) this.dimensionsByName.delete(desc.name);
    }
    return true;
  }

  /** Unregisters everything. */
  clear(): void {
    for (const collector of [...this.registrations.keys()]) this.unregister(collector);
  }

  /** The registered collectors, in registration order. */
  collectors(): Collector[] {
    return [...this.registrations.keys()];
  }

  /**
   * Gathers every collector into families sorted by name, series sorted by label values.
   * Throws a GatherError listing every problem when anything is inconsistent.
   * Collect callbacks that return promises need `collectAsync()`.
   */
  collect(): FamilySnapshot[] {
    for (const { collector } of this.registrations.values()) {
      const pending = collector.prepare?.();
      if (pending !== undefined && typeof (pending as Promise<void>).then === 'function') {
        throw new MetricsError('gather', `a collect callback returned a promise: use collectAsync()`);
      }
    }
    return throwOnProblems(this.gather());
  }

  /** As `collect()`, awaiting collect callbacks that return promises (all run concurrently). */
  async collectAsync(): Promise<FamilySnapshot[]> {
    const pending: Promise<void>[] = [];
    for (const { collector } of this.registrations.values()) {
      const result = collector.prepare?.();
      if (result !== undefined) pending.push(result);
    }
    if (pending.length > 0) await Promise.all(pending);
    return throwOnProblems(this.gather());
  }

  /** `zerotel_metric_series_dropped_total{metric}` for the registered metrics that have a series limit. */
  private seriesDroppedFamily(): FamilySnapshot | undefined {
    // Summed by name: one name may be registered several times with other const label values.
    let counts: Map<string, number> | undefined;
    for (const collector of this.registrations.keys()) {
      if (collector.maxSeries === undefined || collector.maxSeries === Infinity) continue;
      const name = collector.describe()[0]?.name ?? '';
      counts ??= new Map();
      counts.set(name, (counts.get(name) ?? 0) + (collector.droppedSeries ?? 0));
    }
    if (counts === undefined) return undefined;
    const series: SeriesSnapshot[] = [];
    for (const [name, count] of counts) {
      let labels = this.droppedLabels.get(name);
      if (labels === undefined) {
        labels = new LabelSet(['metric'], [name]);
        this.droppedLabels.set(name, labels);
      }
      series.push(new Series(labels, count, 0, 0, null, null, null, null, undefined, undefined));
    }
    series.sort((a, b) => compareLabelValues(a.labels.values, b.labels.values));
    return {
      name: SERIES_DROPPED_METRIC,
      help: SERIES_DROPPED_HELP,
      type: 'counter',
      unit: '',
      upperBounds: null,
      quantileRanks: null,
      series,
    };
  }

  /** Gathers without running prepare steps, returning problems instead of throwing. */
  gather(): GatherResult {
    const problems: string[] = [];
    const byName = new Map<string, FamilySnapshot>();
    const merged = new Set<string>();
    const scratch: FamilySnapshot[] = [];
    for (const { collector } of this.registrations.values()) {
      scratch.length = 0;
      try {
        collector.collect(scratch);
      } catch (error) {
        problems.push(`collector failed: ${(error as Error)?.message ?? String(error)}`);
        continue;
      }
      for (let family of scratch) {
        if (!collector.trusted) {
          const checked = checkFamily(family, problems);
          if (checked === undefined) continue;
          family = checked;
        }
        if (family.series.length === 0) continue;
        const existing = byName.get(family.name);
        if (existing === undefined) {
          const collision = suffixCollision(family, byName);
          if (collision !== undefined) {
            problems.push(collision);
            continue;
          }
          byName.set(family.name, family);
          if (!collector.trusted) merged.add(family.name);
          continue;
        }
        if (existing.help !== family.help) {
          problems.push(
            `gathered metric family ${family.name} has help ${JSON.stringify(family.help)} but should have ${JSON.stringify(existing.help)}`,
          );
          continue;
        }
        if (existing.type !== family.type) {
          problems.push(
            `gathered metric family ${family.name} has type ${family.type} but should have ${existing.type}`,
          );
          continue;
        }
        // Series of one name may have their own buckets or ranks (client_golang allows it under different
        // const labels): those not matching the family's carry theirs.
        const ranks = family.type === 'histogram' ? family.upperBounds : family.quantileRanks;
        const same =
          sameArray(existing.upperBounds, family.upperBounds) &&
          sameArray(existing.quantileRanks, family.quantileRanks);
        const incoming = same ? family.series : family.series.map((s) => ({ ...s, ownRanks: ranks ?? [] }));
        byName.set(family.name, { ...existing, series: [...existing.series, ...incoming] });
        merged.add(family.name);
      }
    }
    for (const name of merged) {
      const family = byName.get(name)!;
      byName.set(name, { ...family, series: sortedUniqueSeries(family, problems) });
    }
    const dropped = this.seriesDroppedFamily();
    if (dropped !== undefined) {
      if (byName.has(dropped.name))
        problems.push(`a collected family is named ${dropped.name}, which zerotel reserves`);
      else byName.set(dropped.name, dropped);
    }
    const families = [...byName.values()];
    families.sort((a, b) => compareUtf8(a.name, b.name));
    return { families, problems };
  }
}

/** The registry metrics register with unless told otherwise. */
export const defaultRegistry = new Registry();

function throwOnProblems(result: GatherResult): FamilySnapshot[] {
  if (result.problems.length > 0) throw new GatherError(result.problems, result.families);
  return result.families;
}

function uniqueByName(descriptors: readonly Descriptor[]): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  for (const d of descriptors) if (!seen.has(d.name)) seen.set(d.name, d);
  return [...seen.values()];
}

function sameArray(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** For one family name: the base it may collide with, and the names a histogram/summary of it would clash with. */
interface NameParts {
  readonly base: string;
  readonly suffixed: readonly [count: string, sum: string, bucket: string];
}

/** Name parts by name, computed once per name rather than on every scrape; bounded. */
const namePartsCache = new Map<string, NameParts>();

function namePartsOf(name: string): NameParts {
  let parts = namePartsCache.get(name);
  if (parts === undefined) {
    let base = '';
    if (name.endsWith('_count')) base = name.slice(0, -6);
    else if (name.endsWith('_sum')) base = name.slice(0, -4);
    else if (name.endsWith('_bucket')) base = name.slice(0, -7);
    parts = { base, suffixed: [name + '_count', name + '_sum', name + '_bucket'] };
    if (namePartsCache.size >= 10_000) namePartsCache.clear();
    namePartsCache.set(name, parts);
  }
  return parts;
}

/** client_golang's check that `x_count`, `x_sum`, `x_bucket` do not clash with a summary or histogram `x`. */
function suffixCollision(family: FamilySnapshot, byName: ReadonlyMap<string, FamilySnapshot>): string | undefined {
  const name = family.name;
  const { base, suffixed } = namePartsOf(name);
  if (base !== '') {
    const existing = byName.get(base);
    if (existing?.type === 'summary' && !name.endsWith('_bucket')) {
      return `collected metric named ${JSON.stringify(name)} collides with previously collected summary named ${JSON.stringify(base)}`;
    }
    if (existing?.type === 'histogram') {
      return `collected metric named ${JSON.stringify(name)} collides with previously collected histogram named ${JSON.stringify(base)}`;
    }
  }
  const checked = family.type === 'histogram' ? 3 : family.type === 'summary' ? 2 : 0;
  for (let i = 0; i < checked; i++) {
    if (byName.has(suffixed[i]!)) {
      return `collected histogram or summary named ${JSON.stringify(name)} collides with previously collected metric named ${JSON.stringify(suffixed[i])}`;
    }
  }
  return undefined;
}

/** Validates a family from a collector that is not one of the library's own metrics. */
function checkFamily(family: FamilySnapshot, problems: string[]): FamilySnapshot | undefined {
  const name = family?.name;
  if (typeof name !== 'string' || !isValidMetricName(name)) {
    problems.push(`collected metric family named ${JSON.stringify(name)} has an invalid name`);
    return undefined;
  }
  if (typeof family.help !== 'string') {
    problems.push(`collected metric family ${name} has a help that is not a string`);
    return undefined;
  }
  if (!TYPES.has(family.type)) {
    problems.push(`collected metric family ${name} has unknown type ${JSON.stringify(family.type)}`);
    return undefined;
  }
  const kept: SeriesSnapshot[] = [];
  for (const s of family.series) {
    const problem = checkSeries(family, s);
    if (problem === undefined) kept.push(s);
    else problems.push(`collected metric ${name}: ${problem}`);
  }
  return kept.length === family.series.length ? family : { ...family, series: kept };
}

function checkSeries(family: FamilySnapshot, s: SeriesSnapshot): string | undefined {
  const { names, values } = s.labels;
  if (names.length !== values.length) return `has ${names.length} label names but ${values.length} values`;
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (!isValidLabelName(n)) return `label name ${JSON.stringify(n)} is invalid`;
    if (i > 0 && compareUtf8(names[i - 1]!, n) >= 0)
      return `label names are not sorted and unique at ${JSON.stringify(n)}`;
    if (typeof values[i] !== 'string' || !isValidUtf8(values[i]!))
      return `label value ${JSON.stringify(values[i])} is not valid UTF-8`;
    if ((family.type === 'histogram' && n === 'le') || (family.type === 'summary' && n === 'quantile')) {
      return `label name ${JSON.stringify(n)} is reserved in a ${family.type}`;
    }
  }
  if (family.type === 'histogram') {
    const bounds = family.upperBounds ?? [];
    if (s.buckets === null || s.buckets.length !== bounds.length) return `histogram series needs one count per bucket`;
  }
  if (family.type === 'summary' && (family.quantileRanks?.length ?? 0) !== (s.quantiles?.length ?? 0)) {
    return `summary series needs one value per quantile`;
  }
  return undefined;
}

/** Sorts series of a family gathered from several collectors and drops repeated label sets. */
function sortedUniqueSeries(family: FamilySnapshot, problems: string[]): SeriesSnapshot[] {
  const sorted = family.series.slice().sort((a, b) => compareLabelValues(a.labels.values, b.labels.values));
  const unique: SeriesSnapshot[] = [];
  for (const s of sorted) {
    const prev = unique[unique.length - 1];
    if (prev !== undefined && compareLabelValues(prev.labels.values, s.labels.values) === 0 && sameNames(prev, s)) {
      problems.push(
        `collected metric ${family.name} {${s.labels.text}} was collected before with the same name and label values`,
      );
      continue;
    }
    unique.push(s);
  }
  return unique;
}

function sameNames(a: SeriesSnapshot, b: SeriesSnapshot): boolean {
  const x = a.labels.names;
  const y = b.labels.names;
  return x.length === y.length && x.every((n, i) => n === y[i]);
}
