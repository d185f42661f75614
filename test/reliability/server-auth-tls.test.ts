/**
 * Bearer-token protection and TLS of the reference server (`server.authentication`, `server.token`,
 * `server.token_file`, `server.tls.cert_file`, `server.tls.private_key_file`), with certificates made
 * by openssl for 127.0.0.1. openssl is a peer: missing, these tests skip, or fail with CI=true.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { bearerTokenCheck, createReferenceServer, type ReferenceServer } from '../../lib/opa/app.js';
import { ConfigError, parseConfig } from '../../lib/opa/config.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { assertPeer, peerOptions, type PeerStatus } from '../peers/require-peer.js';
import { request } from '../opa/helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const TOKEN = 's3cr3t-token-for-tests';

function findOpenssl(): PeerStatus {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error) return { name: 'openssl', missing: `cannot run openssl: ${probe.error.message}` };
  if (probe.status !== 0) return { name: 'openssl', missing: `openssl version exited ${probe.status}` };
  return { name: 'openssl', missing: undefined };
}
const OPENSSL = findOpenssl();

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function httpsGet(url: string, options: { ca?: Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'GET', agent: false, headers: options.headers ?? {}, ...(options.ca ? { ca: options.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('bearer token', () => {
  let app: ReferenceServer;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'zerotel-auth-'));

  before(async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const config = parseConfig({ server: { authentication: 'token', token_file: tokenFile } }, { env: {} });
    assert.equal(config.server.token, TOKEN, 'the file is read and trimmed');
    app = createReferenceServer({ config, env: {}, runtimeMetrics: false, log: () => {} });
    base = `http://127.0.0.1:${(await app.listen(0, '127.0.0.1')).port}`;
  });
  after(async () => {
    await app?.shutdown(2000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses /metrics, /health and the API without the right token: 401 unauthorized', async () => {
    const wrong: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}X` }, // same length, last character differs
      { authorization: `Bearer ${TOKEN} extra` },
      { authorization: `Bearer ${TOKEN.toUpperCase()}` },
      { authorization: `Bearer ${'A'.repeat(10_000)}` },
    ];
    for (const path of ['/metrics', '/health', '/health/ready', '/v1/data', '/v1/status', '/', '/nowhere']) {
      for (const headers of wrong) {
        const r = await request(`${base}${path}`, headers === undefined ? {} : { headers });
        assert.equal(r.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal(r.headers['www-authenticate'], 'Bearer');
        assert.deepEqual(r.json(), { code: 'unauthorized', message: 'missing or invalid bearer token' });
      }
    }
    // A refused write is not applied, and its body is not read.
    const put = await request(`${base}/v1/data/x`, { method: 'PUT', body: '{"a":1}' });
    assert.equal(put.status, 401);
  });

  it('serves everything with the right token (scheme case-insensitive)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const headers = { authorization: `${scheme} ${TOKEN}` };
      assert.equal((await request(`${base}/health`, { headers })).status, 200);
      const metrics = await request(`${base}/metrics`, { headers });
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /http_request_duration_seconds_count\{code="200",handler="health",method="get"\}/);
    }
    const headers = { authorization: `Bearer ${TOKEN}` };
    assert.equal((await request(`${base}/v1/data/x`, { method: 'PUT', body: '{"a":1}', headers })).status, 204);
    assert.deepEqual((await request(`${base}/v1/data/x`, { headers })).json(), { result: { a: 1 } });
  });

  it('compares with crypto.timingSafeEqual on equal-length digests, whatever the length given', () => {
    const check = bearerTokenCheck(TOKEN);
    const calls: [number, number][] = [];
    const original = crypto.timingSafeEqual;
    const spy = mock.method(crypto, 'timingSafeEqual', (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([a.byteLength, b.byteLength]);
      return original(a, b);
    });
    syncBuiltinESMExports();
    try {
      assert.equal(check(`Bearer ${TOKEN}`), true);
      assert.equal(check(`Bearer x`), false);
      assert.equal(check(`Bearer ${'y'.repeat(5000)}`), false);
      assert.equal(check(undefined), false);
      assert.equal(check('garbage'), false);
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
    assert.deepEqual(
      calls,
      Array.from({ length: 5 }, () => [32, 32]),
      'one comparison of two SHA-256 digests per check',
    );
  });

  it('token settings are checked at start-up, naming the key', () => {
    const problems = (value: unknown): string => {
      try {
        parseConfig(value, { env: {} });
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems.join('\n');
      }
      return assert.fail(`accepted ${JSON.stringify(value)}`);
    };
    assert.match(problems({ server: { authentication: 'token' } }), /^server\.token: required/m);
    assert.match(
      problems({ server: { authentication: 'basic', token: 'x' } }),
      /^server\.authentication: must be "off" or "token", got "basic"/m,
    );
    assert.match(problems({ server: { token: 'x' } }), /^server\.authentication: must be set to "token"/m);
    assert.match(
      problems({ server: { authentication: 'off', token: 'x' } }),
      /^server\.authentication: must be "token"/m,
    );
    assert.match(problems({ server: { authentication: 'token', token: '' } }), /^server\.token: must not be empty/m);
    assert.match(
      problems({ server: { authentication: 'token', token: 'a', token_file: 'b' } }),
      /^server\.token and server\.token_file/m,
    );
    assert.match(
      problems({ server: { authentication: 'token', token_file: join(dir, 'missing') } }),
      /^server\.token_file: cannot read .* \(ENOENT\)/m,
    );
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    assert.match(
      problems({ server: { authentication: 'token', token_file: empty } }),
      /^server\.token_file: .* holds no token/m,
    );
  });
});

describe('TLS', peerOptions(OPENSSL), () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerotel-tls-'));
  let certs: TestCertificates | undefined;
  let ca: Buffer;
  let app: ReferenceServer;
  let base: string;
  let certFile: string;
  let keyFile: string;

  before(async () => {
    assertPeer(OPENSSL);
    // A CA, a server certificate it signs for 127.0.0.1, and an unrelated CA.
    const made = makeCertificates();
    if ('skip' in made) throw new Error(made.skip);
    certs = made;
    ca = made.ca;
    certFile = join(made.dir, 'server.crt');
    keyFile = join(made.dir, 'server.key');
    const config = parseConfig(
      { server: { tls: { cert_file: certFile, private_key_file: keyFile }, authentication: 'token', token: TOKEN } },
      { env: {} },
    );
    app = createReferenceServer({ config, env: {}, runtimeMetrics: false, log: () => {} });
    assert.equal(app.tls, true);
    base = `https://127.0.0.1:${(await app.listen(0, '127.0.0.1')).port}`;
  });
  after(async () => {
    await app?.shutdown(2000);
    rmSync(dir, { recursive: true, force: true });
    certs?.remove();
  });

  it('serves HTTPS with the configured certificate, token required as well', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const health = await httpsGet(`${base}/health`, { ca, headers: auth });
    assert.equal(health.status, 200);
    assert.equal(health.text, '{}\n');
    const metrics = await httpsGet(`${base}/metrics`, { ca, headers: auth });
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /# TYPE http_request_duration_seconds histogram/);
    assert.equal((await httpsGet(`${base}/metrics`, { ca })).status, 401);
  });

  it('a client that does not trust the certificate, or speaks plain HTTP, gets nothing', async () => {
    await assert.rejects(
      httpsGet(`${base}/health`),
      /self[- ]signed certificate in certificate chain|unable to verify/,
    );
    const other = certs!.otherCa;
    await assert.rejects(
      httpsGet(`${base}/health`, { ca: other }),
      /self[- ]signed certificate in certificate chain|unable to verify/,
    );
    const plain = base.replace('https:', 'http:');
    await assert.rejects(request(`${plain}/health`, { timeoutMs: 5000 }));
    // Still serving after those.
    assert.equal((await httpsGet(`${base}/health`, { ca, headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  });

  it('TLS settings are checked at start-up, naming the key', () => {
    const problems = (server: unknown): string => {
      try {
        parseConfig({ server }, { env: {} });
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems.join('\n');
      }
      return assert.fail(`accepted ${JSON.stringify(server)}`);
    };
    assert.match(problems({ tls: { cert_file: certFile } }), /^server\.tls\.private_key_file: required/m);
    assert.match(problems({ tls: { private_key_file: keyFile } }), /^server\.tls\.cert_file: required/m);
    assert.match(
      problems({ tls: { cert_file: join(dir, 'nope.crt'), private_key_file: keyFile } }),
      /^server\.tls\.cert_file: cannot read .*ENOENT/m,
    );
    assert.match(
      problems({ tls: { cert_file: keyFile, private_key_file: keyFile } }),
      /^server\.tls\.cert_file: .* holds no PEM certificate/m,
    );
    assert.match(
      problems({ tls: { cert_file: certFile, private_key_file: certFile } }),
      /^server\.tls\.private_key_file: .* holds no PEM private key/m,
    );
    assert.match(
      problems({ tls: { cert_file: certFile, private_key_file: keyFile, ca_file: 'x' } }),
      /^server\.tls\.ca_file: unknown key/m,
    );
    assert.match(problems({ tls: 'on' }), /^server\.tls: must be an object, got "on"/m);
  });

  it('the command npm start runs serves HTTPS from --config-file', { timeout: 90_000 }, async () => {
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ server: { tls: { cert_file: certFile, private_key_file: keyFile } } }));
    const child = spawn(
      `${ROOT}node_modules/.bin/tsx`,
      ['scripts/serve.ts', '--addr', '127.0.0.1:0', '--config-file', configFile],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let stderr = '';
        const timer = setTimeout(() => reject(new Error(`no "listening on" line within 60 s:\n${stderr}`)), 60_000);
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString('utf8');
          const m = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited ${code}:\n${stderr}`));
        });
      });
      const r = await httpsGet(`https://127.0.0.1:${port}/health`, { ca });
      assert.equal(r.status, 200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      assert.equal(await exited, 0);
      clearTimeout(timer);
    }
  });
});
