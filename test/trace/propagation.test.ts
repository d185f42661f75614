import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, context, getSpanContext, setSpan } from '../../lib/trace/context.js';
import { extract, formatTraceParent, inject, parseTraceParent } from '../../lib/trace/propagation.js';
import { NonRecordingSpan, type SpanContext } from '../../lib/trace/span.js';
import { TraceState, isValidTraceStateKey, isValidTraceStateValue } from '../../lib/trace/trace-state.js';
import { setup } from './helpers.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('traceparent parsing', () => {
  const valid: [string, string, number, number][] = [
    // header, what it is, version, flags kept
    [VALID, 'sampled', 0, 1],
    [`00-${TRACE}-${SPAN}-00`, 'not sampled', 0, 0],
    [`00-${TRACE}-${SPAN}-09`, 'other bits kept for version 00', 0, 9],
    [`cc-${TRACE}-${SPAN}-01`, 'future version, exact length', 0xcc, 1],
    [`cc-${TRACE}-${SPAN}-01-what-the-future-will-be-like`, 'future version with more fields', 0xcc, 1],
    [`01-${TRACE}-${SPAN}-03-`, 'future version, empty extra field', 1, 1],
    [`fe-${TRACE}-${SPAN}-ff`, 'future version: only the sampled bit is read', 0xfe, 1],
    [`fe-${TRACE}-${SPAN}-fe`, 'future version, not sampled', 0xfe, 0],
    [` ${VALID}\t`, 'surrounding optional whitespace', 0, 1],
  ];
  for (const [header, what, version, flags] of valid) {
    it(`accepts ${what}`, () => {
      const parsed = parseTraceParent(header);
      assert.deepEqual(parsed, { version, traceId: TRACE, spanId: SPAN, traceFlags: flags });
    });
  }

  const invalid: [string, string][] = [
    ['', 'empty'],
    [`ff-${TRACE}-${SPAN}-01`, 'version ff'],
    [`00-${TRACE.toUpperCase()}-${SPAN}-01`, 'uppercase trace id'],
    [`00-${TRACE}-${SPAN.toUpperCase()}-01`, 'uppercase span id'],
    [`0A-${TRACE}-${SPAN}-01`, 'uppercase version'],
    [`00-${TRACE}-${SPAN}-0A`, 'uppercase flags'],
    [`00-${'0'.repeat(32)}-${SPAN}-01`, 'all-zero trace id'],
    [`00-${TRACE}-${'0'.repeat(16)}-01`, 'all-zero parent id'],
    [`00-${TRACE}-${SPAN}-01.`, 'version 00 with a trailing character'],
    [`00-${TRACE}-${SPAN}-01-what-the-future-will-be-like`, 'version 00 with extra fields'],
    [`cc-${TRACE}-${SPAN}-01.what-the-future-will-be-like`, 'future version not followed by a dash'],
    [`.0-${TRACE}-${SPAN}-01`, 'illegal character in version'],
    [`0.-${TRACE}-${SPAN}-01`, 'illegal character in version (second)'],
    [`000-${TRACE}-${SPAN}-01`, 'version too long'],
    [`0-${TRACE}-${SPAN}-01`, 'version too short'],
    [`00-.${TRACE.slice(1)}-${SPAN}-01`, 'illegal character in trace id'],
    [`00-${TRACE}1-${SPAN}-01`, 'trace id too long'],
    [`00-${TRACE.slice(1)}-${SPAN}-01`, 'trace id too short'],
    [`00-${TRACE}-${SPAN.slice(1)}.-01`, 'illegal character in parent id'],
    [`00-${TRACE}-${SPAN}1-01`, 'parent id too long'],
    [`00-${TRACE}-${SPAN.slice(1)}-01`, 'parent id too short'],
    [`00-${TRACE}-${SPAN}-.0`, 'illegal character in flags'],
    [`00-${TRACE}-${SPAN}-0`, 'flags too short'],
    [`00-${TRACE}-${SPAN}-011`, 'flags too long'],
    [`00_${TRACE}_${SPAN}_01`, 'wrong delimiters'],
    [`cc-${TRACE}-${SPAN}`, 'future version shorter than 55'],
    [`${VALID}, ${VALID}`, 'two values joined by a proxy'],
  ];
  for (const [header, what] of invalid) {
    it(`rejects ${what}`, () => assert.equal(parseTraceParent(header), undefined));
  }

  it('formats version 00 with two flag digits', () => {
    const sc: SpanContext = {
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 1,
      traceState: TraceState.EMPTY,
      isRemote: false,
    };
    assert.equal(formatTraceParent(sc), VALID);
    assert.equal(formatTraceParent({ ...sc, traceFlags: 0 }), `00-${TRACE}-${SPAN}-00`);
    assert.equal(formatTraceParent({ ...sc, traceFlags: 0x1f }), `00-${TRACE}-${SPAN}-1f`);
  });
});

describe('tracestate parsing', () => {
  const members = (n: number, from = 1) =>
    Array.from({ length: n }, (_, i) => `bar${String(i + from).padStart(2, '0')}=${i + from}`).join(',');
  const valid: [string, string, string][] = [
    // header, what it is, serialized result
    ['', 'an empty header', ''],
    [' , \t,', 'only empty members', ''],
    ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'two members', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
    ['foo=1 \t , \t bar=2, \t baz=3', 'optional whitespace around members', 'foo=1,bar=2,baz=3'],
    ['foo=1,,bar=2', 'an empty member in between', 'foo=1,bar=2'],
    ['foo= leading', 'a value with leading spaces (kept)', 'foo= leading'],
    ['foo=1 ', 'a trailing space (optional whitespace)', 'foo=1'],
    ['tenant@vendor=x', 'a multi-tenant key', 'tenant@vendor=x'],
    ['1tenant@v=x', 'a tenant starting with a digit', '1tenant@v=x'],
    ['a_-*/z=x', 'every allowed key character', 'a_-*/z=x'],
    [members(32), '32 members', members(32)],
    [`${'z'.repeat(256)}=1`, 'a 256-character key', `${'z'.repeat(256)}=1`],
    [
      `${'t'.repeat(241)}@${'v'.repeat(14)}=1`,
      'the longest tenant and system ids',
      `${'t'.repeat(241)}@${'v'.repeat(14)}=1`,
    ],
    [`k=${'v'.repeat(256)}`, 'a 256-character value', `k=${'v'.repeat(256)}`],
    // The current key grammar (W3C suite, test_tracestate_key_illegal_vendor_format and _length_limit):
    // '@' anywhere but first, a digit first, 256 characters in all.
    ['1foo=1', 'a simple key starting with a digit', '1foo=1'],
    ['foo@=1,bar=2', 'a key ending with @', 'foo@=1,bar=2'],
    ['foo@@bar=1,bar=2', 'two @ in a row', 'foo@@bar=1,bar=2'],
    ['foo@bar@baz=1,bar=2', 'three @-separated parts', 'foo@bar@baz=1,bar=2'],
    ['t@1v=1', 'a digit after @', 't@1v=1'],
    [`${'t'.repeat(242)}@v=1`, 'a 242-character part before @', `${'t'.repeat(242)}@v=1`],
    [`t@${'v'.repeat(15)}=1`, 'a 15-character part after @', `t@${'v'.repeat(15)}=1`],
    // Duplicated keys: the first wins (the spec lets a vendor drop the later ones).
    ['foo=1,foo=1', 'a duplicated key, kept once', 'foo=1'],
    ['foo=1,bar=2,foo=3', 'a duplicated key with another value, the first kept', 'foo=1,bar=2'],
    [`${members(32)},bar01=9`, '32 members and a duplicate', members(32)],
  ];
  for (const [header, what, serialized] of valid) {
    it(`accepts ${what}`, () => {
      const state = TraceState.parse(header);
      assert.ok(state !== undefined);
      assert.equal(state.serialize(), serialized);
    });
  }

  it('accepts every allowed character in keys and values (W3C test suite)', () => {
    const simpleKey = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    const vendorKey = simpleKey + '@a-z0-9_-*/';
    let value = '';
    for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) value += String.fromCharCode(c);
    assert.equal(TraceState.parse(`${simpleKey}=${value}`)?.get(simpleKey), value);
    assert.equal(TraceState.parse(`${vendorKey}=${value}`)?.get(vendorKey), value);
  });

  const invalid: [string, string][] = [
    [members(33), '33 members'],
    ['foo =1', 'a space inside the key'],
    ['FOO=1', 'an uppercase key'],
    ['foo.bar=1', 'a dot in the key'],
    ['@foo=1,bar=2', 'a key starting with @ (bar=2 goes too, as the W3C suite asks)'],
    [`${'z'.repeat(257)}=1`, 'a 257-character key'],
    [`${'t'.repeat(250)}@${'v'.repeat(6)}=1`, 'a 257-character key with @'],
    ['foo=bar=baz', 'an = in the value'],
    ['foo=,bar=3', 'an empty value'],
    [`k=${'v'.repeat(257)}`, 'a 257-character value'],
    ['k=a\u00e9', 'a non-ASCII value'],
    ['k=a\tb', 'a tab inside the value'],
    ['foo', 'no ='],
    ['=1', 'an empty key'],
  ];
  for (const [header, what] of invalid) {
    it(`drops the whole header for ${what}`, () => assert.equal(TraceState.parse(header), undefined));
  }

  it('set() moves the key to the front, keeps 32 members, and refuses bad keys and values', () => {
    const state = TraceState.parse('a=1,b=2,c=3')!;
    assert.equal(state.set('b', '9').serialize(), 'b=9,a=1,c=3');
    assert.equal(state.set('new', 'x').serialize(), 'new=x,a=1,b=2,c=3');
    assert.equal(state.unset('b').serialize(), 'a=1,c=3');
    assert.equal(state.unset('zz'), state);
    const full = TraceState.parse(members(32))!;
    const added = full.set('first', '1');
    assert.equal(added.size, 32);
    assert.equal(added.get('bar32'), undefined, 'the rightmost member makes room');
    assert.throws(() => state.set('Bad', '1'), /key/);
    assert.throws(() => state.set('ok', 'bad,value'), /value/);
    assert.ok(isValidTraceStateKey('vendor@sys') && !isValidTraceStateKey(''));
    assert.ok(isValidTraceStateValue('x y') && !isValidTraceStateValue('x '));
  });
});

describe('tracestate truncation to 512 characters', () => {
  it('sends short lists whole', () => {
    const header = Array.from({ length: 32 }, (_, i) => `k${i}=${'v'.repeat(10)}`).join(',');
    assert.ok(header.length <= 512);
    assert.equal(TraceState.parse(header)!.toHeader(), header);
  });

  it('removes members longer than 128 characters first, rightmost first, only as many as needed', () => {
    const long = (k: string) => `${k}=${'L'.repeat(200)}`; // 202 characters
    const short = (k: string) => `${k}=${'s'.repeat(20)}`; // 22 characters
    const list = [short('a'), long('big1'), short('b'), long('big2'), long('big3'), short('c')];
    const state = TraceState.parse(list.join(','))!;
    const header = state.toHeader();
    assert.ok(header.length <= 512);
    // Removing big3 (rightmost long member) is enough: 22+202+22+202+22 + 4 commas = 474.
    assert.equal(header, [short('a'), long('big1'), short('b'), long('big2'), short('c')].join(','));
  });

  it('then removes members from the right end', () => {
    const list = Array.from({ length: 32 }, (_, i) => `k${String(i).padStart(2, '0')}=${'v'.repeat(30)}`); // 34 each
    const state = TraceState.parse(list.join(','))!;
    const header = state.toHeader();
    // 15 members: 15 * 34 + 14 = 524 > 512; 14 members: 14 * 34 + 13 = 489.
    assert.equal(header, list.slice(0, 14).join(','));
    assert.equal(state.serialize(), list.join(','), 'the span keeps the full list');
  });

  it('never sends an entry cut in the middle', () => {
    const list = Array.from({ length: 8 }, (_, i) => `m${i}=${'x'.repeat(120)}`);
    const header = TraceState.parse(list.join(','))!.toHeader();
    for (const member of header.split(',')) assert.ok(list.includes(member));
  });
});

describe('extract and inject', () => {
  it('extracts a remote parent and its tracestate, header names in any case', () => {
    for (const name of ['traceparent', 'TraceParent', 'TRACEPARENT']) {
      const ctx = extract({ [name]: VALID, TraceState: 'rojo=00f067aa0ba902b7' }, ROOT_CONTEXT);
      const sc = getSpanContext(ctx)!;
      assert.deepEqual(
        [sc.traceId, sc.spanId, sc.traceFlags, sc.isRemote, sc.traceState.serialize()],
        [TRACE, SPAN, 1, true, 'rojo=00f067aa0ba902b7'],
      );
    }
  });

  it('combines repeated tracestate headers with commas, in order', () => {
    const ctx = extract({ traceparent: VALID, tracestate: ['foo=1,bar=2', 'rojo=1,congo=2', '', 'baz=3'] });
    assert.equal(getSpanContext(ctx)!.traceState.serialize(), 'foo=1,bar=2,rojo=1,congo=2,baz=3');
    // A key repeated across headers is a duplicate: the first one is kept.
    const dup = extract({ traceparent: VALID, tracestate: ['foo=1', 'foo=2'] });
    assert.equal(getSpanContext(dup)!.traceId, TRACE);
    assert.equal(getSpanContext(dup)!.traceState.serialize(), 'foo=1');
    // More than 32 members across headers: dropped too.
    const many = Array.from({ length: 33 }, (_, i) => `k${i}=1`);
    const tooMany = extract({
      traceparent: VALID,
      tracestate: [many.slice(0, 20).join(','), many.slice(20).join(',')],
    });
    assert.equal(getSpanContext(tooMany)!.traceState.size, 0);
  });

  it('ignores a missing, invalid or repeated traceparent (and then never reads tracestate)', () => {
    const base = ROOT_CONTEXT;
    assert.equal(extract({}, base), base);
    assert.equal(extract({ traceparent: VALID.toUpperCase(), tracestate: 'a=1' }, base), base);
    assert.equal(extract({ traceparent: [VALID, VALID] }, base), base);
    assert.equal(extract({ traceparent: VALID, TraceParent: VALID }, base), base);
  });

  it('injects traceparent and tracestate for the active span', () => {
    const { provider } = setup();
    const parent = extract({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'congo=t61rcWkgMzE' }, ROOT_CONTEXT);
    const span = provider.getTracer('t').startSpan('client', {}, parent);
    const headers: Record<string, string> = {};
    context.with(setSpan(ROOT_CONTEXT, span), () => inject(headers));
    assert.deepEqual(headers, {
      traceparent: `00-${TRACE}-${span.spanContext().spanId}-01`,
      tracestate: 'congo=t61rcWkgMzE',
    });
  });

  it('injects through setHeader, omits an empty tracestate, and writes nothing without a valid span', () => {
    const calls: [string, string][] = [];
    const sc: SpanContext = {
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 0,
      traceState: TraceState.EMPTY,
      isRemote: false,
    };
    inject(
      { setHeader: (name: string, value: string) => calls.push([name, value]) },
      setSpan(ROOT_CONTEXT, new NonRecordingSpan(sc)),
    );
    assert.deepEqual(calls, [['traceparent', `00-${TRACE}-${SPAN}-00`]]);
    const headers: Record<string, string> = {};
    inject(headers, ROOT_CONTEXT);
    inject(headers, setSpan(ROOT_CONTEXT, new NonRecordingSpan()));
    assert.deepEqual(headers, {});
  });

  it('round-trips: what inject writes, extract reads back', () => {
    const state = TraceState.parse('a=1,b=2')!;
    const sc: SpanContext = { traceId: TRACE, spanId: SPAN, traceFlags: 1, traceState: state, isRemote: false };
    const headers: Record<string, string> = {};
    inject(headers, setSpan(ROOT_CONTEXT, new NonRecordingSpan(sc)));
    const back = getSpanContext(extract(headers, ROOT_CONTEXT))!;
    assert.deepEqual(
      [back.traceId, back.spanId, back.traceFlags, back.traceState.serialize()],
      [TRACE, SPAN, 1, 'a=1,b=2'],
    );
  });

  it('injects at most 512 characters of tracestate', () => {
    const list = Array.from({ length: 32 }, (_, i) => `k${i}=${'v'.repeat(40)}`).join(',');
    const headers: Record<string, string> = {};
    const sc: SpanContext = {
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 1,
      traceState: TraceState.parse(list)!,
      isRemote: false,
    };
    inject(headers, setSpan(ROOT_CONTEXT, new NonRecordingSpan(sc)));
    assert.ok(headers['tracestate']!.length <= 512);
    assert.ok(list.startsWith(headers['tracestate']!));
  });
});
