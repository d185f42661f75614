/** The push tests' metric set: test/push/push-fixture.json run through the fixture runner. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFixture } from '../../lib/fixture/fixture.js';
import { runFixture } from '../../lib/fixture/run.js';
import type { FamilySnapshot } from '../../lib/metrics/snapshot.js';

export const PUSH_FIXTURE = fileURLToPath(new URL('./push-fixture.json', import.meta.url));

export function fixtureFamilies(): FamilySnapshot[] {
  const outcome = runFixture(parseFixture(readFileSync(PUSH_FIXTURE, 'utf8')));
  if (!outcome.ok) throw new Error(outcome.failure.message);
  return outcome.families;
}
