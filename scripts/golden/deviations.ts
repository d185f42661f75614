/**
 * The deliberate differences from client_golang, as the fuzzer expects them. Mirrors the table in
 * docs/exactness.md: a row there and an entry here, or the difference is a failure.
 */
import { FixtureFormatError, parseFixtureBytes, type Fixture } from '../../lib/fixture/fixture.js';
import { parseFloatAsGo } from '../../lib/fixture/go-decode.js';

/** What one side made of a fixture. */
export type Outcome =
  | { readonly kind: 'rendered'; readonly txt: Buffer; readonly om: Buffer; readonly pb: Buffer }
  | {
      readonly kind: 'refused';
      readonly stage: string;
      readonly familyIndex: number | undefined;
      readonly opIndex: number | undefined;
      /** The `family:` line as written (Go's %q of the name). */
      readonly family: string | undefined;
      readonly message: string;
    }
  | { readonly kind: 'unreadable' };

export interface Deviation {
  /** Short id, the same as the row of docs/exactness.md. */
  readonly id: string;
  /** True when this deviation, and nothing else, accounts for the difference between the outcomes. */
  explains(fixture: Uint8Array, go: Outcome, zerotel: Outcome): boolean;
}

function read(bytes: Uint8Array): Fixture | undefined {
  try {
    return parseFixtureBytes(bytes);
  } catch (error) {
    if (error instanceof FixtureFormatError) return undefined;
    throw error;
  }
}

/**
 * Go's outcome happens after zerotel's refusal of family `family` at construct: its register, a later
 * family's construct or register, any op, gather, or a rendering.
 */
function goGotFurther(go: Outcome, family: number): boolean {
  if (go.kind === 'rendered') return true;
  if (go.kind !== 'refused') return false;
  if (go.stage === 'op' || go.stage === 'gather') return true;
  if (go.familyIndex === undefined) return false;
  return go.familyIndex > family || (go.familyIndex === family && go.stage === 'register');
}

export const DEVIATIONS: readonly Deviation[] = [
  {
    // client_golang takes any rank; its quantile stream then answers nonsense, or panics with an index out
    // of range when a series is observed or gathered. zerotel refuses the summary when it is made.
    id: 'summary-rank-outside-0-1',
    explains(bytes, go, zerotel) {
      if (zerotel.kind !== 'refused' || zerotel.stage !== 'construct' || zerotel.familyIndex === undefined)
        return false;
      if (!/objective rank .* is not within \[0, 1\]/.test(zerotel.message)) return false;
      const family = read(bytes)?.families[zerotel.familyIndex];
      const ranks = Object.keys(family?.objectives ?? {}).map(parseFloatAsGo);
      return ranks.some((q) => q !== undefined && !(q >= 0 && q <= 1)) && goGotFurther(go, zerotel.familyIndex);
    },
  },
];
