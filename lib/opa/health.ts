/**
 * OPA's Health API over the plugins' states, read through a function at each request (the plugin
 * manager's, in the server), so health knows no plugin manager:
 * - `GET /health`: 200 `{}`; with `?bundles` (or the older `?bundle`) 500 unless the `bundle` and
 *   `discovery` plugins, when present, are OK; with `?plugins` 500 unless every plugin is OK, except
 *   those named by `exclude-plugin` (repeatable). Failures answer OPA's bodies
 *   (`{"error": "one or more plugins are not up"}`, ...).
 * - `GET /health/live` and `GET /health/ready`: OPA evaluates `data.system.health.<name>` there;
 *   zerotel has no policies, so these two behave as the usual health policy does: `live` is true,
 *   `ready` is true once every plugin has been OK at least once (`plugins_ready`). Any other name is
 *   undefined, and answers as OPA does for an undefined health rule.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

/** What health reads of the plugins. */
export interface PluginHealth {
  /** Each plugin's state by name (OPA's `OK`, `NOT_READY`, `ERROR`, ...). */
  readonly states: Readonly<Record<string, { readonly state: string }>>;
  /** True once every plugin has been OK at least once (OPA's `plugins_ready`). */
  readonly ready: boolean;
}

export interface HealthHandlerOptions {
  /** The plugins' health now; called at each request. */
  readonly plugins: () => PluginHealth;
  /** Plugins whose state `?bundles` checks (default: OPA's `bundle` and `discovery`). */
  readonly bundlePlugins?: readonly string[];
  /** Extra readiness condition (e.g. false while shutting down); default always true. */
  readonly ready?: () => boolean;
}

/** OPA's reading of a boolean query parameter: present without a value is true, else any "true". */
export function boolParam(query: URLSearchParams, name: string): boolean {
  if (!query.has(name)) return false;
  const values = query.getAll(name);
  if (values.length === 1 && values[0] === '') return true;
  return values.some((v) => v.toLowerCase() === 'true');
}

function write(res: ServerResponse, error: string | undefined): void {
  const body = error === undefined ? '{}\n' : `${JSON.stringify({ error })}\n`;
  res.writeHead(error === undefined ? 200 : 500, { 'Content-Type': 'application/json' });
  res.end(body);
}

/** The reason `/health` fails for these query parameters, or undefined when healthy. */
export function healthProblem(
  statuses: PluginHealth['states'],
  query: URLSearchParams,
  bundlePlugins: readonly string[],
): string | undefined {
  if (boolParam(query, 'bundle') || boolParam(query, 'bundles')) {
    for (const name of bundlePlugins) {
      const status = statuses[name];
      if (status !== undefined && status.state !== 'OK') return 'one or more bundles are not activated';
    }
  }
  if (boolParam(query, 'plugins')) {
    const excluded = new Set(query.getAll('exclude-plugin').filter((v) => v !== ''));
    for (const [name, status] of Object.entries(statuses)) {
      if (!excluded.has(name) && status.state !== 'OK') return 'one or more plugins are not up';
    }
  }
  return undefined;
}

/** Handles `/health` and `/health/{path}` (GET only: route other methods elsewhere). */
export function healthHandler(options: HealthHandlerOptions) {
  const bundlePlugins = options.bundlePlugins ?? ['bundle', 'discovery'];
  const ready = options.ready ?? (() => true);
  return function serveHealth(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/health' || path === '') {
      write(res, healthProblem(options.plugins().states, url.searchParams, bundlePlugins));
      return;
    }
    const name = path.startsWith('/health/') ? path.slice('/health/'.length) : path;
    const ref = `data.system.health.${name
      .split('/')
      .filter((s) => s !== '')
      .map(decodeSegment)
      .join('.')}`;
    if (name === 'live') {
      write(res, undefined);
    } else if (name === 'ready') {
      write(res, options.plugins().ready && ready() ? undefined : `health check (${ref}) returned unexpected value`);
    } else {
      write(res, `health check (${ref}) was undefined`);
    }
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
