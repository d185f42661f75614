/**
 * Decision logs with OPA's console sink: one JSON object per line, with the event's fields
 * (decision_id, labels, path, input, result, requested_by, timestamp, trace_id, span_id) beside the
 * logger's own (`type` openpolicyagent.org/decision_logs, `level`, `msg` "Decision Log", `time`),
 * as OPA's console logger prints them. The logger is a plugin named `decision_logs`: OK once
 * started, ERROR when a line cannot be written.
 */

import { randomUUID } from 'node:crypto';
import type { PluginManager } from './payload.js';

export const DECISION_LOGS_PLUGIN = 'decision_logs';

/** One decision, as OPA's EventV1 names its fields. */
export interface DecisionEvent {
  readonly decision_id: string;
  readonly path: string;
  readonly input?: unknown;
  readonly result?: unknown;
  /** The client's address, `host:port`. */
  readonly requested_by: string;
  /** RFC 3339, UTC. */
  readonly timestamp: string;
  readonly trace_id?: string;
  readonly span_id?: string;
  /** An evaluation error, as `{code, message}`. */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface DecisionLoggerOptions {
  /** Receives each line (with its newline); default: process.stdout. */
  readonly write?: (line: string) => void;
  /** Labels written with every event (the manager's, usually). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Reports the plugin state there. */
  readonly plugins?: PluginManager;
}

/** A decision id as OPA makes them: a random UUID. */
export function newDecisionId(): string {
  return randomUUID();
}

/** Writes decisions to the console as JSON lines. */
export class DecisionLogger {
  private readonly write: (line: string) => void;
  private readonly labels: Readonly<Record<string, string>>;
  private readonly plugins: PluginManager | undefined;
  private failing = false;
  logged = 0;

  constructor(options: DecisionLoggerOptions = {}) {
    this.write = options.write ?? ((line) => void process.stdout.write(line));
    this.labels = options.labels ?? {};
    this.plugins = options.plugins;
    this.plugins?.update(DECISION_LOGS_PLUGIN, { state: 'NOT_READY' });
  }

  /** Marks the plugin OK: from now on decisions are logged. */
  start(): void {
    this.plugins?.update(DECISION_LOGS_PLUGIN, { state: 'OK' });
  }

  /** Marks the plugin NOT_READY again (it still logs what it is given). */
  stop(): void {
    this.plugins?.update(DECISION_LOGS_PLUGIN, { state: 'NOT_READY' });
  }

  /** Logs one decision; a sink that throws turns the plugin to ERROR (and back to OK when it recovers). */
  log(event: DecisionEvent): void {
    const record: Record<string, unknown> = {
      decision_id: event.decision_id,
      labels: this.labels,
      path: event.path,
    };
    if (event.input !== undefined) record['input'] = event.input;
    if (event.result !== undefined) record['result'] = event.result;
    if (event.error !== undefined) record['error'] = event.error;
    record['requested_by'] = event.requested_by;
    record['timestamp'] = event.timestamp;
    if (event.trace_id !== undefined) record['trace_id'] = event.trace_id;
    if (event.span_id !== undefined) record['span_id'] = event.span_id;
    record['type'] = 'openpolicyagent.org/decision_logs';
    record['level'] = 'info';
    record['msg'] = 'Decision Log';
    record['time'] = new Date().toISOString();
    try {
      this.write(`${JSON.stringify(record)}\n`);
      this.logged++;
      if (this.failing) {
        this.failing = false;
        this.plugins?.update(DECISION_LOGS_PLUGIN, { state: 'OK' });
      }
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.plugins?.update(DECISION_LOGS_PLUGIN, {
          state: 'ERROR',
          message: `cannot write decision logs: ${(error as Error)?.message ?? String(error)}`,
        });
      }
    }
  }
}
