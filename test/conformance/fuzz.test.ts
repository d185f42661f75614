/**
 * A bounded round of the differential fuzzer: random fixtures rendered by client_golang (Debian's Go
 * packages) and by zerotel must agree byte for byte, or differ only as docs/exactness.md says.
 * The seed is printed; rerun it with `npx tsx scripts/golden/fuzz.ts --seed S --count 2000`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildGo, formatRound, goMissing, runRound } from '../../scripts/golden/differential.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';

const peer = { name: 'Go with client_golang 1.14', missing: goMissing() };
const scratch = mkdtempSync(join(tmpdir(), 'zerotel-fuzz-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('differential fuzzing against client_golang', peerOptions(peer), () => {
  it('2,000 random fixtures, native histograms among them: no difference outside the deviation table', {
    timeout: 600_000,
  }, (t) => {
    assertPeer(peer);
    const seed = Number(process.env.ZEROTEL_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
    t.diagnostic(`fuzz seed ${seed}`);
    const binary = join(scratch, 'golden');
    buildGo('./scripts/golden', binary);
    const result = runRound({ seed, count: 2000, goBinary: binary, minimise: 2 });
    const report = formatRound(result);
    t.diagnostic(report);
    // Both sides really ran: most fixtures render, and refusals are exercised too.
    assert.ok(result.rendered > 500, report);
    assert.ok(result.refused > 100, report);
    // About a third of the fixtures are native-histogram ones, and many of them render.
    assert.ok(result.nativeRendered > 100, report);
    assert.equal(result.mismatches.length, 0, report);
  });
});
