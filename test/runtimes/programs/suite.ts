/**
 * What every runtime runs against the packed package: the conformance fixtures and W1, rendered in the
 * three formats through zerotel/metrics. Uses only what all four runtimes have (no Node module, no
 * Buffer), so the same file runs under Node, Bun, Deno and workerd. The harness copies it next to the
 * unpacked package with its imports pointed there (see packed.ts); these paths are for the type checker.
 */
import { buildW1 } from '../../../bench/workloads.js';
import { zerotelSink } from '../../../bench/zerotel-sink.js';
import { parseFixture } from '../../../lib/fixture/fixture.js';
import { runFixture } from '../../../lib/fixture/run.js';
import { Registry, renderFormat, type ExpositionFormat } from '../../../lib/metrics/index.js';

/** The fixtures the harness sends (names and their JSON text). */
export interface SuiteInput {
  readonly fixtures: readonly { readonly name: string; readonly json: string }[];
}

/** One case of the output: bytes in each format, or where the fixture was refused. */
export interface SuiteCase {
  readonly name: string;
  /** Byte lengths of text, OpenMetrics and protobuf, in that order, when rendered. */
  readonly lengths?: readonly [number, number, number];
  readonly failure?: {
    readonly stage: string;
    readonly familyIndex?: number | undefined;
    readonly opIndex?: number | undefined;
    readonly message: string;
  };
}

export const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics', 'protobuf'];

/** The W1 workload in a registry of its own. */
export function w1Registry(): Registry {
  const registry = new Registry();
  buildW1(zerotelSink(registry));
  return registry;
}

/**
 * Runs every fixture and W1 (as the case `W1`). Output: one JSON line `{ "cases": SuiteCase[] }`, then
 * the rendered bytes of the cases in order, each case's text, OpenMetrics and protobuf back to back.
 */
export function runSuite(input: SuiteInput): Uint8Array {
  const cases: SuiteCase[] = [];
  const bodies: Uint8Array[] = [];
  const rendered = (name: string, families: Parameters<typeof renderFormat>[0]) => {
    const out = FORMATS.map((format) => renderFormat(families, format));
    bodies.push(...out);
    cases.push({ name, lengths: [out[0]!.length, out[1]!.length, out[2]!.length] });
  };
  for (const { name, json } of input.fixtures) {
    const outcome = runFixture(parseFixture(json));
    if (outcome.ok) {
      rendered(name, outcome.families);
    } else {
      const f = outcome.failure;
      cases.push({
        name,
        failure: { stage: f.stage, familyIndex: f.familyIndex, opIndex: f.opIndex, message: f.message },
      });
    }
  }
  rendered('W1', w1Registry().collect());
  const header = new TextEncoder().encode(JSON.stringify({ cases }) + '\n');
  const total = bodies.reduce((sum, b) => sum + b.length, header.length);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let offset = header.length;
  for (const body of bodies) {
    out.set(body, offset);
    offset += body.length;
  }
  return out;
}
