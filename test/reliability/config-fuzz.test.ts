/**
 * Configuration fuzz: every key of the reference server's configuration, given every wrong JSON type
 * and every kind of wrong value, and an unknown key at every level, must fail start-up with a
 * problem naming that key. The keys are listed once below, by kind; the list is checked against the
 * key lists of lib/opa/config.ts itself, so a key added there without being fuzzed fails here.
 * A few cases go through `npm start -- --config-file`, which must exit 1 naming the key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ConfigError, parseConfig, type ParseConfigOptions } from '../../lib/opa/config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Kind =
  | { t: 'string' }
  | { t: 'nonEmpty' }
  | { t: 'file' } // a non-empty string naming a file read at start-up
  | { t: 'bool'; refuseTrue?: boolean }
  | { t: 'number'; min: number; max?: number; integer?: boolean }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'url' }
  | { t: 'buckets' }
  | { t: 'stringMap' }
  | { t: 'object'; map?: boolean };

interface Entry {
  readonly path: string;
  readonly kind: Kind;
  /** Removed from the valid configuration before this key is set (settings it conflicts with). */
  readonly drop?: readonly string[];
}

const S = { t: 'string' } as const;
const NE = { t: 'nonEmpty' } as const;
const FILE = { t: 'file' } as const;
const B = { t: 'bool' } as const;
const OBJ = { t: 'object' } as const;
const MAP = { t: 'object', map: true } as const;
const MS = 2147483647;

/** Every key, as lib/opa/config.ts reads it. */
const SCHEMA: readonly Entry[] = [
  { path: 'services', kind: MAP },
  { path: 'services.svc', kind: OBJ },
  { path: 'services.svc.name', kind: S },
  { path: 'services.svc.url', kind: { t: 'url' } },
  { path: 'services.svc.headers', kind: { t: 'stringMap' } },
  { path: 'services.svc.allow_insecure_tls', kind: B },
  { path: 'services.svc.response_header_timeout_seconds', kind: { t: 'number', min: 1, integer: true } },
  { path: 'services.svc.tls', kind: OBJ },
  { path: 'services.svc.tls.ca_cert', kind: FILE },
  { path: 'services.svc.tls.system_ca_required', kind: B },
  { path: 'services.svc.credentials', kind: OBJ },
  { path: 'services.svc.credentials.bearer', kind: OBJ },
  { path: 'services.svc.credentials.bearer.token', kind: S },
  { path: 'services.svc.credentials.bearer.token_path', kind: NE, drop: ['services.svc.credentials.bearer.token'] },
  { path: 'services.svc.credentials.bearer.scheme', kind: NE },
  { path: 'labels', kind: MAP },
  { path: 'labels.team', kind: S },
  { path: 'distributed_tracing', kind: OBJ },
  { path: 'distributed_tracing.type', kind: { t: 'enum', values: ['grpc', 'http', ''] } },
  { path: 'distributed_tracing.address', kind: NE },
  { path: 'distributed_tracing.service_name', kind: NE },
  { path: 'distributed_tracing.sample_percentage', kind: { t: 'number', min: 0, max: 100 } },
  { path: 'distributed_tracing.encryption', kind: { t: 'enum', values: ['off', 'tls', 'mtls'] } },
  { path: 'distributed_tracing.allow_insecure_tls', kind: { t: 'bool', refuseTrue: true } },
  { path: 'distributed_tracing.tls_cert_file', kind: FILE },
  { path: 'distributed_tracing.tls_private_key_file', kind: FILE },
  { path: 'distributed_tracing.tls_ca_cert_file', kind: FILE },
  { path: 'distributed_tracing.resource', kind: OBJ },
  { path: 'distributed_tracing.resource.service_version', kind: S },
  { path: 'distributed_tracing.resource.service_instance_id', kind: S },
  { path: 'distributed_tracing.resource.service_namespace', kind: S },
  { path: 'distributed_tracing.resource.deployment_environment', kind: S },
  { path: 'distributed_tracing.batch_span_processor_options', kind: OBJ },
  { path: 'distributed_tracing.batch_span_processor_options.blocking', kind: { t: 'bool', refuseTrue: true } },
  {
    path: 'distributed_tracing.batch_span_processor_options.batch_timeout_ms',
    kind: { t: 'number', min: 0, max: MS, integer: true },
  },
  {
    path: 'distributed_tracing.batch_span_processor_options.export_timeout_ms',
    kind: { t: 'number', min: 1, max: MS, integer: true },
  },
  {
    path: 'distributed_tracing.batch_span_processor_options.max_export_batch_size',
    kind: { t: 'number', min: 1, integer: true },
  },
  {
    path: 'distributed_tracing.batch_span_processor_options.max_queue_size',
    kind: { t: 'number', min: 1, integer: true },
  },
  { path: 'status', kind: OBJ },
  { path: 'status.service', kind: { t: 'enum', values: ['svc'] } },
  { path: 'status.partition_name', kind: S },
  { path: 'status.console', kind: B },
  { path: 'status.prometheus', kind: B },
  { path: 'status.trigger', kind: { t: 'enum', values: ['periodic', 'manual'] } },
  { path: 'status.prometheus_config', kind: OBJ },
  { path: 'status.prometheus_config.collectors', kind: OBJ },
  { path: 'status.prometheus_config.collectors.bundle_loading_duration_ns', kind: OBJ },
  { path: 'status.prometheus_config.collectors.bundle_loading_duration_ns.buckets', kind: { t: 'buckets' } },
  { path: 'decision_logs', kind: OBJ },
  { path: 'decision_logs.console', kind: B },
  { path: 'server', kind: OBJ },
  { path: 'server.metrics', kind: OBJ },
  { path: 'server.metrics.prom', kind: OBJ },
  { path: 'server.metrics.prom.http_request_duration_seconds', kind: OBJ },
  { path: 'server.metrics.prom.http_request_duration_seconds.buckets', kind: { t: 'buckets' } },
  { path: 'server.metrics.native_histograms', kind: OBJ },
  { path: 'server.metrics.native_histograms.bucket_factor', kind: { t: 'number', min: 1 } },
  { path: 'server.metrics.native_histograms.zero_threshold', kind: { t: 'number', min: -1 } },
  {
    path: 'server.metrics.native_histograms.max_buckets',
    kind: { t: 'number', min: 0, max: 0xffffffff, integer: true },
  },
  { path: 'server.metrics.native_histograms.min_reset_seconds', kind: { t: 'number', min: 0, max: 9e9 } },
  { path: 'server.metrics.native_histograms.max_zero_threshold', kind: { t: 'number', min: 0 } },
  { path: 'server.metrics.native_histograms.keep_classic', kind: B },
  { path: 'server.decoding', kind: OBJ },
  { path: 'server.decoding.max_length', kind: { t: 'number', min: 1, integer: true } },
  { path: 'server.decoding.gzip', kind: OBJ },
  { path: 'server.decoding.gzip.max_length', kind: { t: 'number', min: 1, integer: true } },
  { path: 'server.authentication', kind: { t: 'enum', values: ['token'] } },
  { path: 'server.token', kind: NE },
  { path: 'server.token_file', kind: FILE, drop: ['server.token'] },
  { path: 'server.tls', kind: OBJ },
  { path: 'server.tls.cert_file', kind: FILE },
  { path: 'server.tls.private_key_file', kind: FILE },
  { path: 'server.timeouts', kind: OBJ },
  { path: 'server.timeouts.read_header_ms', kind: { t: 'number', min: 1, max: MS, integer: true } },
  { path: 'server.timeouts.request_ms', kind: { t: 'number', min: 1, max: MS, integer: true } },
  { path: 'upstreams', kind: MAP },
  { path: 'upstreams.up', kind: OBJ },
  { path: 'upstreams.up.url', kind: { t: 'url' } },
  { path: 'upstreams.up.headers', kind: { t: 'stringMap' } },
  { path: 'upstreams.up.timeout_ms', kind: { t: 'number', min: 1, max: MS, integer: true } },
];

/** Files the valid configuration names; anything else is "missing". */
const FILES: Record<string, string> = {
  '/cfg/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '/cfg/cert.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '/cfg/key.pem': '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
  '/cfg/token': 'tok\n',
};
const OPTIONS: ParseConfigOptions = {
  env: {},
  readFile: (path) => {
    const text = FILES[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return Buffer.from(text);
  },
};

/** A configuration using every section, accepted as is. */
const VALID = {
  services: {
    svc: {
      url: 'http://127.0.0.1:9/v1',
      headers: { 'x-a': 'b' },
      allow_insecure_tls: false,
      response_header_timeout_seconds: 5,
      tls: { ca_cert: '/cfg/ca.pem', system_ca_required: false },
      credentials: { bearer: { token: 't', scheme: 'Bearer' } },
    },
  },
  labels: { team: 'core' },
  distributed_tracing: {
    type: 'grpc',
    address: '127.0.0.1:4317',
    service_name: 'svc',
    sample_percentage: 50,
    encryption: 'mtls',
    allow_insecure_tls: false,
    tls_cert_file: '/cfg/cert.pem',
    tls_private_key_file: '/cfg/key.pem',
    tls_ca_cert_file: '/cfg/ca.pem',
    resource: { service_version: '1', service_instance_id: 'i', service_namespace: 'n', deployment_environment: 'e' },
    batch_span_processor_options: {
      blocking: false,
      batch_timeout_ms: 100,
      export_timeout_ms: 1000,
      max_export_batch_size: 10,
      max_queue_size: 100,
    },
  },
  status: {
    service: 'svc',
    partition_name: 'p',
    console: false,
    prometheus: true,
    trigger: 'manual',
    prometheus_config: { collectors: { bundle_loading_duration_ns: { buckets: [1, 2, 3] } } },
  },
  decision_logs: { console: true },
  server: {
    metrics: {
      prom: { http_request_duration_seconds: { buckets: [0.1, 1] } },
      native_histograms: {
        bucket_factor: 1.1,
        zero_threshold: 0,
        max_buckets: 100,
        min_reset_seconds: 60,
        max_zero_threshold: 0.001,
        keep_classic: true,
      },
    },
    decoding: { max_length: 1000, gzip: { max_length: 2000 } },
    authentication: 'token',
    token: 'tok',
    tls: { cert_file: '/cfg/cert.pem', private_key_file: '/cfg/key.pem' },
    timeouts: { read_header_ms: 1000, request_ms: 2000 },
  },
  upstreams: { up: { url: 'http://127.0.0.1:9/doc', headers: { a: 'b' }, timeout_ms: 100 } },
};

type Json = Record<string, unknown>;

function setAt(root: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = root;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== 'object' || node[p] === null || Array.isArray(node[p])) node[p] = {};
    node = node[p] as Json;
  }
  // defineProperty: `__proto__` becomes an own key, as JSON.parse makes it.
  Object.defineProperty(node, parts[parts.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function deleteAt(root: Json, path: string): void {
  const parts = path.split('.');
  let node: unknown = root;
  for (const p of parts.slice(0, -1)) node = (node as Json)?.[p];
  if (node !== undefined) delete (node as Json)[parts[parts.length - 1]!];
}

function problemsOf(config: unknown): string[] {
  try {
    parseConfig(config, OPTIONS);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.problems];
  }
  return [];
}

const WRONG_TYPES: Record<Kind['t'], unknown[]> = {
  string: [1, 0, true, null, [], ['x'], {}],
  nonEmpty: [1, true, null, [], {}],
  file: [1, false, null, ['/cfg/ca.pem'], {}],
  bool: ['true', 'false', 1, 0, null, [], {}],
  number: ['1', true, null, [], [1], {}],
  enum: [1, true, null, [], {}],
  url: [1, true, null, [], {}],
  buckets: ['1', 1, true, null, {}],
  stringMap: ['x', 1, true, []],
  object: [1, 'x', true, [], [{}], null],
};

function wrongValues(kind: Kind): unknown[] {
  switch (kind.t) {
    case 'nonEmpty':
      return [''];
    case 'file':
      return ['', '/cfg/missing.pem'];
    case 'bool':
      return kind.refuseTrue ? [true] : [];
    case 'number': {
      const out: unknown[] = [kind.min - 1, kind.min - 0.5, -Infinity, Infinity, -1e308];
      if (kind.integer) out.push(kind.min + 0.5, 1e-9 + kind.min + 1);
      if (kind.max !== undefined) out.push(kind.max + 1, kind.max * 10, Number.MAX_VALUE);
      return out;
    }
    case 'enum':
      return [
        'bogus',
        'GRPCX',
        ' ',
        'http',
        kind.values[0]!.toUpperCase() === kind.values[0] ? 'x' : `${kind.values[0]} `,
      ].filter((v) => !kind.values.includes(v));
    case 'url':
      return ['', 'not a url', 'ftp://127.0.0.1/x', 'file:///etc/passwd', '127.0.0.1:80', 'http//x'];
    case 'buckets':
      return [[], [2, 1], [1, 1], ['a'], [1, null], [1, Infinity], [[1]], [{}]];
    case 'stringMap':
      return [{ a: 1 }, { a: null }, { a: ['x'] }, { a: {} }];
    default:
      return [];
  }
}

/** True when some problem names `path` (the key itself, an element or entry of it). */
function names(problems: readonly string[], path: string): boolean {
  return problems.some(
    (p) => p.startsWith(`${path}:`) || p.startsWith(`${path}[`) || p.startsWith(`${path}.`) || p.startsWith(`${path} `),
  );
}

describe('configuration fuzz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerotel-config-fuzz-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let tried = 0;

  it('the valid configuration using every key is accepted', () => {
    assert.deepEqual(problemsOf(VALID), []);
    for (const e of SCHEMA.filter((e) => e.drop !== undefined)) {
      const c = structuredClone(VALID) as Json;
      for (const d of e.drop!) deleteAt(c, d);
      setAt(c, e.path, e.kind.t === 'file' ? '/cfg/token' : 'x');
      assert.deepEqual(problemsOf(c), [], e.path);
    }
  });

  it('the schema covers every key lib/opa/config.ts knows', () => {
    const source = readFileSync(join(ROOT, 'lib/opa/config.ts'), 'utf8');
    const known = new Set<string>();
    for (const m of source.matchAll(/r\.keys\(\s*[\w[\]'"]+,\s*[^,]+,\s*\[([^\]]*)\]/g)) {
      for (const k of m[1]!.matchAll(/'([a-z_]+)'/g)) known.add(k[1]!);
    }
    for (const m of source.matchAll(/const TOP_LEVEL = \[([^\]]*)\]/g))
      for (const k of m[1]!.matchAll(/'([a-z_]+)'/g)) known.add(k[1]!);
    assert.ok(known.size > 40, `found only ${known.size} keys in config.ts`);
    const covered = new Set(SCHEMA.flatMap((e) => e.path.split('.')));
    const missing = [...known].filter((k) => !covered.has(k));
    assert.deepEqual(missing, [], 'keys read by config.ts but absent from this fuzz schema');
  });

  it('every wrong type of every key names the key', () => {
    const failures: string[] = [];
    for (const e of SCHEMA) {
      for (const bad of WRONG_TYPES[e.kind.t]) {
        // OPA also takes `services` as a list of named services, so an empty list is valid.
        if (e.path === 'services' && Array.isArray(bad) && bad.length === 0) continue;
        const c = structuredClone(VALID) as Json;
        for (const d of e.drop ?? []) deleteAt(c, d);
        setAt(c, e.path, bad);
        tried++;
        const problems = problemsOf(c);
        if (!names(problems, e.path)) failures.push(`${e.path} = ${JSON.stringify(bad)}: ${JSON.stringify(problems)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('every wrong value of every key names the key', () => {
    const failures: string[] = [];
    for (const e of SCHEMA) {
      for (const bad of wrongValues(e.kind)) {
        const c = structuredClone(VALID) as Json;
        for (const d of e.drop ?? []) deleteAt(c, d);
        setAt(c, e.path, bad);
        tried++;
        const problems = problemsOf(c);
        if (!names(problems, e.path)) failures.push(`${e.path} = ${JSON.stringify(bad)}: ${JSON.stringify(problems)}`);
      }
    }
    // Values wrong only together.
    const pairs: [string, Json][] = [
      ['server.timeouts.read_header_ms', { server: { timeouts: { read_header_ms: 5000, request_ms: 1000 } } }],
      ['server.token', { server: { authentication: 'token' } }],
      ['server.authentication', { server: { authentication: 'off', token: 'x' } }],
      ['server.tls.private_key_file', { server: { tls: { cert_file: '/cfg/cert.pem' } } }],
      ['server.tls.cert_file', { server: { tls: { cert_file: '/cfg/key.pem', private_key_file: '/cfg/key.pem' } } }],
      ['distributed_tracing.tls_cert_file', { distributed_tracing: { type: 'grpc', tls_cert_file: '/cfg/cert.pem' } }],
      ['status.service', { status: { service: 'elsewhere' } }],
      ['services.svc.url', { services: { svc: {} } }],
      ['upstreams.up.url', { upstreams: { up: {} } }],
      ['labels.id', { labels: { id: 'x' } }],
    ];
    for (const [path, config] of pairs) {
      tried++;
      const problems = problemsOf(config);
      if (!names(problems, path)) failures.push(`${path} in ${JSON.stringify(config)}: ${JSON.stringify(problems)}`);
    }
    assert.deepEqual(failures, []);
  });

  it('an unknown key at every level names itself', () => {
    const failures: string[] = [];
    const objects = [
      '',
      ...SCHEMA.filter((e) => e.kind.t === 'object' && !(e.kind as { map?: boolean }).map).map((e) => e.path),
    ];
    for (const parent of objects) {
      for (const key of ['zz_unknown', 'Type', 'url ', '__proto__', 'constructor', '']) {
        const c = structuredClone(VALID) as Json;
        const path = parent === '' ? key : `${parent}.${key}`;
        if (parent === '') setAt(c, key, 1);
        else setAt(c, path, 1);
        tried++;
        const problems = problemsOf(c);
        if (!problems.some((p) => p === `${path}: unknown key`)) failures.push(`${path}: ${JSON.stringify(problems)}`);
      }
    }
    // OPA's keys the server does not implement: refused as such.
    for (const key of ['bundles', 'discovery', 'plugins', 'keys', 'caching', 'storage']) {
      tried++;
      const problems = problemsOf({ [key]: {} });
      if (!problems.includes(`${key}: not supported by the zerotel reference server`))
        failures.push(`${key}: ${JSON.stringify(problems)}`);
    }
    assert.deepEqual(failures, []);
    console.log(`configuration inputs tried: ${tried}`);
  });

  it('npm start -- --config-file exits 1 naming the key', { timeout: 180_000 }, () => {
    const cases: [string, unknown][] = [
      ['server.timeouts.request_ms', { server: { timeouts: { request_ms: 'soon' } } }],
      [
        'server.tls.cert_file',
        { server: { tls: { cert_file: join(dir, 'missing.pem'), private_key_file: join(dir, 'missing.key') } } },
      ],
      ['server.zz_unknown', { server: { zz_unknown: true } }],
    ];
    for (const [path, config] of cases) {
      const file = join(dir, `${path}.json`);
      writeFileSync(file, JSON.stringify(config));
      const r = spawnSync('npm', ['start', '--silent', '--', '--addr', '127.0.0.1:0', '--config-file', file], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, OTEL_TRACES_EXPORTER: '' },
      });
      assert.equal(r.status, 1, `${path}: exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^  - ${path.replace(/\./g, '\\.')}[:. ]`, 'm'), r.stderr);
    }
    // A file that is not JSON at all.
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"server": ');
    const r = spawnSync('npm', ['start', '--silent', '--', '--config-file', broken], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /configuration: not valid JSON/);
  });
});
