import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeExportTraceRequest, SpanEncoder } from '../../lib/otlp/span-encoding/index.js';
import type { InstrumentationScope, Resource, SpanData } from '../../lib/trace/span-data.js';
import { decodeRequest, makeSpans } from './grpc-helpers.js';

/** Span `n` of a run, with the given owners and attributes. */
function span(
  resource: Resource,
  scope: InstrumentationScope,
  n: number,
  attributes: SpanData['attributes'],
): SpanData {
  return { ...makeSpans(1, `op ${n % 5}`)[0]!, resource, scope, attributes, startTime: [1718000000 + n, n % 1e9] };
}

describe('SpanEncoder held across requests', () => {
  it('writes what a fresh encoder writes while its caches fill, churn and are emptied', () => {
    const resources: Resource[] = [
      { attributes: { 'service.name': 'a' }, droppedAttributesCount: 0 },
      { attributes: { 'service.name': 'b', 'host.name': 'h' }, droppedAttributesCount: 2, schemaUrl: 'https://x/1' },
    ];
    const scopes: InstrumentationScope[] = [
      { name: 'lib', version: '1', attributes: {} },
      { name: 'other', version: '', attributes: { k: 'v' }, schemaUrl: 'https://x/2' },
    ];
    const held = new SpanEncoder();
    const arena = held.createArena();
    const methods = ['GET', 'POST', 'PUT', 'DELETÉ'];
    let n = 0;
    for (let requestNo = 0; requestNo < 14; requestNo++) {
      const spans: SpanData[] = [];
      for (let i = 0; i < 400; i++, n++) {
        spans.push(
          span(resources[(n >> 3) % 2]!, scopes[(n >> 5) % 2]!, n, {
            // A method repeats (pairs get cached), an id never does (its key stops being cached),
            // and a key per span fills the key cache past its bound, so that it is emptied.
            'http.request.method': methods[(n >> 4) % methods.length]!,
            'request.id': `id-${n}`,
            [`key.${n}`]: n % 2 === 0 ? `v${n % 10}` : n,
            nested: { method: methods[n % methods.length]!, list: [n, 'x', true] },
          }),
        );
      }
      const fresh = Buffer.from(encodeExportTraceRequest(spans));
      assert.deepStrictEqual(Buffer.from(held.encode(spans)), fresh, `request ${requestNo}`);
      arena.clear();
      for (const s of spans) arena.add(s);
      assert.deepStrictEqual(Buffer.from(arena.encodeRequest()), fresh, `request ${requestNo} through an arena`);
    }
  });

  it('writes resources, scopes and spans larger than the room kept free whole', () => {
    const big = (c: string, n: number) => c.repeat(n);
    const resource: Resource = { attributes: { 'service.name': big('r', 100_000) }, droppedAttributesCount: 0 };
    const scope: InstrumentationScope = { name: big('s', 40_000), version: 'ü'.repeat(20_000), attributes: {} };
    const held = new SpanEncoder();
    for (let round = 0; round < 2; round++) {
      const spans = [
        span(resource, scope, 1, { small: 'x' }),
        span(resource, scope, 2, { large: big('l', 50_000), list: Array.from({ length: 5000 }, (_, i) => i) }),
        span(resource, scope, 3, { small: 'y' }),
      ];
      const decoded = decodeRequest(Buffer.from(held.encode(spans)));
      const rs = decoded.resourceSpans;
      assert.equal(rs.length, 1);
      assert.equal(rs[0].resource.attributes[0].value.stringValue, big('r', 100_000));
      const ss = rs[0].scopeSpans[0];
      assert.equal(ss.scope.name, big('s', 40_000));
      assert.equal(ss.scope.version, 'ü'.repeat(20_000));
      assert.deepEqual(
        ss.spans.map((s: { name: string }) => s.name),
        ['op 1-0', 'op 2-0', 'op 3-0'],
      );
      assert.equal(ss.spans[1].attributes[0].value.stringValue, big('l', 50_000));
      assert.equal(ss.spans[1].attributes[1].value.arrayValue.values.length, 5000);
      assert.equal(ss.spans[2].attributes[0].value.stringValue, 'y');
    }
  });
});
