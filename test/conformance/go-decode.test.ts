/**
 * Fixture text means what Go's decoders make of it. The expected values below were printed by Go 1.19
 * (encoding/json.Unmarshal into a string; strconv.ParseFloat(s, 64)) for exactly these inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFixtureBytes } from '../../lib/fixture/fixture.js';
import { decodeUtf8AsGo, parseFloatAsGo } from '../../lib/fixture/go-decode.js';

const R = '\ufffd';

/** A JSON string literal's raw bytes, decoded as a fixture's help text. */
function helpOf(literal: readonly (string | number[])[]): string {
  const bytes = [...new TextEncoder().encode('{"families":[{"name":"a","type":"gauge","help":"')];
  for (const part of literal) bytes.push(...(typeof part === 'string' ? new TextEncoder().encode(part) : part));
  bytes.push(...new TextEncoder().encode('"}]}'));
  return parseFixtureBytes(Uint8Array.from(bytes)).families[0]!.help;
}

describe("fixture decoding as Go's encoding/json", () => {
  it('turns lone surrogate escapes into U+FFFD and keeps pairs', () => {
    assert.equal(helpOf(['\\ud800']), R);
    assert.equal(helpOf(['\\udfff']), R);
    assert.equal(helpOf(['\\ud83d\\ude00']), '😀');
    assert.equal(helpOf(['\\ud83d\\u0041']), R + 'A');
    assert.equal(helpOf(['\\ud83d\\ud83d\\ude00']), R + '😀');
  });

  it('turns every invalid UTF-8 byte into one U+FFFD', () => {
    assert.equal(helpOf([[0xe2, 0x82], 'A']), R + R + 'A');
    assert.equal(helpOf([[0xc0, 0xaf]]), R + R);
    assert.equal(helpOf([[0xed, 0xa0, 0x80]]), R + R + R);
    assert.equal(helpOf([[0xf4, 0x90, 0x80, 0x80]]), R + R + R + R);
    assert.equal(helpOf([[0xf0, 0x9f, 0x98]]), R + R + R);
    assert.equal(helpOf([[0xff, 0x80]]), R + R);
    assert.equal(helpOf(['ok ', [0xc3, 0xa9]]), 'ok é');
    assert.equal(decodeUtf8AsGo(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41])), '\ufeffA', 'a BOM is content, not dropped');
  });

  it('refuses a number literal beyond the double range, as ParseFloat does', () => {
    const text = (v: string) =>
      `{"families":[{"name":"a","help":"","type":"gauge","ops":[{"op":"set","value":${v}}]}]}`;
    assert.throws(() => parseFixtureBytes(new TextEncoder().encode(text('1e400'))), /out of the double range/);
    assert.equal(parseFixtureBytes(new TextEncoder().encode(text('1e-400'))).families[0]!.ops[0]!.value, 0);
  });

  it("reads native max_buckets as Go's uint32: a plain integer literal in range, whatever the key's case", () => {
    const text = (v: string) =>
      `{"families":[{"name":"h","type":"histogram","native":{"bucket_factor":2,"MAX_BUCKETS":${v}},"ops":[]}]}`;
    const read = (v: string) => parseFixtureBytes(new TextEncoder().encode(text(v))).families[0]!.native!.maxBuckets;
    // Go: "cannot unmarshal number 1.0 into Go struct field ... of type uint32" (and likewise for each).
    for (const v of ['1.0', '1e1', '-0', '-1', '1.5', '4294967296', '"5"']) {
      assert.throws(() => read(v), /native\.max_buckets: expected (an integer|a number)/, v);
    }
    assert.equal(read('5'), 5);
    assert.equal(read('0'), 0);
    assert.equal(read('4294967295'), 4294967295);
    // The same literal elsewhere is a number: an objective keyed "max_buckets" (Go refuses that rank at construct).
    const summary = '{"families":[{"name":"s","type":"summary","objectives":{"max_buckets":1.0},"ops":[]}]}';
    assert.deepEqual(parseFixtureBytes(new TextEncoder().encode(summary)).families[0]!.objectives, { max_buckets: 1 });
  });

  it('keeps every other number as JSON.parse reads it, strings with digits untouched', () => {
    const fixture =
      '{"description":"1.0 -2e3","families":[{"name":"g1","help":"\\"3","type":"gauge","ops":[{"op":"set","value":-0},{"op":"set","value":1E+2},{"op":"set","value":0.1e-1}]}]}';
    const parsed = parseFixtureBytes(new TextEncoder().encode(fixture));
    assert.equal(parsed.description, '1.0 -2e3');
    assert.equal(parsed.families[0]!.help, '"3');
    assert.deepEqual(
      parsed.families[0]!.ops.map((o) => o.value),
      [-0, 100, 0.01],
    );
    assert.ok(Object.is(parsed.families[0]!.ops[0]!.value, -0));
    for (const bad of ['01', '1.', '-', '.5', '+1', '1e']) {
      assert.throws(
        () =>
          parseFixtureBytes(
            new TextEncoder().encode(`{"families":[{"name":"g","type":"gauge","ops":[{"op":"set","value":${bad}}]}]}`),
          ),
        /not valid JSON/,
        bad,
      );
    }
  });
});

describe("objective ranks read with Go's strconv.ParseFloat", () => {
  // [input, Go's value or undefined for an error]
  const GO: readonly [string, number | undefined][] = [
    ['1_0', 10],
    ['0x1p-1', 0.5],
    ['0x1_0p0', 16],
    ['0x10', undefined],
    ['1e400', undefined],
    ['1e-400', 0],
    ['0x1p-1100', 0],
    ['+nan', undefined],
    ['nan', NaN],
    ['NAN', NaN],
    ['-inf', -Infinity],
    ['+Infinity', Infinity],
    ['infin', undefined],
    ['inf', Infinity],
    ['0x.8p1', 1],
    ['.5', 0.5],
    ['5.', 5],
    ['+.5e+1', 5],
    ['0X.4p0', 0.25],
    ['1__0', undefined],
    ['_1', undefined],
    ['1_', undefined],
    ['0x_1p0', 1],
    ['0.5000000000000000001', 0.5],
    ['1e', undefined],
    ['0x1p', undefined],
    ['  1', undefined],
    ['1e-4_0', 1e-40],
    ['0x1.fffffffffffff8p1023', undefined],
    ['0x1p-1074', 5e-324],
    ['0x1.8p-1074', 1e-323],
    ['0x3p-1075', 1e-323],
  ];
  for (const [input, expected] of GO) {
    it(JSON.stringify(input), () =>
      assert.ok(Object.is(parseFloatAsGo(input), expected), `got ${parseFloatAsGo(input)}`),
    );
  }
});
