/**
 * prom-client's Pushgateway class through zerotel/prom-client against Debian's prometheus-pushgateway:
 * the same pushes from prom-client and from the compat entry leave the same samples in the gateway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as prom from 'prom-client';
import * as compat from '../../lib/compat/prom-client/index.js';
import { findPushgateway, startPushgateway, type RunningPushgateway } from '../peers/pushgateway.js';
import { assertPeer, peerOptions } from '../peers/require-peer.js';
import { parseSamples } from './samples.js';

const peer = findPushgateway();

function fill(lib: any, registry: any): void {
  const c = new lib.Counter({
    name: 'jobs_done_total',
    help: 'Jobs done.',
    labelNames: ['kind'],
    registers: [registry],
  });
  c.inc({ kind: 'import' }, 3);
  c.inc({ kind: 'export' });
  const h = new lib.Histogram({ name: 'job_seconds', help: 'Job time.', buckets: [1, 10], registers: [registry] });
  h.observe(4);
}

/** The gateway's samples of one job, with the job label taken out. */
function ofJob(exposition: string, job: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of parseSamples(exposition)) {
    if (!key.includes(`job="${job}"`)) continue;
    if (key.startsWith('push_time_seconds') || key.startsWith('push_failure_time_seconds')) continue;
    out.set(
      key
        .replace(`job="${job}"`, 'job=""')
        .replace(/,?job=""/, '')
        .replace('{,', '{'),
      value,
    );
  }
  return out;
}

describe('Pushgateway (zerotel/prom-client) against prometheus-pushgateway', peerOptions(peer), () => {
  let gateway: RunningPushgateway;
  before(async () => {
    assertPeer(peer);
    gateway = await startPushgateway('/prefix');
  });
  after(() => gateway?.stop());

  it('push, pushAdd and delete leave what prom-client’s leave, and resolve to { resp, body }', async () => {
    const pr = new prom.Registry();
    const zr = new compat.Registry();
    fill(prom, pr);
    fill(compat, zr);
    const pg = new prom.Pushgateway(gateway.url, {}, pr);
    const zg = new compat.Pushgateway(gateway.url, { headers: { 'Content-Encoding': 'gzip' } }, zr);
    await pg.push({ jobName: 'p', groupings: { instance: 'one' } });
    const result = await zg.push({ jobName: 'z', groupings: { instance: 'one' } });
    assert.equal((result.resp as { statusCode: number }).statusCode, 200);
    assert.equal(result.body, '');
    let text = await gateway.scrape();
    assert.ok(ofJob(text, 'z').size > 0);
    assert.deepEqual([...ofJob(text, 'z')].sort(), [...ofJob(text, 'p')].sort());

    (zr.getSingleMetric('jobs_done_total') as compat.Counter).inc({ kind: 'import' });
    (pr.getSingleMetric('jobs_done_total') as prom.Counter).inc({ kind: 'import' });
    await pg.pushAdd({ jobName: 'p', groupings: { instance: 'one' } });
    await zg.pushAdd({ jobName: 'z', groupings: { instance: 'one' } });
    text = await gateway.scrape();
    assert.equal(ofJob(text, 'z').get('jobs_done_total{instance="one",kind="import"}'), 4);
    assert.deepEqual([...ofJob(text, 'z')].sort(), [...ofJob(text, 'p')].sort());

    await zg.delete({ jobName: 'z', groupings: { instance: 'one' } });
    text = await gateway.scrape();
    assert.equal(ofJob(text, 'z').size, 0);
    assert.ok(ofJob(text, 'p').size > 0);
  });

  it('throws for a missing job name as prom-client does, and rejects on a refused push', async () => {
    const zg = new compat.Pushgateway(gateway.url, {}, new compat.Registry());
    assert.throws(() => zg.push({} as never), /^Error: Missing jobName parameter$/);
    const wrong = new compat.Pushgateway(gateway.url + '/nothing-here', {}, new compat.Registry());
    await assert.rejects(wrong.push({ jobName: 'x' }), /push failed with status 404/);
  });
});
