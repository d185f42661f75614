import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { RandomIdGenerator, isValidSpanId, isValidTraceId } from '../../lib/trace/ids.js';

describe('ids', () => {
  it('are lowercase hex of the right length, and distinct', () => {
    const ids = new RandomIdGenerator();
    const traces = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = ids.generateTraceId();
      const s = ids.generateSpanId();
      assert.ok(isValidTraceId(t), t);
      assert.ok(isValidSpanId(s), s);
      traces.add(t);
      spans.add(s);
    }
    assert.equal(traces.size, 2000);
    assert.equal(spans.size, 2000);
  });

  it('draws randomness in chunks: one fill per pool, not one per id', () => {
    let fills = 0;
    const ids = new RandomIdGenerator({
      poolSize: 4096,
      fill: (buffer) => {
        fills++;
        randomFillSync(buffer);
      },
    });
    for (let i = 0; i < 512; i++) ids.generateSpanId(); // exactly 4096 bytes
    assert.equal(fills, 1);
    ids.generateSpanId();
    assert.equal(fills, 2);
  });

  it('skips all-zero draws', () => {
    let call = 0;
    const ids = new RandomIdGenerator({
      poolSize: 16,
      fill: (buffer) => {
        call++;
        // The first pool is all zero: both 8-byte draws in it must be discarded.
        if (call === 1) buffer.fill(0);
        else buffer.fill(0xab);
      },
    });
    assert.equal(ids.generateSpanId(), 'abababababababab');
    assert.equal(call, 2);
    const zeroTrace = new RandomIdGenerator({ poolSize: 32, fill: (b) => b.fill(0, 0, 16).fill(1, 16) });
    assert.equal(zeroTrace.generateTraceId(), '01'.repeat(16));
  });

  it('validates ids: lowercase hex only, not all zero', () => {
    assert.ok(isValidTraceId('4bf92f3577b34da6a3ce929d0e0e4736'));
    assert.ok(!isValidTraceId('4BF92F3577B34DA6A3CE929D0E0E4736'));
    assert.ok(!isValidTraceId('0'.repeat(32)));
    assert.ok(!isValidTraceId('4bf92f3577b34da6a3ce929d0e0e473'));
    assert.ok(isValidSpanId('00f067aa0ba902b7'));
    assert.ok(!isValidSpanId('0'.repeat(16)));
  });

  it('draws nothing until the first id (workerd forbids randomness while a script loads)', () => {
    const pools: Uint8Array[] = [];
    const ids = new RandomIdGenerator({
      poolSize: 32,
      fill: (buffer) => {
        pools.push(buffer);
        buffer.set([...Array(32).keys()].map((i) => i + 1));
      },
    });
    assert.equal(pools.length, 0);
    // Bytes 1..16 then 17..24, in hex: the trace id is the first 16 bytes, the span id the next 8.
    assert.equal(ids.generateTraceId(), '0102030405060708090a0b0c0d0e0f10');
    assert.equal(ids.generateSpanId(), '1112131415161718');
    assert.equal(pools.length, 1);
    assert.ok(!(pools[0] instanceof Buffer), 'the pool is a plain Uint8Array');
  });

  it('refuses a pool smaller than one trace id', () => {
    assert.throws(() => new RandomIdGenerator({ poolSize: 8 }), /at least 16/);
  });
});
