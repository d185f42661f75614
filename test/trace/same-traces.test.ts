/**
 * "Replace OpenTelemetry JS's SDK with zerotel's three objects, change nothing else, get the same
 * traces": one program written against @opentelemetry/api (test/trace/same-traces/workload.ts) runs
 * once with each SDK registered, and the traces it records must match span for span: names, kinds,
 * parents (across await, timers, Promise.all, a bound emitter and a propagated context), remoteness,
 * trace membership, attributes, events, links, status and scope. Only the random ids differ.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runJsonChild } from './helpers.js';
import type { NormalSpan } from './same-traces/workload.js';

const WORKLOAD = fileURLToPath(new URL('./same-traces/workload.ts', import.meta.url));

function run(sdk: string): Promise<NormalSpan[]> {
  return runJsonChild<NormalSpan[]>(WORKLOAD, [sdk]);
}

/** The trace with ids replaced by what they point to: span names, and traces numbered by their first span's name. */
function normalize(spans: NormalSpan[]): object[] {
  const nameOf = new Map(spans.map((s) => [s.spanId, s.name]));
  const traceOf = new Map<string, string>();
  for (const s of [...spans].sort((a, b) => a.name.localeCompare(b.name))) {
    if (s.parentSpanId === undefined || !nameOf.has(s.parentSpanId))
      traceOf.set(s.traceId, traceOf.get(s.traceId) ?? s.name);
  }
  return spans
    .map((s) => ({
      name: s.name,
      kind: s.kind,
      trace: traceOf.get(s.traceId) ?? 'unknown',
      parent: s.parentSpanId === undefined ? null : (nameOf.get(s.parentSpanId) ?? `remote ${s.parentSpanId.length}`),
      parentIsRemote: s.parentIsRemote ?? null,
      attributes: s.attributes,
      events: s.events,
      links: s.links.map((l) => ({
        to: nameOf.get(l.spanId),
        sameTrace: traceOf.get(l.traceId),
        attributes: l.attributes,
      })),
      status: s.status,
      scope: s.scope,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('the same traces with zerotel as with OpenTelemetry JS behind @opentelemetry/api', () => {
  it('records one program identically, span for span', { timeout: 240_000 }, async () => {
    const [zerotel, otel] = await Promise.all([run('zerotel'), run('opentelemetry-js')]);
    const ours = normalize(zerotel);
    assert.deepStrictEqual(ours, normalize(otel));
    // And the trees are the intended ones, not merely equal.
    const byName = new Map(ours.map((s) => [(s as { name: string }).name, s as Record<string, unknown>]));
    for (const child of ['after-await', 'in-timer', 'all-1', 'all-2', 'emitted', 'failed']) {
      assert.equal(byName.get(child)!['parent'], 'root', child);
    }
    assert.equal(byName.get('remote-child')!['parent'], 'root');
    assert.equal(byName.get('remote-child')!['parentIsRemote'], true);
    assert.deepEqual(byName.get('remote-child')!['attributes'], { tenant: 'a b' });
    assert.equal(byName.get('other-root')!['trace'], 'other-root');
    assert.equal(byName.has('suppressed'), false);
    assert.equal(ours.length, 9);
  });
});
