/**
 * The OTLP/gRPC trace exporter's configuration, merged in three layers: explicit options, then the
 * `OTEL_EXPORTER_OTLP_*` environment variables (the `TRACES_` variant of each before the generic one),
 * then the specification's defaults. Validation never stops at the first mistake: every problem is
 * collected and reported together, each naming the option or variable it came from.
 */

import { ConfigError } from '../config/config-error.js';
import { type Env, envSetting, processEnv, type Sourced } from '../config/env.js';
import { parseEnum, readBoolean, readPositiveMs } from '../config/values.js';
import { builtinModule } from '../host.js';
import { checkMetadata } from './metadata.js';
import { checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

/** Transport security, named as OPA's distributed tracing configuration names it. */
export type Encryption = 'off' | 'tls' | 'mtls';
export type Compression = 'gzip' | 'none';

/** What a user may set in code; anything left out comes from the environment or the defaults. */
export interface OtlpExporterOptions {
  /** `http://host:port` (plaintext), `https://host:port` (TLS) or `host:port` (TLS unless `insecure`). */
  readonly endpoint?: string;
  /** For an endpoint without a scheme only: true sends plaintext. */
  readonly insecure?: boolean;
  /** gRPC metadata sent with every export; merged over the environment's, key by key. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time allowed for one export, retries included (ms). */
  readonly timeoutMs?: number;
  readonly compression?: Compression;
  /** Overrides what the endpoint's scheme implies: 'off', 'tls', or 'mtls' (TLS with a client certificate). */
  readonly encryption?: Encryption;
  /** PEM file of the CA that signed the collector's certificate (OPA: tls_ca_cert_file). */
  readonly tlsCaCertFile?: string;
  /** PEM file of the client certificate for mTLS (OPA: tls_cert_file). */
  readonly tlsCertFile?: string;
  /** PEM file of the client certificate's key for mTLS (OPA: tls_private_key_file). */
  readonly tlsPrivateKeyFile?: string;
  /** Backoff overrides; unset fields keep OpenTelemetry Go's defaults. */
  readonly retry?: Partial<RetryPolicy>;
}

/** The resolved configuration, ready for the transport. */
export interface OtlpExporterConfig {
  /** `http://host:port` or `https://host:port`, the scheme matching `encryption`. */
  readonly endpoint: string;
  readonly encryption: Encryption;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: Compression;
  /** PEM contents, read at resolution time. */
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly retry: RetryPolicy;
}

/** Default collector address for OTLP over gRPC. */
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317';
/** Default time for one export (ms), as the OTLP exporter specification sets it. */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/** What the exporter's configuration errors call it (`invalid OTLP exporter configuration: ...`). */
const SUBJECT = 'OTLP exporter configuration';

/** @deprecated The same class as {@link ConfigError}, under its former name. */
export const OtlpConfigError = ConfigError;
/** @deprecated Use {@link ConfigError}. */
export type OtlpConfigError = ConfigError;

/** Which signal an exporter sends and over what: picks the `<SIGNAL>_` variables and the endpoint rules. */
export interface OtlpTarget {
  readonly signal: 'traces' | 'metrics';
  /** gRPC: `host:port` endpoints; http: full URLs, the generic variable a base that gets `/v1/<signal>`. */
  readonly transport: 'grpc' | 'http';
}

const TRACES_OVER_GRPC: OtlpTarget = { signal: 'traces', transport: 'grpc' };

/** Default collector address for OTLP over HTTP (the path `/v1/<signal>` is appended). */
export const DEFAULT_OTLP_HTTP_BASE = 'http://localhost:4318';

/** The first non-empty of `OTEL_EXPORTER_OTLP_<SIGNAL>_<suffix>` and `OTEL_EXPORTER_OTLP_<suffix>`. */
function fromEnv(env: Env, suffix: string, signal: OtlpTarget['signal'] = 'traces'): Sourced<string> | undefined {
  return envSetting(env, `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`);
}

/** The OTLP transports the specification names for OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL. */
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

/**
 * The transport OTEL_EXPORTER_OTLP_{SIGNAL}_PROTOCOL (else OTEL_EXPORTER_OTLP_PROTOCOL) asks for, with the
 * variable it came from; undefined when neither is set. A value the specification does not name is
 * an {@link ConfigError} naming the variable.
 */
export function otlpProtocolFromEnv(
  env: Env = processEnv(),
  signal: OtlpTarget['signal'] = 'traces',
): { protocol: OtlpProtocol; source: string } | undefined {
  const setting = fromEnv(env, 'PROTOCOL', signal);
  if (setting === undefined) return undefined;
  const protocol = parseEnum(setting.value, PROTOCOLS);
  if (protocol === undefined) {
    throw new ConfigError(
      [`${setting.source}: must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(setting.value)}`],
      SUBJECT,
    );
  }
  return { protocol, source: setting.source };
}

/**
 * Reads a certificate file with node:fs, loaded only now: only a configuration naming such files
 * needs it, so runtimes without a file system load the exporters all the same.
 */
function readPemFile(path: string): Buffer {
  const fs = builtinModule<typeof import('node:fs')>('node:fs');
  if (fs === undefined) throw new Error('this runtime has no node:fs to read certificate files with');
  return fs.readFileSync(path);
}

/**
 * Resolves options over the environment over the defaults, reading certificate files. Throws one
 * {@link ConfigError} listing every problem.
 */
export function resolveOtlpConfig(
  options: OtlpExporterOptions = {},
  env: Env = processEnv(),
  readFile: (path: string) => Buffer = readPemFile,
  exporter: OtlpTarget = TRACES_OVER_GRPC,
): OtlpExporterConfig {
  const problems: string[] = [];
  if (options === null || typeof options !== 'object') {
    throw new ConfigError([`options: must be an object, got ${String(options)}`], SUBJECT);
  }

  // Protocol: for a gRPC exporter, the environment asking for OTLP/HTTP is a conflict to name, not to
  // ignore (the data would go to a port speaking another protocol). HTTP exporters pick their encoding.
  try {
    const asked = exporter.transport === 'grpc' ? otlpProtocolFromEnv(env, exporter.signal) : undefined;
    if (asked !== undefined && asked.protocol !== 'grpc') {
      problems.push(
        `${asked.source}: ${JSON.stringify(asked.protocol)} asks for OTLP/HTTP, but this is the OTLP/gRPC exporter ` +
          '(set it to "grpc" or unset it, or use an OTLP/HTTP exporter)',
      );
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }

  // Endpoint and transport security.
  const endpointSetting: Sourced<string> =
    options.endpoint !== undefined
      ? { value: options.endpoint, source: 'options.endpoint' }
      : exporter.transport === 'http'
        ? httpEndpointFromEnv(env, exporter.signal)
        : (fromEnv(env, 'ENDPOINT', exporter.signal) ?? {
            value: DEFAULT_OTLP_GRPC_ENDPOINT,
            source: 'default endpoint',
          });
  const target =
    exporter.transport === 'http'
      ? parseHttpEndpoint(endpointSetting, problems)
      : parseEndpoint(endpointSetting, problems);
  const insecure =
    readBoolean(options.insecure, 'options.insecure', fromEnv(env, 'INSECURE', exporter.signal), problems) ?? false;

  const caFile = pickString(
    options.tlsCaCertFile,
    'options.tlsCaCertFile',
    fromEnv(env, 'CERTIFICATE', exporter.signal),
    problems,
  );
  const certFile = pickString(
    options.tlsCertFile,
    'options.tlsCertFile',
    fromEnv(env, 'CLIENT_CERTIFICATE', exporter.signal),
    problems,
  );
  const keyFile = pickString(
    options.tlsPrivateKeyFile,
    'options.tlsPrivateKeyFile',
    fromEnv(env, 'CLIENT_KEY', exporter.signal),
    problems,
  );

  let encryption: Encryption;
  if (options.encryption !== undefined) {
    if (options.encryption === 'off' || options.encryption === 'tls' || options.encryption === 'mtls') {
      encryption = options.encryption;
    } else {
      problems.push(`options.encryption: must be 'off', 'tls' or 'mtls', got ${JSON.stringify(options.encryption)}`);
      encryption = 'off';
    }
    // Both set in code and disagreeing is a mistake worth naming; across layers, the option simply wins.
    if (target !== undefined && options.endpoint !== undefined && target.scheme !== undefined) {
      const schemeSecure = target.scheme === 'https';
      if (schemeSecure !== (encryption !== 'off')) {
        problems.push(
          `options.encryption: '${encryption}' contradicts the ${target.scheme}: scheme of options.endpoint`,
        );
      }
    }
  } else {
    const secure = target?.scheme === undefined ? !insecure : target.scheme === 'https';
    encryption = !secure ? 'off' : certFile !== undefined && keyFile !== undefined ? 'mtls' : 'tls';
  }

  let ca: Buffer | undefined;
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  if (encryption !== 'off') {
    const read = (file: Sourced<string>): Buffer | undefined => {
      try {
        return readFile(file.value);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        problems.push(`${file.source}: cannot read ${JSON.stringify(file.value)} (${code})`);
        return undefined;
      }
    };
    if (caFile !== undefined) ca = read(caFile);
    if (encryption === 'mtls') {
      if (certFile === undefined) {
        problems.push(
          'options.tlsCertFile (or OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_CERTIFICATE): mtls needs a client certificate',
        );
      } else {
        cert = read(certFile);
      }
      if (keyFile === undefined) {
        problems.push('options.tlsPrivateKeyFile (or OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_KEY): mtls needs a client key');
      } else {
        key = read(keyFile);
      }
    } else if (options.encryption === undefined && (certFile === undefined) !== (keyFile === undefined)) {
      // Inferred TLS with half a client identity: surely a mistake. Explicit 'tls' ignores client files, as OPA does.
      problems.push(`${(certFile ?? keyFile)!.source}: a client certificate and its key must be given together`);
    }
  }

  // Metadata: environment first, options over it.
  const headers: Record<string, string> = {};
  const envHeaders = fromEnv(env, 'HEADERS', exporter.signal);
  if (envHeaders !== undefined) {
    const parsed = parseHeaders(envHeaders, problems);
    for (const p of checkMetadata(parsed)) problems.push(`${envHeaders.source}: ${p}`);
    Object.assign(headers, parsed);
  }
  if (options.headers !== undefined) {
    if (options.headers === null || typeof options.headers !== 'object') {
      problems.push(`options.headers: must be an object of strings`);
    } else {
      const lowered: Record<string, string> = {};
      for (const [k, v] of Object.entries(options.headers)) lowered[k.toLowerCase()] = v;
      for (const p of checkMetadata(lowered)) problems.push(`options.headers: ${p}`);
      Object.assign(headers, lowered);
    }
  }

  // Timeout.
  const timeoutMs =
    readPositiveMs(options.timeoutMs, 'options.timeoutMs', fromEnv(env, 'TIMEOUT', exporter.signal), problems) ??
    DEFAULT_OTLP_TIMEOUT_MS;

  // Compression.
  let compression: Compression = 'none';
  const c: Sourced<unknown> | undefined =
    options.compression !== undefined
      ? { value: options.compression, source: 'options.compression' }
      : fromEnv(env, 'COMPRESSION', exporter.signal);
  if (c !== undefined) {
    const v = typeof c.value === 'string' ? c.value.toLowerCase() : c.value;
    if (v === 'gzip' || v === 'none') compression = v;
    else problems.push(`${c.source}: must be 'gzip' or 'none', got ${JSON.stringify(c.value)}`);
  }

  // Retry.
  let retry = DEFAULT_RETRY_POLICY;
  if (options.retry !== undefined) {
    if (options.retry === null || typeof options.retry !== 'object') {
      problems.push(`options.retry: must be an object`);
    } else {
      const merged = { ...DEFAULT_RETRY_POLICY, ...options.retry };
      const retryProblems = checkRetryPolicy(options.retry, 'options.retry');
      // Cross-field rules (max interval >= initial) also hold against the defaults.
      if (retryProblems.length === 0) retryProblems.push(...checkRetryPolicy(merged, 'options.retry'));
      problems.push(...retryProblems);
      retry = Object.freeze(merged);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems, SUBJECT);
  const host = target!.host;
  const config: { -readonly [K in keyof OtlpExporterConfig]: OtlpExporterConfig[K] } = {
    // An HTTP endpoint is a whole URL; its scheme already says whether TLS is on.
    endpoint: exporter.transport === 'http' ? host : `${encryption === 'off' ? 'http' : 'https'}://${host}`,
    encryption,
    headers,
    timeoutMs,
    compression,
    retry,
  };
  if (ca !== undefined) config.ca = ca;
  if (cert !== undefined) config.cert = cert;
  if (key !== undefined) config.key = key;
  return config;
}

/**
 * The OTLP/HTTP endpoint from the environment: the signal's variable is the whole URL; the generic one is
 * a base URL to which `/v1/<signal>` is appended (after its own path, if any); else the default.
 */
function httpEndpointFromEnv(env: Env, signal: OtlpTarget['signal']): Sourced<string> {
  const own = `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`;
  const specific = env[own]?.trim();
  if (specific) return { value: specific, source: own };
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (base) return { value: `${base.replace(/\/+$/, '')}/v1/${signal}`, source: 'OTEL_EXPORTER_OTLP_ENDPOINT' };
  return { value: `${DEFAULT_OTLP_HTTP_BASE}/v1/${signal}`, source: 'default endpoint' };
}

/** Checks an OTLP/HTTP endpoint: an http(s) URL; the scheme decides TLS. `host` holds the whole URL. */
function parseHttpEndpoint(
  setting: Sourced<string>,
  problems: string[],
): { scheme: 'http' | 'https'; host: string } | undefined {
  const { value, source } = setting;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${source}: must be a non-empty string`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    problems.push(`${source}: ${JSON.stringify(value)} is not a valid URL (an OTLP/HTTP endpoint is a full URL)`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${source}: scheme must be http or https, got ${JSON.stringify(url.protocol.slice(0, -1))}`);
    return undefined;
  }
  return { scheme: url.protocol === 'http:' ? 'http' : 'https', host: url.href };
}

/** Splits an endpoint into its scheme (if written) and `host:port` (port from the scheme when left out). */
function parseEndpoint(
  setting: Sourced<string>,
  problems: string[],
): { scheme: 'http' | 'https' | undefined; host: string } | undefined {
  const { value, source } = setting;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${source}: must be a non-empty string`);
    return undefined;
  }
  const text = value.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    // A scheme the URL parser has no default port for keeps `host:port` exactly as written.
    url = new URL(hasScheme ? text : `authority://${text}`);
  } catch {
    problems.push(`${source}: ${JSON.stringify(value)} is not a valid URL or host:port`);
    return undefined;
  }
  let scheme: 'http' | 'https' | undefined;
  if (hasScheme) {
    if (url.protocol === 'http:' || url.protocol === 'https:') scheme = url.protocol === 'http:' ? 'http' : 'https';
    else {
      problems.push(`${source}: scheme must be http or https, got ${JSON.stringify(url.protocol.slice(0, -1))}`);
      return undefined;
    }
  }
  let ok = true;
  if (url.pathname !== '/' && url.pathname !== '') {
    problems.push(`${source}: a gRPC endpoint has no path, got ${JSON.stringify(url.pathname)}`);
    ok = false;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    problems.push(`${source}: a gRPC endpoint has no query, fragment or credentials`);
    ok = false;
  }
  if (url.hostname === '') {
    problems.push(`${source}: no host in ${JSON.stringify(value)}`);
    ok = false;
  }
  if (!ok) return undefined;
  if (url.port !== '') return { scheme, host: url.host };
  // No port (or, with http/https, the scheme's default, which the URL parser drops): the scheme's default;
  // 443 for an address without a scheme, as for gRPC targets.
  return { scheme, host: `${url.hostname}:${scheme === 'http' ? 80 : 443}` };
}

function pickString(
  option: unknown,
  optionName: string,
  envSetting: Sourced<string> | undefined,
  problems: string[],
): Sourced<string> | undefined {
  if (option !== undefined) {
    if (typeof option === 'string' && option !== '') return { value: option, source: optionName };
    problems.push(`${optionName}: must be a non-empty string (a file path), got ${JSON.stringify(option)}`);
    return undefined;
  }
  return envSetting;
}

/**
 * Parses `key=value,key2=value2` as the W3C baggage format writes it (without properties): members
 * separated by commas, optional whitespace around keys and values, both percent-decoded. Keys are
 * lower-cased, since gRPC metadata keys are.
 */
export function parseHeaders(setting: Sourced<string>, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  setting.value.split(',').forEach((member, i) => {
    const raw = member.trim();
    if (raw === '') return;
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      problems.push(`${setting.source}: member ${i + 1} ${JSON.stringify(raw)} is not key=value`);
      return;
    }
    try {
      const key = decodeURIComponent(raw.slice(0, eq).trim()).toLowerCase();
      const value = decodeURIComponent(raw.slice(eq + 1).trim());
      if (key === '') problems.push(`${setting.source}: member ${i + 1} has an empty key`);
      else headers[key] = value;
    } catch {
      problems.push(`${setting.source}: member ${i + 1} ${JSON.stringify(raw)} has a malformed percent-encoding`);
    }
  });
  return headers;
}
