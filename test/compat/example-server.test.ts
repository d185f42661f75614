/** examples/prom-client/server.ts, a prom-client service ported by its import, serves what it counts. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { parseSamples } from './samples.js';

const SERVER = fileURLToPath(new URL('../../examples/prom-client/server.ts', import.meta.url));
let child: ChildProcess | undefined;
after(() => child?.kill('SIGKILL'));

it('counts requests by route and status and serves them with the default metrics at /metrics', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PORT: '0' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the example did not start within 60 s')), 60_000);
    let out = '';
    child!.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child!.on('exit', (code) => reject(new Error(`the example exited with ${code}`)));
  });
  assert.equal((await fetch(url + '/')).status, 200);
  assert.equal((await fetch(url + '/')).status, 200);
  assert.equal((await fetch(url + '/nope')).status, 404);
  const res = await fetch(url + '/metrics');
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const samples = parseSamples(await res.text());
  assert.equal(samples.get('demo_http_requests_total{route="/",service="demo",status="200"}'), 2);
  assert.equal(samples.get('demo_http_requests_total{route="/nope",service="demo",status="404"}'), 1);
  assert.equal(samples.get('demo_http_request_duration_seconds_count{route="/",service="demo",status="200"}'), 2);
  assert.ok([...samples.keys()].some((k) => k.startsWith('demo_process_cpu_user_seconds_total{service="demo"}')));
});
