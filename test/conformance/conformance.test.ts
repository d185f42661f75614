/**
 * Every conformance fixture, rendered through the public API, must equal client_golang's own output byte
 * for byte in all three formats; refused fixtures must fail at the same stage, family and op.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseFixtureBytes } from '../../lib/fixture/fixture.js';
import { failureReport } from '../../lib/fixture/outputs.js';
import { runFixture } from '../../lib/fixture/run.js';
import { renderFormat } from '../../lib/exposition/render.js';
import { assertSameBytes } from '../helpers/bytes.js';

const SETS = ['reference', 'golden'].map((set) => new URL(`./${set}/`, import.meta.url));

for (const dir of SETS) {
  if (!existsSync(dir)) continue;
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
  describe(`conformance fixtures in ${dir.pathname.split('/').slice(-2, -1)[0]}/`, () => {
    it('has fixtures', () => assert.ok(names.length > 0));
    for (const name of names) {
      const read = (suffix: string) => readFileSync(new URL(name + suffix, dir));
      it(name, () => {
        const outcome = runFixture(parseFixtureBytes(read('.json')));
        const errorFile = new URL(name + '.error.txt', dir);
        if (existsSync(errorFile)) {
          const expected = parseErrorFile(readFileSync(errorFile, 'utf8'));
          assert.equal(outcome.ok, false, 'client_golang refused this fixture, we accepted it');
          if (outcome.ok) return;
          const f = outcome.failure;
          // The report render.ts writes, read back like Go's: the same stage, family (quoted as Go's %q) and op.
          const ours = parseErrorFile(failureReport(f));
          assert.deepEqual({ ...ours, error: undefined }, { ...expected, error: undefined }, `our error: ${f.message}`);
          assert.ok(f.message.length > 0);
          return;
        }
        assert.ok(outcome.ok, outcome.ok ? '' : `refused at ${outcome.failure.stage}: ${outcome.failure.message}`);
        assertSameBytes(renderFormat(outcome.families, 'text'), read('.txt'), `${name}.txt`);
        assertSameBytes(renderFormat(outcome.families, 'openmetrics'), read('.om.txt'), `${name}.om.txt`);
        assertSameBytes(renderFormat(outcome.families, 'protobuf'), read('.pb'), `${name}.pb`);
      });
    }
  });
}

function parseErrorFile(text: string): {
  stage: string;
  family_index: number | undefined;
  family: string | undefined;
  op_index: number | undefined;
  error: string | undefined;
} {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !fields.has(line.slice(0, colon))) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const num = (k: string) => (fields.has(k) ? Number(fields.get(k)) : undefined);
  return {
    stage: fields.get('stage')!,
    family_index: num('family_index'),
    family: fields.get('family'),
    op_index: num('op_index'),
    error: fields.get('error'),
  };
}
