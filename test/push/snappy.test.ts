/**
 * The snappy block codec: round trips, byte-identical output to the reference implementation (the `snappy`
 * npm package, a port of Google's), decoding what the reference wrote, and clear errors on corrupt input.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import snappy from 'snappy';
import { encodeText } from '../../lib/exposition/text.js';
import { SnappyError, snappyCompress, snappyDecompress } from '../../lib/push/snappy.js';
import { mulberry32 } from '../../bench/workloads.js';
import { fixtureFamilies } from './push-fixture.js';

function pseudoRandom(n: number, seed: number): Uint8Array {
  const r = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

const text = new TextEncoder();
const INPUTS: Record<string, Uint8Array> = {
  empty: new Uint8Array(0),
  'one byte': text.encode('x'),
  'short repeat': text.encode('hello hello hello hello hello hello'),
  'random 100 KB (incompressible)': pseudoRandom(100_000, 1),
  'one pattern over several 64 KiB blocks': text.encode('abcdefgh'.repeat(30_000)),
  'long literal runs': text.encode(
    Array.from({ length: 3000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join(''),
  ),
  'exposition text': new Uint8Array(encodeText(fixtureFamilies())),
  'mixed 300 KB': text.encode(
    Array.from({ length: 20_000 }, (_, i) => `series_${i % 977}{a="${i % 13}"} ${i}\n`).join(''),
  ),
};

describe('snappy block format', () => {
  for (const [name, input] of Object.entries(INPUTS)) {
    it(`${name}: round trip, and the same bytes as the reference compressor`, () => {
      const compressed = snappyCompress(input);
      assert.deepEqual(snappyDecompress(compressed), input);
      assert.deepEqual(new Uint8Array(snappy.uncompressSync(Buffer.from(compressed)) as Buffer), input);
      const reference = snappy.compressSync(Buffer.from(input));
      assert.deepEqual(Buffer.from(compressed), reference);
      assert.deepEqual(snappyDecompress(new Uint8Array(reference)), input);
    });
  }

  it('200 generated inputs of every compressibility: the reference bytes, and round trips both ways', () => {
    const r = mulberry32(7);
    for (let k = 0; k < 200; k++) {
      const n = Math.floor(r() ** 3 * 200_000);
      const alphabet = 1 + Math.floor(r() * 255);
      const runs = r() < 0.5;
      const input = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        // Runs copy an earlier stretch (matches at many offsets); otherwise bytes from a small or large alphabet.
        input[i] = runs && i > 64 && r() < 0.9 ? input[i - 1 - Math.floor(r() * 64)]! : Math.floor(r() * alphabet);
      }
      const compressed = snappyCompress(input);
      const reference = snappy.compressSync(Buffer.from(input));
      assert.ok(Buffer.from(compressed).equals(reference), `input ${k} (${n} bytes): differs from the reference`);
      assert.deepEqual(snappyDecompress(compressed), input);
    }
  });

  it('refuses corrupt and truncated blocks with a clear error', () => {
    const good = snappyCompress(text.encode('abcabcabcabcabcabcabcabcabcabcabc'));
    assert.throws(() => snappyDecompress(good.subarray(0, good.length - 1)), SnappyError);
    assert.throws(() => snappyDecompress(new Uint8Array([])), /truncated length header/);
    assert.throws(
      () => snappyDecompress(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
      /length header is too long/,
    );
    // Announces 4 bytes, then copies from offset 1 with nothing written yet.
    assert.throws(
      () => snappyDecompress(new Uint8Array([4, 0x01, 0x01])),
      /copy offset 1 is outside the 0 bytes written/,
    );
    // Announces 2 bytes, delivers a 3-byte literal.
    assert.throws(() => snappyDecompress(new Uint8Array([2, 0x08, 1, 2, 3])), /past the announced length/);
    // Announces 5 bytes, delivers 3.
    assert.throws(
      () => snappyDecompress(new Uint8Array([5, 0x08, 1, 2, 3])),
      /decoded 3 bytes, the header announced 5/,
    );
    assert.throws(
      () => snappyDecompress(new Uint8Array([0xff, 0xff, 0xff, 0x7f]), 1024),
      /exceeds the limit of 1024 bytes/,
    );
  });
});
