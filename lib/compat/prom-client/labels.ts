/**
 * prom-client's label objects on the engine's positional children. prom-client accepts a subset of the
 * declared labels; an omitted label gets the empty value, which Prometheus treats as absent.
 */
import { inspect } from 'node:util';
import type { LabelValue } from '../../metrics/metric.js';
import type { LabelSet } from '../../metrics/snapshot.js';

/** What the engine's metrics offer for finding a child by positional values. */
export interface ChildLookup<C> {
  labels(...values: LabelValue[]): C;
  /** The one child of a metric without labels. */
  plainChild(): C;
}

type LabelObject = Readonly<Record<string, unknown>>;

/**
 * The child for a label object. The common case (every declared label given, nothing else) takes one
 * key count and one positional lookup; anything else is checked and completed in `completeValues`.
 */
export function childOf<C>(metric: ChildLookup<C>, names: readonly string[], labels: LabelObject): C {
  let given = 0;
  for (const _ in labels) given++;
  if (names.length === 0) {
    if (given > 0) completeValues(names, labels); // throws prom-client's error for the undeclared name
    return metric.plainChild();
  }
  if (given === names.length) {
    switch (given) {
      case 1: {
        const a = labels[names[0]!];
        // An object here would read as a label map: the slow path refuses it.
        if (a !== undefined && typeof a !== 'object') return metric.labels(a as LabelValue);
        break;
      }
      case 2: {
        const a = labels[names[0]!];
        const b = labels[names[1]!];
        if (a !== undefined && b !== undefined) return metric.labels(a as LabelValue, b as LabelValue);
        break;
      }
      case 3: {
        const a = labels[names[0]!];
        const b = labels[names[1]!];
        const c = labels[names[2]!];
        if (a !== undefined && b !== undefined && c !== undefined) {
          return metric.labels(a as LabelValue, b as LabelValue, c as LabelValue);
        }
        break;
      }
    }
  }
  return metric.labels(...completeValues(names, labels));
}

/** Values in declaration order, '' for omitted ones; prom-client's error for an undeclared name. */
export function completeValues(names: readonly string[], labels: LabelObject): LabelValue[] {
  for (const name in labels) {
    if (!names.includes(name)) {
      throw new Error(`Added label "${name}" is not included in initial labelset: ${inspect(names)}`);
    }
  }
  return names.map((n) => {
    const v = labels[n];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new TypeError(`label "${n}" has a value of type ${typeof v}: label values are strings or numbers`);
    }
    return v;
  });
}

/** prom-client's positional `labels(...)` rule: one value per declared name. */
export function checkPositional(names: readonly string[], args: readonly unknown[]): void {
  if (args.length !== names.length) {
    throw new Error(
      `Invalid number of arguments (${args.length}): "${args.join(', ')}" for label names (${names.length}): "${names.join(', ')}".`,
    );
  }
}

/** The arguments of `labels(...)`/`remove(...)`: positional values, or one object by name. */
export function valuesOfArgs(names: readonly string[], args: readonly unknown[]): LabelValue[] {
  if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null) {
    return completeValues(names, args[0] as LabelObject);
  }
  checkPositional(names, args);
  return args as LabelValue[];
}

/** A child's own labels as an object, for timers whose `end(labels)` adds more. */
export function labelObjectOf(labels: LabelSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < labels.names.length; i++) out[labels.names[i]!] = labels.values[i]!;
  return out;
}
