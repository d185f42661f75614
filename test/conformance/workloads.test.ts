/** W1 and W3 render to exactly the bytes client_golang writes (sha256 from the workloads definition). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Registry, writeText } from '../../lib/index.js';
import { buildW1, buildW3 } from '../../bench/workloads.js';
import { zerotelSink } from '../../bench/zerotel-sink.js';
import { assertSameBytes } from '../helpers/bytes.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('standard workloads, byte for byte', () => {
  it('W1 (30 families, 3,000 series) equals client_golang output', () => {
    const registry = new Registry();
    buildW1(zerotelSink(registry));
    const out = Buffer.from(writeText(registry.collect()));
    assert.equal(out.length, 1_339_318);
    assert.equal(sha256(out), '2e3b50514ce3fa4e9d526cd6a91e9444286931c10636213e331fdba8889a1914');
    const reference = gunzipSync(readFileSync(new URL('./reference-w1.txt.gz', import.meta.url)));
    assertSameBytes(out, reference, 'W1');
    // A second scrape (prefix caches warm) writes the same bytes.
    assert.equal(sha256(Buffer.from(writeText(registry.collect()))), sha256(out));
  });

  it('W3 (100,000 series) equals client_golang output', () => {
    const registry = new Registry();
    buildW3(zerotelSink(registry));
    const out = Buffer.from(writeText(registry.collect()));
    assert.equal(out.length, 3_677_848);
    assert.equal(sha256(out), '54fc6205fed038bc830f6e8ba76a39517668509782847eb9aaaa045df6723154');
  });
});
