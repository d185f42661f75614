import { compareUtf8 } from './compare.js';
import { LabelSet } from './snapshot.js';
import { checkDescriptor } from './validate.js';

/**
 * The immutable description of a metric family: name, help, const labels and variable label names,
 * as client_golang's Desc. Registration consistency is decided on it; live values live elsewhere.
 */
export class Descriptor {
  /** Const label names sorted, with their values in the same order. */
  readonly constNames: readonly string[];
  readonly constValues: readonly string[];
  /** All label names (const and variable) sorted by name: the order series labels are written in. */
  readonly sortedNames: readonly string[];
  /** For each sorted position: the variable label index it takes its value from, or -1 for a const label. */
  private readonly sourceIndex: readonly number[];
  /** Why the descriptor is invalid, reported when it is registered (as client_golang does). */
  readonly problem: string | undefined;
  /** Identity for registration: name and const label values. */
  readonly id: string;
  /** Help and label names: must agree among all descriptors of one name. */
  readonly dimensions: string;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly constLabels: Readonly<Record<string, string>>,
  ) {
    this.problem = typeof help === 'string' ? checkDescriptor(name, constLabels, labelNames) : 'help must be a string';
    const constNames = Object.keys(constLabels).sort(compareUtf8);
    this.constNames = constNames;
    this.constValues = constNames.map((n) => constLabels[n]!);
    const all = [...constNames.map((n) => ({ n, src: -1 })), ...labelNames.map((n, i) => ({ n, src: i }))];
    all.sort((a, b) => compareUtf8(a.n, b.n));
    this.sortedNames = all.map((x) => x.n);
    this.sourceIndex = all.map((x) => x.src);
    // JSON, not a separator: any character may appear in help text and label values.
    this.id = JSON.stringify([name, ...this.constValues]);
    // Variable names marked apart from const ones (client_golang prefixes them with `$`): a const label
    // `a` and a variable label `a` are different dimensions.
    this.dimensions = JSON.stringify([help, ...[...constNames, ...labelNames.map((n) => '$' + n)].sort(compareUtf8)]);
  }

  /** Builds the sorted label set of a child from its variable label values (declaration order). */
  labelSet(variableValues: readonly string[]): LabelSet {
    const values = new Array<string>(this.sortedNames.length);
    for (let i = 0; i < values.length; i++) {
      const src = this.sourceIndex[i]!;
      values[i] = src >= 0 ? variableValues[src]! : this.constLabels[this.sortedNames[i]!]!;
    }
    return new LabelSet(this.sortedNames, values);
  }

  /** A readable form for error messages. */
  toString(): string {
    const consts = this.constNames.map((n, i) => `${n}=${JSON.stringify(this.constValues[i])}`).join(',');
    return `Desc{fqName: ${JSON.stringify(this.name)}, help: ${JSON.stringify(this.help)}, constLabels: {${consts}}, variableLabels: [${this.labelNames.join(' ')}]}`;
  }
}
