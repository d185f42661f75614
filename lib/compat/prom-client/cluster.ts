/**
 * prom-client's AggregatorRegistry: in the primary, `clusterMetrics()` asks every worker for its metrics
 * and aggregates them per metric with its `aggregator`; in a worker, constructing one answers those
 * requests. zerotel's workers answer with compact snapshots under their own message types, so a zerotel
 * primary aggregates zerotel workers (prom-client workers answer prom-client's messages only).
 */
import cluster from 'node:cluster';
import { aggregators } from './aggregators.js';
import { aggregateFamilies, encodeFamilies, type WireFamily } from './cluster-wire.js';
import type { JsonMetric } from './json.js';
import { Registry } from './registry.js';
import { PROMETHEUS_CONTENT_TYPE, type RegistryContentType } from './types.js';

const GET_METRICS_REQ = 'zerotel:prom-client:getMetricsReq';
const GET_METRICS_RES = 'zerotel:prom-client:getMetricsRes';
/** prom-client's limit on waiting for every worker. */
const TIMEOUT_MS = 5000;

interface Request {
  readonly responses: WireFamily[][];
  pending: number;
  readonly done: (error: Error | null, result?: string) => void;
  readonly timer: NodeJS.Timeout;
  readonly format: (families: ReturnType<typeof aggregateFamilies>) => string;
}

interface Message {
  type?: unknown;
  requestId?: number;
  error?: string;
  families?: WireFamily[][];
}

let registries: Registry<any>[] = [Registry.globalRegistry];
let requestCounter = 0;
let listenersAdded = false;
const requests = new Map<number, Request>();

export class AggregatorRegistry<T extends RegistryContentType = any> extends Registry<T> {
  constructor(regContentType: T = PROMETHEUS_CONTENT_TYPE as T) {
    super(regContentType);
    addListeners();
  }

  /** The metrics of every connected worker, aggregated; '' when no worker is up. */
  clusterMetrics(): Promise<string> {
    const requestId = requestCounter++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (error: Error | null, result?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(request.timer);
        requests.delete(requestId);
        if (error) reject(error);
        else resolve(result!);
      };
      const request: Request = {
        responses: [],
        pending: 0,
        done,
        timer: setTimeout(() => done(new Error('Operation timed out.')), TIMEOUT_MS),
        format: (families) => this.format(families),
      };
      requests.set(requestId, request);
      for (const worker of Object.values(cluster.workers ?? {})) {
        // A worker that exited abruptly may still be listed without being able to answer.
        if (worker?.isConnected()) {
          worker.send({ type: GET_METRICS_REQ, requestId });
          request.pending++;
        }
      }
      if (request.pending === 0) process.nextTick(() => done(null, ''));
    });
  }

  /**
   * A registry of the metrics (each as `registry.getMetricsAsJSON()` returned them) aggregated by name
   * with each metric's `aggregator`, as prom-client does.
   */
  static aggregate<T extends RegistryContentType>(
    metricsArr: Array<object>,
    registryType: T = PROMETHEUS_CONTENT_TYPE as T,
  ): Registry<T> {
    const registry = new Registry<T>(registryType);
    const byName = new Map<string, JsonMetric[]>();
    for (const metrics of metricsArr as JsonMetric[][]) {
      for (const metric of metrics) {
        const list = byName.get(metric.name);
        if (list === undefined) byName.set(metric.name, [metric]);
        else list.push(metric);
      }
    }
    for (const metrics of byName.values()) {
      const name = metrics[0]!.aggregator;
      const fn = aggregators[name];
      if (typeof fn !== 'function') throw new Error(`'${name}' is not a defined aggregator.`);
      const aggregated = fn(metrics);
      if (aggregated !== undefined) registry.registerMetric({ ...aggregated, get: () => aggregated });
    }
    return registry;
  }

  /** The registries a worker reports (the global registry unless set). */
  static setRegistries(regs: Registry<any>[] | Registry<any>): void {
    const list = Array.isArray(regs) ? regs : [regs];
    for (const reg of list) {
      if (!(reg instanceof Registry)) throw new TypeError(`Expected Registry, got ${typeof reg}`);
    }
    registries = list;
  }
}

/** Installs the primary's and the worker's listeners once per process. */
function addListeners(): void {
  if (listenersAdded) return;
  listenersAdded = true;
  if (cluster.isPrimary) {
    cluster.on('message', (_worker, message: Message) => {
      if (message?.type !== GET_METRICS_RES) return;
      const request = requests.get(message.requestId!);
      if (request === undefined) return;
      if (message.error !== undefined) return request.done(new Error(message.error));
      for (const families of message.families ?? []) request.responses.push(families);
      if (--request.pending > 0) return;
      try {
        request.done(null, request.format(aggregateFamilies(request.responses)));
      } catch (error) {
        request.done(error as Error);
      }
    });
  }
  if (cluster.isWorker) {
    process.on('message', (message: Message) => {
      if (message?.type !== GET_METRICS_REQ) return;
      Promise.all(registries.map(async (r) => encodeFamilies(await r.gather(), (name) => r.aggregatorOf(name))))
        .then((families) => process.send!({ type: GET_METRICS_RES, requestId: message.requestId, families }))
        .catch((error: Error) =>
          process.send!({ type: GET_METRICS_RES, requestId: message.requestId, error: error.message }),
        );
    });
  }
}
