/**
 * Reading what programs/suite.ts writes, and what it must equal: client_golang's bytes for the
 * conformance fixtures (test/conformance/, as conformance.test.ts reads them) and for W1's text.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeUtf8AsGo } from '../../lib/fixture/go-decode.js';
import { assertSameBytes } from '../helpers/bytes.js';
import type { SuiteCase, SuiteInput } from './programs/suite.js';

/** The fixture sets, as conformance.test.ts finds them. */
const SETS = ['reference', 'golden'].map((set) => ({ set, dir: new URL(`../conformance/${set}/`, import.meta.url) }));

/** Expected extensions of client_golang's output, in the suite's format order. */
const REFERENCE_SUFFIXES = ['.txt', '.om.txt', '.pb'] as const;
const FORMAT_NAMES = ['text', 'OpenMetrics', 'protobuf'] as const;

export interface SuiteOutput {
  readonly cases: readonly SuiteCase[];
  /** Rendered bytes by case name: text, OpenMetrics, protobuf. */
  readonly bytes: ReadonlyMap<string, readonly [Uint8Array, Uint8Array, Uint8Array]>;
}

/** Every conformance fixture, named `<set>/<name>`. */
export function conformanceInput(): SuiteInput {
  const fixtures: { name: string; json: string }[] = [];
  for (const { set, dir } of SETS) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      fixtures.push({ name: `${set}/${file.slice(0, -5)}`, json: decodeUtf8AsGo(readFileSync(new URL(file, dir))) });
    }
  }
  assert.ok(fixtures.length > 0, 'no conformance fixtures found under test/conformance/');
  return { fixtures };
}

/** Splits the suite's output: a JSON line, then each rendered case's three bodies back to back. */
export function parseSuiteOutput(out: Uint8Array, what: string): SuiteOutput {
  const newline = out.indexOf(10);
  assert.ok(newline > 0, `${what}: no header line in ${out.length} bytes of output`);
  const cases = (JSON.parse(new TextDecoder().decode(out.subarray(0, newline))) as { cases: SuiteCase[] }).cases;
  const bytes = new Map<string, [Uint8Array, Uint8Array, Uint8Array]>();
  let offset = newline + 1;
  for (const c of cases) {
    if (c.lengths === undefined) continue;
    const take = (n: number) => out.subarray(offset, (offset += n));
    bytes.set(c.name, [take(c.lengths[0]), take(c.lengths[1]), take(c.lengths[2])]);
  }
  assert.equal(offset, out.length, `${what}: the output is longer than its cases say`);
  return { cases, bytes };
}

/** client_golang's bytes for a case, where they are published (every fixture; W1 in text only). */
function clientGolangBytes(name: string, format: number): Uint8Array | undefined {
  if (name === 'W1') {
    return format === 0
      ? gunzipSync(readFileSync(new URL('../conformance/reference-w1.txt.gz', import.meta.url)))
      : undefined;
  }
  const slash = name.indexOf('/');
  const { dir } = SETS.find((s) => s.set === name.slice(0, slash))!;
  return readFileSync(new URL(name.slice(slash + 1) + REFERENCE_SUFFIXES[format], dir));
}

/**
 * Checks a runtime's suite output: every fixture and W1 present, each rendered case byte-identical to
 * client_golang (W1's OpenMetrics and protobuf, which have no published reference, to `fromSource`, the
 * suite run in this process from the sources), each refused fixture refused where `fromSource` refuses it.
 */
export function assertSuiteOutput(actual: SuiteOutput, fromSource: SuiteOutput, runtime: string): void {
  assert.deepEqual(
    actual.cases.map((c) => c.name),
    fromSource.cases.map((c) => c.name),
    `${runtime}: not the same cases`,
  );
  for (const expected of fromSource.cases) {
    const got = actual.cases.find((c) => c.name === expected.name)!;
    if (expected.failure !== undefined) {
      assert.deepEqual(got.failure, expected.failure, `${runtime}: ${expected.name} should be refused as from source`);
      continue;
    }
    assert.equal(got.failure, undefined, `${runtime}: ${expected.name} refused: ${got.failure?.message}`);
    const bodies = actual.bytes.get(expected.name)!;
    for (let format = 0; format < 3; format++) {
      const reference = clientGolangBytes(expected.name, format) ?? fromSource.bytes.get(expected.name)![format]!;
      assertSameBytes(bodies[format]!, reference, `${runtime}: ${expected.name} (${FORMAT_NAMES[format]})`);
    }
  }
}

/** The same check, for the suite run from source: it must itself match client_golang where published. */
export function assertSourceMatchesClientGolang(fromSource: SuiteOutput): void {
  assertSuiteOutput(fromSource, fromSource, 'from source');
  for (const c of fromSource.cases) {
    if (c.name === 'W1') continue;
    const slash = c.name.indexOf('/');
    const { dir } = SETS.find((s) => s.set === c.name.slice(0, slash))!;
    const goRefused = existsSync(new URL(c.name.slice(slash + 1) + '.error.txt', dir));
    assert.equal(
      c.failure !== undefined,
      goRefused,
      `${c.name}: client_golang ${goRefused ? 'refused' : 'accepted'} it`,
    );
  }
}
