/**
 * The reference server's configuration: a JSON document with OPA's key names and defaults, checked
 * whole before anything starts. Every problem is collected (an unknown key, a wrong type, a value out
 * of range, an unreadable file) and reported together, each naming its key, e.g.
 * `distributed_tracing.sample_percentage: must be a number from 0 to 100, got 150`.
 *
 * Sections: `services`, `labels`, `distributed_tracing`, `status`, `decision_logs`, `server` (OPA's
 * keys), and `upstreams`, zerotel's own: documents fetched over HTTP when read (the analog of a
 * policy calling `http.send`). Where OPA's own setting is absent, the OpenTelemetry environment
 * variables (`OTEL_*`) apply; where both are absent, OPA's defaults do.
 */

import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { type Env, processEnv } from '../config/env.js';
import { resolveBatchConfig, MAX_QUEUE_SIZE } from '../trace/batch.js';
import { resolveOtlpConfig, type Encryption, type OtlpExporterOptions } from '../otlp/config.js';
import { OPA_HTTP_DURATION_BUCKETS } from '../http/instrument.js';
import { type NativeHistogramsConfig, readNativeHistograms } from './native-histograms-config.js';
import { describe, isObj, Reader } from './config-reader.js';
import { setOwn } from './own-key.js';

export { ConfigError };

/** A configured service (OPA's `services`): where status is pushed. */
export interface ServiceConfig {
  readonly name: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly allowInsecureTls: boolean;
  /** OPA's response_header_timeout_seconds (default 10). */
  readonly responseHeaderTimeoutSeconds: number;
  /** PEM of `tls.ca_cert`, read at start-up. */
  readonly caCert?: Buffer;
  /** `credentials.bearer`: a token or a file holding one (read at every request), and the scheme. */
  readonly bearer?: { readonly token?: string; readonly tokenPath?: string; readonly scheme: string };
}

/** `distributed_tracing`, resolved; present only when tracing is on. */
export interface TracingConfig {
  /** OTLP over gRPC, or OTLP/HTTP (protobuf POSTed to `http(s)://ADDRESS/v1/traces`), as OPA's `type`. */
  readonly type: 'grpc' | 'http';
  /** Options for the OTLP exporter, in its own terms (the environment fills what they leave out). */
  readonly exporter: OtlpExporterOptions;
  /** `service.name` of the resource: service_name, else OTEL_SERVICE_NAME, else "opa". */
  readonly serviceName: string;
  /** `sample_percentage`; undefined means OTEL_TRACES_SAMPLER decides, else 100. */
  readonly samplePercentage: number | undefined;
  /** Resource attributes from `resource.*`, by OpenTelemetry name. */
  readonly resource: Readonly<Record<string, string>>;
  /** `batch_span_processor_options`, in the batch processor's terms; unset ones come from OTEL_BSP_*. */
  readonly batch: {
    readonly maxQueueSize?: number;
    readonly scheduledDelayMillis?: number;
    readonly exportTimeoutMillis?: number;
    readonly maxExportBatchSize?: number;
  };
}

/** `status`, resolved; present only when the status plugin is on. */
export interface StatusConfig {
  /** The service pushed to; undefined for console or prometheus only. */
  readonly service: string | undefined;
  readonly partitionName: string;
  readonly console: boolean;
  readonly prometheus: boolean;
  readonly trigger: 'periodic' | 'manual';
  /** `prometheus_config.collectors.bundle_loading_duration_ns.buckets` (default 1000 x 2^0..19). */
  readonly bundleLoadingDurationBuckets: readonly number[];
}

export interface DecisionLogsConfig {
  readonly console: boolean;
}

export interface ServerConfig {
  /** `server.metrics.prom.http_request_duration_seconds.buckets`. */
  readonly httpRequestDurationBuckets: readonly number[];
  /** `server.metrics.native_histograms`: the request histogram also (or only) as a native histogram. */
  readonly nativeHistograms?: NativeHistogramsConfig;
  /** `server.decoding.max_length` (default 256 MB). */
  readonly maxLength: number;
  /** `server.decoding.gzip.max_length` (default 512 MB). */
  readonly gzipMaxLength: number;
  /**
   * `server.authentication`: `"off"` (default) or `"token"`, where every request must carry
   * `Authorization: Bearer <token>` (OPA's `--authentication=token`).
   */
  readonly authentication: 'off' | 'token';
  /** The expected token (`server.token`, or the trimmed content of `server.token_file`) when authentication is on. */
  readonly token?: string;
  /** `server.tls.{cert_file, private_key_file}`, read at start-up: serve HTTPS (OPA's `--tls-cert-file`, `--tls-private-key-file`). */
  readonly tls?: {
    readonly certFile: string;
    readonly privateKeyFile: string;
    readonly cert: Buffer;
    readonly key: Buffer;
  };
  /** `server.timeouts.read_header_ms` (default 10000): the whole request head must arrive within this. */
  readonly headersTimeoutMs: number;
  /** `server.timeouts.request_ms` (default 60000): the whole request, body included, must arrive within this. */
  readonly requestTimeoutMs: number;
}

/** zerotel's `upstreams.<name>`: a document read over HTTP at `/v1/data/upstreams/<name>`. */
export interface UpstreamConfig {
  readonly name: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** `timeout_ms` (default 5000). */
  readonly timeoutMs: number;
}

export interface ReferenceConfig {
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly distributedTracing: TracingConfig | undefined;
  readonly status: StatusConfig | undefined;
  readonly decisionLogs: DecisionLogsConfig | undefined;
  readonly server: ServerConfig;
  readonly upstreams: Readonly<Record<string, UpstreamConfig>>;
}

/** OPA's defaults for `server.decoding`. */
export const DEFAULT_MAX_REQUEST_LENGTH = 268435456;
export const DEFAULT_GZIP_MAX_LENGTH = 536870912;
/** OPA's default service name for traces. */
export const DEFAULT_TRACING_SERVICE_NAME = 'opa';
/** OPA's default bundle loading buckets: exponential from 1000 ns, factor 2, 20 buckets. */
export const DEFAULT_BUNDLE_LOADING_BUCKETS: readonly number[] = Object.freeze(
  Array.from({ length: 20 }, (_, i) => 1000 * 2 ** i),
);
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 5000;
/** Defaults of `server.timeouts`: slow clients (slowloris) are cut off after these. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * Upper bounds of numeric settings (see docs/reliability.md): past them a setting would exhaust
 * memory or overflow a timer rather than do anything more useful, so it is refused at start-up.
 */
/** Timers (Node's setTimeout) hold at most 2^31 - 1 ms. */
export const MAX_TIMEOUT_MS = 2147483647;
export const MAX_TIMEOUT_SECONDS = Math.floor(MAX_TIMEOUT_MS / 1000);
/** `server.decoding.max_length` and `.gzip.max_length`; a body is also never longer than V8's longest string. */
export const MAX_BODY_LENGTH = 2 ** 30;
/** Entries of `labels` (each is sent with every status update). */
export const MAX_LABELS = 256;

export interface ParseConfigOptions {
  /** Where OTEL_* variables are read (default process.env). */
  readonly env?: Env;
  /** Reads files named by the configuration (default fs.readFileSync). */
  readonly readFile?: (path: string) => Buffer;
}

const TOP_LEVEL = ['services', 'labels', 'distributed_tracing', 'status', 'decision_logs', 'server', 'upstreams'];
const TOP_LEVEL_UNSUPPORTED = [
  'bundle',
  'bundles',
  'discovery',
  'plugins',
  'keys',
  'default_decision',
  'default_authorization_decision',
  'caching',
  'nd_builtin_cache',
  'persistence_directory',
  'storage',
  'extra',
];

/** Reads and checks a configuration file. A file that cannot be read or parsed is a ConfigError too. */
export function loadConfigFile(path: string, options: ParseConfigOptions = {}): ReferenceConfig {
  let text: string;
  try {
    text = (options.readFile ?? ((p: string) => readFileSync(p)))(path).toString('utf8');
  } catch (error) {
    throw new ConfigError([
      `--config-file: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    ]);
  }
  return parseConfig(text, options);
}

/**
 * Checks a configuration (JSON text, or an already parsed value) and resolves its defaults.
 * Throws {@link ConfigError} listing every problem.
 */
export function parseConfig(input: string | unknown, options: ParseConfigOptions = {}): ReferenceConfig {
  const env = options.env ?? processEnv();
  const readFile = options.readFile ?? ((p: string) => readFileSync(p));
  let raw: unknown = input;
  if (typeof input === 'string') {
    if (input.trim() === '') raw = {};
    else {
      try {
        raw = JSON.parse(input);
      } catch (error) {
        throw new ConfigError([`configuration: not valid JSON (${(error as Error).message})`]);
      }
    }
  }
  const r = new Reader();
  if (!isObj(raw)) throw new ConfigError([`configuration: must be a JSON object, got ${describe(raw)}`]);
  r.keys(raw, '', TOP_LEVEL, TOP_LEVEL_UNSUPPORTED);

  const labels: Record<string, string> = {};
  const labelObject = r.object(raw['labels'], 'labels');
  if (labelObject !== undefined && Object.keys(labelObject).length > MAX_LABELS) {
    r.problems.push(`labels: must hold at most ${MAX_LABELS} labels, got ${Object.keys(labelObject).length}`);
  }
  for (const [k, v] of Object.entries(labelObject ?? {})) {
    if (typeof v !== 'string') r.problems.push(`labels.${k}: must be a string, got ${describe(v)}`);
    else if (k === 'id' || k === 'version') r.problems.push(`labels.${k}: reserved (set by the server)`);
    else setOwn(labels, k, v);
  }

  const services = readServices(r, raw['services'], readFile);
  const distributedTracing = readTracing(r, raw['distributed_tracing'], env, readFile);
  const status = readStatus(r, raw['status'], Object.keys(services));
  const decisionLogs = readDecisionLogs(r, raw['decision_logs']);
  const server = readServer(r, raw['server'], readFile);
  const upstreams = readUpstreams(r, raw['upstreams']);

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze({ services, labels, distributedTracing, status, decisionLogs, server, upstreams });
}

function readServices(r: Reader, value: unknown, readFile: (path: string) => Buffer): Record<string, ServiceConfig> {
  const out: Record<string, ServiceConfig> = {};
  if (value === undefined) return out;
  // OPA accepts a map of name -> service, or a list of services each with a `name`.
  const entries: [string, unknown, string][] = [];
  if (Array.isArray(value)) {
    value.forEach((s, i) => {
      const name = isObj(s) && typeof s['name'] === 'string' ? s['name'] : undefined;
      if (name === undefined || name === '')
        r.problems.push(`services[${i}].name: a service in a list needs a non-empty name`);
      else entries.push([name, s, `services[${i}]`]);
    });
  } else {
    const o = r.object(value, 'services');
    if (o === undefined) return out;
    for (const [name, s] of Object.entries(o)) entries.push([name, s, `services.${name}`]);
  }
  for (const [name, s, prefix] of entries) {
    const o = r.object(s, prefix);
    if (o === undefined) continue;
    r.keys(
      o,
      prefix,
      ['name', 'url', 'headers', 'allow_insecure_tls', 'response_header_timeout_seconds', 'tls', 'credentials'],
      ['type', 'keys'],
    );
    if (Array.isArray(value) === false && o['name'] !== undefined) r.string(o, 'name', prefix);
    const url = r.httpUrl(o, 'url', prefix);
    if (o['url'] === undefined) r.problems.push(`${prefix}.url: required`);
    const headers = r.stringMap(o, 'headers', prefix) ?? {};
    const allowInsecureTls = r.boolean(o, 'allow_insecure_tls', prefix) ?? false;
    const timeout =
      r.number(o, 'response_header_timeout_seconds', prefix, { min: 1, max: MAX_TIMEOUT_SECONDS, integer: true }) ?? 10;
    let caCert: Buffer | undefined;
    const tls = r.object(o['tls'], `${prefix}.tls`);
    if (tls !== undefined) {
      r.keys(tls, `${prefix}.tls`, ['ca_cert', 'system_ca_required']);
      r.boolean(tls, 'system_ca_required', `${prefix}.tls`);
      const file = r.string(tls, 'ca_cert', `${prefix}.tls`, { nonEmpty: true });
      if (file !== undefined) {
        try {
          caCert = readFile(file);
        } catch (error) {
          r.problems.push(
            `${prefix}.tls.ca_cert: cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
          );
        }
      }
    }
    let bearer: ServiceConfig['bearer'];
    const credentials = r.object(o['credentials'], `${prefix}.credentials`);
    if (credentials !== undefined) {
      r.keys(
        credentials,
        `${prefix}.credentials`,
        ['bearer'],
        ['oauth2', 'client_tls', 's3_signing', 'gcp_metadata', 'azure_managed_identity', 'oci_signing', 'plugin'],
      );
      const b = r.object(credentials['bearer'], `${prefix}.credentials.bearer`);
      if (b !== undefined) {
        const bp = `${prefix}.credentials.bearer`;
        r.keys(b, bp, ['token', 'token_path', 'scheme']);
        const token = r.string(b, 'token', bp);
        const tokenPath = r.string(b, 'token_path', bp, { nonEmpty: true });
        const scheme = r.string(b, 'scheme', bp, { nonEmpty: true }) ?? 'Bearer';
        if (token !== undefined && token !== '' && tokenPath !== undefined) {
          r.problems.push(`${bp}: specify either token or token_path, not both`);
        }
        bearer = {
          ...(token !== undefined ? { token } : {}),
          ...(tokenPath !== undefined ? { tokenPath } : {}),
          scheme,
        };
      }
    }
    if (Object.hasOwn(out, name)) r.problems.push(`${prefix}: a second service named ${JSON.stringify(name)}`);
    if (url !== undefined) {
      setOwn(out, name, {
        name,
        url,
        headers,
        allowInsecureTls,
        responseHeaderTimeoutSeconds: timeout,
        ...(caCert !== undefined ? { caCert } : {}),
        ...(bearer !== undefined ? { bearer } : {}),
      });
    }
  }
  return out;
}

/** Option names of the OTLP exporter, as this configuration names them (for its messages). */
const EXPORTER_OPTION_KEYS: readonly [RegExp, string][] = [
  [/options\.endpoint/g, 'distributed_tracing.address'],
  [/options\.encryption/g, 'distributed_tracing.encryption'],
  [/options\.tlsCaCertFile/g, 'distributed_tracing.tls_ca_cert_file'],
  [/options\.tlsCertFile/g, 'distributed_tracing.tls_cert_file'],
  [/options\.tlsPrivateKeyFile/g, 'distributed_tracing.tls_private_key_file'],
  [/options\.insecure/g, 'distributed_tracing.encryption'],
];

function tracingWanted(type: string | undefined, env: Env): boolean {
  if (type === 'grpc' || type === 'http') return true;
  if (type !== undefined) return false; // "" or refused
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',').map((s) => s.trim().toLowerCase());
  return exporters.includes('otlp');
}

function readTracing(
  r: Reader,
  value: unknown,
  env: Env,
  readFile: (path: string) => Buffer,
): TracingConfig | undefined {
  const p = 'distributed_tracing';
  const o = value === undefined ? {} : r.object(value, p);
  if (o === undefined) return undefined;
  r.keys(o, p, [
    'type',
    'address',
    'service_name',
    'sample_percentage',
    'encryption',
    'allow_insecure_tls',
    'tls_cert_file',
    'tls_private_key_file',
    'tls_ca_cert_file',
    'resource',
    'batch_span_processor_options',
  ]);
  let type = r.string(o, 'type', p);
  if (type !== undefined) {
    const lowered = type.toLowerCase();
    if (lowered !== 'grpc' && lowered !== 'http' && lowered !== '') {
      r.problems.push(`${p}.type: must be "grpc", "http" or "" (unset), got ${JSON.stringify(type)}`);
      type = undefined;
    } else type = lowered === '' ? undefined : lowered;
  }
  const address = r.string(o, 'address', p, { nonEmpty: true });
  const serviceName = r.string(o, 'service_name', p, { nonEmpty: true });
  const samplePercentage = r.number(o, 'sample_percentage', p, { min: 0, max: 100 });
  const encryptionText = r.string(o, 'encryption', p);
  let encryption: Encryption | undefined;
  if (encryptionText !== undefined) {
    if (encryptionText === 'off' || encryptionText === 'tls' || encryptionText === 'mtls') encryption = encryptionText;
    else r.problems.push(`${p}.encryption: must be "off", "tls" or "mtls", got ${JSON.stringify(encryptionText)}`);
  }
  if (r.boolean(o, 'allow_insecure_tls', p) === true) {
    r.problems.push(`${p}.allow_insecure_tls: true is not supported by zerotel (certificates are always verified)`);
  }
  const tlsCertFile = r.string(o, 'tls_cert_file', p, { nonEmpty: true });
  const tlsPrivateKeyFile = r.string(o, 'tls_private_key_file', p, { nonEmpty: true });
  const tlsCaCertFile = r.string(o, 'tls_ca_cert_file', p, { nonEmpty: true });
  if ((tlsCertFile === undefined) !== (tlsPrivateKeyFile === undefined)) {
    r.problems.push(`${p}.tls_cert_file and ${p}.tls_private_key_file must be specified together`);
  }
  if (encryption === 'mtls' && tlsCertFile === undefined) {
    r.problems.push(`${p}.tls_cert_file: required but not supplied (encryption is "mtls")`);
  }

  const resource: Record<string, string> = {};
  const res = r.object(o['resource'], `${p}.resource`);
  if (res !== undefined) {
    const rp = `${p}.resource`;
    r.keys(res, rp, ['service_version', 'service_instance_id', 'service_namespace', 'deployment_environment']);
    const names: [string, string][] = [
      ['service_version', 'service.version'],
      ['service_instance_id', 'service.instance.id'],
      ['service_namespace', 'service.namespace'],
      ['deployment_environment', 'deployment.environment'],
    ];
    for (const [key, attribute] of names) {
      const v = r.string(res, key, rp);
      if (v !== undefined && v !== '') resource[attribute] = v;
    }
  }

  const batch: { -readonly [K in keyof TracingConfig['batch']]: TracingConfig['batch'][K] } = {};
  const bsp = r.object(o['batch_span_processor_options'], `${p}.batch_span_processor_options`);
  if (bsp !== undefined) {
    const bp = `${p}.batch_span_processor_options`;
    r.keys(bsp, bp, ['blocking', 'batch_timeout_ms', 'export_timeout_ms', 'max_export_batch_size', 'max_queue_size']);
    if (r.boolean(bsp, 'blocking', bp) === true) {
      r.problems.push(`${bp}.blocking: true is not supported by zerotel (a full queue drops spans and counts them)`);
    }
    const delay = r.number(bsp, 'batch_timeout_ms', bp, { min: 0, max: MAX_TIMEOUT_MS, integer: true });
    const timeout = r.number(bsp, 'export_timeout_ms', bp, { min: 1, max: MAX_TIMEOUT_MS, integer: true });
    const size = r.number(bsp, 'max_export_batch_size', bp, { min: 1, max: MAX_QUEUE_SIZE, integer: true });
    const queue = r.number(bsp, 'max_queue_size', bp, { min: 1, max: MAX_QUEUE_SIZE, integer: true });
    if (delay !== undefined) batch.scheduledDelayMillis = delay;
    if (timeout !== undefined) batch.exportTimeoutMillis = timeout;
    if (size !== undefined) batch.maxExportBatchSize = size;
    if (queue !== undefined) batch.maxQueueSize = queue;
  }

  if (!tracingWanted(type, env)) return undefined;
  if (type === undefined) {
    // Enabled by OTEL_TRACES_EXPORTER: the protocol, if named, picks gRPC (the default) or HTTP.
    type = 'grpc';
    for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
      const v = env[name]?.trim().toLowerCase();
      if (v !== undefined && v !== '') {
        if (v === 'http/protobuf') type = 'http';
        else if (v !== 'grpc')
          r.problems.push(`${name}: must be "grpc" or "http/protobuf", got ${JSON.stringify(env[name]!.trim())}`);
        break;
      }
    }
  }
  const transport: 'grpc' | 'http' = type === 'http' ? 'http' : 'grpc';

  // Exporter options: OPA's settings where given; the OTEL_EXPORTER_OTLP_* variables fill the rest.
  const exporter: { -readonly [K in keyof OtlpExporterOptions]: OtlpExporterOptions[K] } = {};
  const envEndpoint = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].some(
    (n) => (env[n] ?? '').trim() !== '',
  );
  if (transport === 'http') {
    // As OPA does: ADDRESS is host:port, the scheme follows the encryption, the path is /v1/traces.
    const base = address ?? (envEndpoint ? undefined : 'localhost:4317');
    if (base !== undefined) {
      const scheme = encryption === 'tls' || encryption === 'mtls' ? 'https' : 'http';
      const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(base) ? base : `${scheme}://${base}`;
      exporter.endpoint = `${url.replace(/\/+$/, '')}/v1/traces`;
    }
    if (encryption !== undefined) exporter.encryption = encryption;
  } else {
    if (address !== undefined) exporter.endpoint = address;
    else if (!envEndpoint) exporter.endpoint = 'localhost:4317';
    const endpointHasScheme = exporter.endpoint !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(exporter.endpoint);
    if (encryption !== undefined) exporter.encryption = encryption;
    else if (exporter.endpoint !== undefined && !endpointHasScheme) exporter.encryption = 'off'; // OPA's default
  }
  if (tlsCertFile !== undefined) exporter.tlsCertFile = tlsCertFile;
  if (tlsPrivateKeyFile !== undefined) exporter.tlsPrivateKeyFile = tlsPrivateKeyFile;
  if (tlsCaCertFile !== undefined) exporter.tlsCaCertFile = tlsCaCertFile;
  try {
    resolveOtlpConfig(exporter, env, readFile, { signal: 'traces', transport });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) {
      // The protocol variables were read above, where they choose `type` when the configuration has none.
      if (/^OTEL_EXPORTER_OTLP_(TRACES_)?PROTOCOL:/.test(problem)) continue;
      let text = problem;
      for (const [pattern, key] of EXPORTER_OPTION_KEYS) text = text.replace(pattern, key);
      r.problems.push(text);
    }
  }
  try {
    resolveBatchConfig(batch, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    r.problems.push(...error.problems);
  }

  let name = serviceName;
  if (name === undefined) {
    const fromEnv = env['OTEL_SERVICE_NAME']?.trim();
    if (fromEnv) name = fromEnv;
    else {
      const attrs = env['OTEL_RESOURCE_ATTRIBUTES'] ?? '';
      const m = /(?:^|,)\s*service\.name\s*=\s*([^,]*)/.exec(attrs);
      if (m !== null && m[1]!.trim() !== '') {
        try {
          name = decodeURIComponent(m[1]!.trim());
        } catch {
          name = undefined;
        }
      }
    }
  }
  return {
    type: transport,
    exporter,
    serviceName: name ?? DEFAULT_TRACING_SERVICE_NAME,
    samplePercentage,
    resource,
    batch,
  };
}

function readStatus(r: Reader, value: unknown, services: readonly string[]): StatusConfig | undefined {
  const p = 'status';
  const o = r.object(value, p);
  if (o === undefined) return undefined;
  r.keys(o, p, ['service', 'partition_name', 'console', 'prometheus', 'trigger', 'prometheus_config'], ['plugin']);
  let service = r.string(o, 'service', p);
  const partitionName = r.string(o, 'partition_name', p) ?? '';
  const console = r.boolean(o, 'console', p) ?? false;
  const prometheus = r.boolean(o, 'prometheus', p) ?? false;
  const triggerText = r.string(o, 'trigger', p);
  let trigger: 'periodic' | 'manual' = 'periodic';
  if (triggerText !== undefined) {
    if (triggerText === 'periodic' || triggerText === 'manual') trigger = triggerText;
    else
      r.problems.push(
        `${p}.trigger: invalid trigger mode ${JSON.stringify(triggerText)} (want "periodic" or "manual")`,
      );
  }
  let buckets: readonly number[] = DEFAULT_BUNDLE_LOADING_BUCKETS;
  const pc = r.object(o['prometheus_config'], `${p}.prometheus_config`);
  if (pc !== undefined) {
    r.keys(pc, `${p}.prometheus_config`, ['collectors']);
    const collectors = r.object(pc['collectors'], `${p}.prometheus_config.collectors`);
    if (collectors !== undefined) {
      r.keys(collectors, `${p}.prometheus_config.collectors`, ['bundle_loading_duration_ns']);
      const bl = r.object(
        collectors['bundle_loading_duration_ns'],
        `${p}.prometheus_config.collectors.bundle_loading_duration_ns`,
      );
      if (bl !== undefined) {
        const bp = `${p}.prometheus_config.collectors.bundle_loading_duration_ns`;
        r.keys(bl, bp, ['buckets']);
        buckets = r.buckets(bl, 'buckets', bp) ?? buckets;
      }
    }
  }
  if (service === undefined || service === '') {
    service = undefined;
    // As OPA: nothing configured at all means no status plugin.
    if (services.length === 0 && !console && !prometheus) return undefined;
    // For backwards compatibility OPA defaults to the first service unless console or prometheus is on.
    if (services.length > 0 && !console && !prometheus) service = services[0];
  } else if (!services.includes(service)) {
    r.problems.push(`${p}.service: invalid service name ${JSON.stringify(service)} in status (not in services)`);
  }
  return { service, partitionName, console, prometheus, trigger, bundleLoadingDurationBuckets: buckets };
}

function readDecisionLogs(r: Reader, value: unknown): DecisionLogsConfig | undefined {
  const p = 'decision_logs';
  const o = r.object(value, p);
  if (o === undefined) return undefined;
  r.keys(
    o,
    p,
    ['console'],
    [
      'service',
      'partition_name',
      'reporting',
      'request_context',
      'mask_decision',
      'drop_decision',
      'plugin',
      'resource',
      'nd_builtin_cache',
    ],
  );
  const console = r.boolean(o, 'console', p) ?? false;
  // Without a sink, OPA does not start the decision logger.
  return console ? { console } : undefined;
}

function readServer(r: Reader, value: unknown, readFile: (path: string) => Buffer): ServerConfig {
  const p = 'server';
  let buckets: readonly number[] = OPA_HTTP_DURATION_BUCKETS;
  let nativeHistograms: NativeHistogramsConfig | undefined;
  let maxLength = DEFAULT_MAX_REQUEST_LENGTH;
  let gzipMaxLength = DEFAULT_GZIP_MAX_LENGTH;
  let authentication: ServerConfig['authentication'] = 'off';
  let token: string | undefined;
  let tls: ServerConfig['tls'];
  let headersTimeoutMs = DEFAULT_HEADERS_TIMEOUT_MS;
  let requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  const read = (key: string, file: string): Buffer | undefined => {
    try {
      return readFile(file);
    } catch (error) {
      r.problems.push(
        `${key}: cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
      return undefined;
    }
  };
  const o = r.object(value, p);
  if (o !== undefined) {
    r.keys(o, p, ['metrics', 'decoding', 'authentication', 'token', 'token_file', 'tls', 'timeouts'], ['encoding']);
    const metrics = r.object(o['metrics'], `${p}.metrics`);
    if (metrics !== undefined) {
      r.keys(metrics, `${p}.metrics`, ['prom', 'native_histograms']);
      nativeHistograms = readNativeHistograms(r, metrics['native_histograms'], `${p}.metrics.native_histograms`);
      const prom = r.object(metrics['prom'], `${p}.metrics.prom`);
      if (prom !== undefined) {
        r.keys(prom, `${p}.metrics.prom`, ['http_request_duration_seconds']);
        const h = r.object(prom['http_request_duration_seconds'], `${p}.metrics.prom.http_request_duration_seconds`);
        if (h !== undefined) {
          const hp = `${p}.metrics.prom.http_request_duration_seconds`;
          r.keys(h, hp, ['buckets']);
          buckets = r.buckets(h, 'buckets', hp) ?? buckets;
        }
      }
    }
    const decoding = r.object(o['decoding'], `${p}.decoding`);
    if (decoding !== undefined) {
      const dp = `${p}.decoding`;
      r.keys(decoding, dp, ['max_length', 'gzip']);
      maxLength = r.number(decoding, 'max_length', dp, { min: 1, max: MAX_BODY_LENGTH, integer: true }) ?? maxLength;
      const gzip = r.object(decoding['gzip'], `${dp}.gzip`);
      if (gzip !== undefined) {
        r.keys(gzip, `${dp}.gzip`, ['max_length']);
        gzipMaxLength =
          r.number(gzip, 'max_length', `${dp}.gzip`, { min: 1, max: MAX_BODY_LENGTH, integer: true }) ?? gzipMaxLength;
      }
    }

    const authText = r.string(o, 'authentication', p);
    if (authText !== undefined) {
      if (authText === 'off' || authText === 'token') authentication = authText;
      else r.problems.push(`${p}.authentication: must be "off" or "token", got ${JSON.stringify(authText)}`);
    }
    const tokenText = r.string(o, 'token', p, { nonEmpty: true });
    const tokenFile = r.string(o, 'token_file', p, { nonEmpty: true });
    if (tokenText !== undefined && tokenFile !== undefined) {
      r.problems.push(`${p}.token and ${p}.token_file: specify one of them, not both`);
    } else if (tokenText !== undefined) token = tokenText;
    else if (tokenFile !== undefined) {
      const content = read(`${p}.token_file`, tokenFile)?.toString('utf8').trim();
      if (content === '') r.problems.push(`${p}.token_file: ${JSON.stringify(tokenFile)} holds no token`);
      else token = content;
    }
    const tokenGiven = o['token'] !== undefined || o['token_file'] !== undefined;
    if (authentication === 'token' && !tokenGiven) {
      r.problems.push(`${p}.token: required when ${p}.authentication is "token" (or give ${p}.token_file)`);
    } else if (authText !== undefined && authentication !== 'token' && tokenGiven) {
      r.problems.push(`${p}.authentication: must be "token" when ${p}.token or ${p}.token_file is set`);
    } else if (authText === undefined && tokenGiven) {
      r.problems.push(`${p}.authentication: must be set to "token" to use ${p}.token or ${p}.token_file`);
    }

    const t = r.object(o['tls'], `${p}.tls`);
    if (t !== undefined) {
      const tp = `${p}.tls`;
      r.keys(t, tp, ['cert_file', 'private_key_file']);
      const certFile = r.string(t, 'cert_file', tp, { nonEmpty: true });
      const privateKeyFile = r.string(t, 'private_key_file', tp, { nonEmpty: true });
      if (t['cert_file'] === undefined) r.problems.push(`${tp}.cert_file: required with ${tp}`);
      if (t['private_key_file'] === undefined) r.problems.push(`${tp}.private_key_file: required with ${tp}`);
      const cert = certFile === undefined ? undefined : read(`${tp}.cert_file`, certFile);
      const key = privateKeyFile === undefined ? undefined : read(`${tp}.private_key_file`, privateKeyFile);
      if (cert !== undefined && !cert.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
        r.problems.push(`${tp}.cert_file: ${JSON.stringify(certFile)} holds no PEM certificate`);
      } else if (key !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) {
        r.problems.push(`${tp}.private_key_file: ${JSON.stringify(privateKeyFile)} holds no PEM private key`);
      } else if (cert !== undefined && key !== undefined) {
        tls = { certFile: certFile!, privateKeyFile: privateKeyFile!, cert, key };
      }
    }

    const timeouts = r.object(o['timeouts'], `${p}.timeouts`);
    if (timeouts !== undefined) {
      const tp = `${p}.timeouts`;
      r.keys(timeouts, tp, ['read_header_ms', 'request_ms']);
      const range = {
        min: 1,
        max: MAX_TIMEOUT_MS,
        integer: true,
        what: `an integer from 1 to ${MAX_TIMEOUT_MS} (milliseconds)`,
      };
      const headers = r.number(timeouts, 'read_header_ms', tp, range);
      const request = r.number(timeouts, 'request_ms', tp, range);
      if (headers !== undefined) headersTimeoutMs = headers;
      if (request !== undefined) requestTimeoutMs = request;
      if (headers !== undefined && request === undefined && headers > requestTimeoutMs) requestTimeoutMs = headers;
      if (request !== undefined && headers === undefined && request < headersTimeoutMs) headersTimeoutMs = request;
      if (headers !== undefined && request !== undefined && headers > request) {
        r.problems.push(`${tp}.read_header_ms: must not exceed ${tp}.request_ms (${request}), got ${headers}`);
      }
    }
  }
  return {
    httpRequestDurationBuckets: buckets,
    ...(nativeHistograms !== undefined ? { nativeHistograms } : {}),
    maxLength,
    gzipMaxLength,
    authentication,
    ...(token !== undefined && authentication === 'token' ? { token } : {}),
    ...(tls !== undefined ? { tls } : {}),
    headersTimeoutMs,
    requestTimeoutMs,
  };
}

function readUpstreams(r: Reader, value: unknown): Record<string, UpstreamConfig> {
  const out: Record<string, UpstreamConfig> = {};
  const o = r.object(value, 'upstreams');
  if (o === undefined) return out;
  for (const [name, u] of Object.entries(o)) {
    const p = `upstreams.${name}`;
    if (name === '' || name.includes('/')) {
      r.problems.push(`${p}: an upstream name must be a non-empty path segment (no "/")`);
      continue;
    }
    const uo = r.object(u, p);
    if (uo === undefined) continue;
    r.keys(uo, p, ['url', 'headers', 'timeout_ms']);
    const url = r.httpUrl(uo, 'url', p);
    if (uo['url'] === undefined) r.problems.push(`${p}.url: required`);
    const headers = r.stringMap(uo, 'headers', p) ?? {};
    const timeoutMs =
      r.number(uo, 'timeout_ms', p, {
        min: 1,
        max: MAX_TIMEOUT_MS,
        integer: true,
        what: `an integer from 1 to ${MAX_TIMEOUT_MS} (milliseconds)`,
      }) ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
    if (url !== undefined) setOwn(out, name, { name, url, headers, timeoutMs });
  }
  return out;
}

/** The configuration `npm start` uses without `--config-file`: no tracing, no status, /metrics on. */
export function defaultConfig(options: ParseConfigOptions = {}): ReferenceConfig {
  return parseConfig({}, options);
}
