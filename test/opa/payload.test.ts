import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Counter } from '../../lib/metrics/counter.js';
import { Registry } from '../../lib/metrics/registry.js';
import * as jsonpb from '../../lib/exposition/jsonpb.js';
import * as opa from '../../lib/opa/index.js';
import { buildStatusUpdate, familiesToJson, PluginManager, ZEROTEL_VERSION } from '../../lib/opa/payload.js';

describe('status payload', () => {
  it('carries metrics.prometheus as the jsonpb writer of the exposition layer writes it', () => {
    assert.equal(opa.familiesToJson, jsonpb.familiesToJson);
    assert.equal(opa.familyToJson, jsonpb.familyToJson);
    assert.equal(familiesToJson, jsonpb.familiesToJson);
    const registry = new Registry();
    new Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['code'], registers: [registry] })
      .labels('200')
      .inc(3);
    const families = registry.collect();
    const update = buildStatusUpdate({ labels: { id: 'i' }, families });
    assert.deepEqual(update.metrics, { prometheus: jsonpb.familiesToJson(families) });
    assert.equal(JSON.stringify(update.metrics!.prometheus), jsonpb.formatJsonpb(families));
  });

  it('builds the update with labels, plugins and metrics', () => {
    const plugins = new PluginManager({ id: 'instance-1', labels: { region: 'eu' } });
    plugins.update('status', { state: 'OK' });
    plugins.update('decision_logs', { state: 'ERROR', message: 'disk full' });
    const update = buildStatusUpdate({ labels: plugins.labels, plugins: plugins.all(), families: [] });
    assert.deepEqual(update, {
      labels: { region: 'eu', id: 'instance-1', version: ZEROTEL_VERSION },
      plugins: { decision_logs: { state: 'ERROR', message: 'disk full' }, status: { state: 'OK' } },
      metrics: { prometheus: {} },
    });
    assert.match(ZEROTEL_VERSION, /^\d+\.\d+\.\d+/);
  });

  it('tells listeners about changes only', () => {
    const plugins = new PluginManager();
    const seen: unknown[] = [];
    plugins.listen('test', (s) => seen.push(s));
    plugins.update('a', { state: 'NOT_READY' });
    plugins.update('a', { state: 'NOT_READY' });
    plugins.update('a', { state: 'OK' });
    plugins.update('a', { state: 'OK', message: '' });
    plugins.update('a', { state: 'OK', message: 'fine' });
    assert.deepEqual(seen, [
      { a: { state: 'NOT_READY' } },
      { a: { state: 'OK' } },
      { a: { state: 'OK', message: 'fine' } },
    ]);
    plugins.unlisten('test');
    plugins.update('a', { state: 'ERROR' });
    assert.equal(seen.length, 3);
    assert.throws(() => plugins.update('a', { state: 'BROKEN' as never }), /state must be one of/);
  });
});
