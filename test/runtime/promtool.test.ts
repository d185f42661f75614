/**
 * Prometheus' own parser and linter (`promtool check metrics`) accept a full scrape of the go_*, process_*
 * and nodejs_* sets. The only lint findings allowed are the three gauges prom-client named `*_total`
 * (nodejs_active_{handles,requests,resources}_total): their names are kept for dashboard compatibility.
 * Missing promtool skips with the reason, or fails when CI=true (see test/peers/require-peer.ts).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { collectRuntimeMetrics, Registry, writeText } from '../../lib/index.js';
import { checkMetrics, findPromtool, rejection } from '../peers/promtool.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { forceGc, until } from './helpers.js';

const promtool = findPromtool();

const PROM_CLIENT_TOTAL_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

describe('promtool check metrics on the runtime sets', peerOptions(promtool), () => {
  it('accepts a full scrape of all three sets, with and without prefix and const labels', async () => {
    assertPeer(promtool);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const registries = [new Registry(), new Registry()];
    const handles = [
      collectRuntimeMetrics({ registry: registries[0]! }),
      collectRuntimeMetrics({
        registry: registries[1]!,
        prefix: 'svc_',
        constLabels: { instance: 'a "quoted" \\ value\n' },
      }),
    ];
    try {
      forceGc()();
      await until(
        () => registries.every((r) => r.collect().some((f) => f.name.endsWith('nodejs_eventloop_lag_seconds'))),
        'lag probe',
      );
      for (const [i, registry] of registries.entries()) {
        const prefix = i === 0 ? '' : 'svc_';
        const text = writeText(registry.collect());
        for (const set of ['go_', 'process_', 'nodejs_'])
          assert.ok(text.includes(`# TYPE ${prefix}${set}`), `${set} in scrape`);
        assert.ok(text.includes(`${prefix}nodejs_gc_duration_seconds_bucket`), 'GC histogram in scrape');
        const result = await checkMetrics(text);
        // Parse errors and non-naming findings are rejected here; naming findings are checked one by one below.
        const problem = rejection(result, text, true);
        assert.equal(problem, undefined, `${problem}\n--- promtool output ---\n${result.stdout}${result.stderr}`);
        const found = result.lint.map((p) => `${p.metric}: ${p.text}`).sort();
        const allowed = PROM_CLIENT_TOTAL_GAUGES.map(
          (n) => `${prefix}${n}: non-counter metrics should not have "_total" suffix`,
        );
        assert.deepEqual(found, allowed, `promtool output:\n${result.stdout}${result.stderr}`);
      }
    } finally {
      for (const h of handles) h.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
