/**
 * prom-client's README examples (15.1.3), each with `require('prom-client')` changed to
 * `require('zerotel/prom-client')` and nothing else. Each runs twice: against zerotel/prom-client, and
 * against prom-client itself for reference; the two registries must then hold the same samples.
 * Stand-ins are given for what the README leaves undefined (`somethingAsync`, `xhrRequest`, `http.get`,
 * the bare `startTimer`), and a first line creates the metric that a block takes from an earlier one. Not run: the Pushgateway block (it does not parse: `}));`, and it talks to a
 * fixed port; test/compat/pushgateway.test.ts covers it) and `register.clusterMetrics()` (cluster.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as prom from 'prom-client';
import * as compat from '../../lib/compat/prom-client/index.js';
import { parseSamples, sortedEntries } from './samples.js';

type Lib = any;
type Example = (require: (id: string) => Lib) => unknown;

// Stand-ins for the README's undefined helpers.
const somethingAsync = async (): Promise<number> => 42;
const xhrRequest = (cb: (err: Error | null, res: unknown) => void): void => cb(null, {});
const http = { get: (_url: string, cb: (res: unknown) => void) => cb({}), Agent: class {} };
let gauge: any;
let histogram: any;
let summary: any;
let startTimer: any;

const EXAMPLES: Record<string, Example> = {
  'default metrics in a registry': (require) => {
    const client = require('zerotel/prom-client');
    const collectDefaultMetrics = client.collectDefaultMetrics;
    const Registry = client.Registry;
    const register = new Registry();
    collectDefaultMetrics({ register });
    return register;
  },
  'default metrics, gc buckets': (require) => {
    const client = require('zerotel/prom-client');
    const collectDefaultMetrics = client.collectDefaultMetrics;
    collectDefaultMetrics({ gcDurationBuckets: [0.1, 0.2, 0.3] });
  },
  'default metrics, prefix': (require) => {
    const client = require('zerotel/prom-client');
    const collectDefaultMetrics = client.collectDefaultMetrics;
    const prefix = 'my_application_';
    collectDefaultMetrics({ prefix });
  },
  'default metrics, labels': (require) => {
    const client = require('zerotel/prom-client');
    const collectDefaultMetrics = client.collectDefaultMetrics;
    collectDefaultMetrics({
      labels: { NODE_APP_INSTANCE: process.env.NODE_APP_INSTANCE },
    });
  },
  'default metrics': (require) => {
    const client = require('zerotel/prom-client');

    const collectDefaultMetrics = client.collectDefaultMetrics;

    collectDefaultMetrics();
  },
  counter: (require) => {
    const client = require('zerotel/prom-client');
    const counter = new client.Counter({
      name: 'metric_name',
      help: 'metric_help',
    });
    counter.inc(); // Increment by 1
    counter.inc(10); // Increment by 10
  },
  gauge: (require) => {
    const client = require('zerotel/prom-client');
    const gauge = new client.Gauge({ name: 'metric_name', help: 'metric_help' });
    gauge.set(10); // Set to 10
    gauge.inc(); // Increment 1
    gauge.inc(10); // Increment 10
    gauge.dec(); // Decrement by 1
    gauge.dec(10); // Decrement by 10
  },
  'gauge with collect': (require) => {
    const client = require('zerotel/prom-client');
    new client.Gauge({
      name: 'metric_name',
      help: 'metric_help',
      collect() {
        // Invoked when the registry collects its metrics' values.
        // This can be synchronous or it can return a promise/be an async function.
        this.set(/* the current value */);
      },
    });
  },
  'gauge with async collect': (require) => {
    // Async version:
    const client = require('zerotel/prom-client');
    new client.Gauge({
      name: 'metric_name',
      help: 'metric_help',
      async collect() {
        // Invoked when the registry collects its metrics' values.
        const currentValue = await somethingAsync();
        this.set(currentValue);
      },
    });
  },
  'gauge timer': (require) => {
    gauge = new (require('zerotel/prom-client').Gauge)({ name: 'metric_name', help: 'metric_help' });
    // Set value to current time in seconds:
    gauge.setToCurrentTime();

    // Record durations:
    const end = gauge.startTimer();
    http.get('url', (res) => {
      end();
    });
  },
  'histogram buckets': (require) => {
    const client = require('zerotel/prom-client');
    new client.Histogram({
      name: 'metric_name',
      help: 'metric_help',
      buckets: [0.1, 5, 15, 50, 100, 500],
    });
  },
  'histogram observe': (require) => {
    const client = require('zerotel/prom-client');
    const histogram = new client.Histogram({
      name: 'metric_name',
      help: 'metric_help',
    });
    histogram.observe(10); // Observe value in histogram
  },
  'histogram timer': (require) => {
    histogram = new (require('zerotel/prom-client').Histogram)({ name: 'metric_name', help: 'metric_help' });
    const end = histogram.startTimer();
    xhrRequest((err, res) => {
      const seconds = end(); // Observes and returns the value to xhrRequests duration in seconds
    });
  },
  'summary percentiles': (require) => {
    const client = require('zerotel/prom-client');
    new client.Summary({
      name: 'metric_name',
      help: 'metric_help',
      percentiles: [0.01, 0.1, 0.9, 0.99],
    });
  },
  'summary window': (require) => {
    const client = require('zerotel/prom-client');
    new client.Summary({
      name: 'metric_name',
      help: 'metric_help',
      maxAgeSeconds: 600,
      ageBuckets: 5,
      pruneAgedBuckets: false,
    });
  },
  'summary observe': (require) => {
    const client = require('zerotel/prom-client');
    const summary = new client.Summary({
      name: 'metric_name',
      help: 'metric_help',
    });
    summary.observe(10);
  },
  'summary timer': (require) => {
    summary = new (require('zerotel/prom-client').Summary)({ name: 'metric_name', help: 'metric_help' });
    const end = summary.startTimer();
    xhrRequest((err, res) => {
      end(); // Observes the value to xhrRequests duration in seconds
    });
  },
  labels: (require) => {
    const client = require('zerotel/prom-client');
    const gauge = new client.Gauge({
      name: 'metric_name',
      help: 'metric_help',
      labelNames: ['method', 'statusCode'],
    });

    // 1st version: Set value to 100 with "method" set to "GET" and "statusCode" to "200"
    gauge.set({ method: 'GET', statusCode: '200' }, 100);
    // 2nd version: Same effect as above
    gauge.labels({ method: 'GET', statusCode: '200' }).set(100);
    // 3rd version: And again the same effect as above
    gauge.labels('GET', '200').set(100);
  },
  'timer with labels at the end': (require) => {
    const g = new (require('zerotel/prom-client').Gauge)({
      name: 'metric_name',
      help: 'metric_help',
      labelNames: ['method', 'statusCode'],
    });
    startTimer = g.startTimer.bind(g);
    const end = startTimer({ method: 'GET' }); // Set method to GET, we don't know statusCode yet
    xhrRequest((err, res) => {
      if (err) {
        end({ statusCode: '500' }); // Sets value to xhrRequest duration in seconds with statusCode 500
      } else {
        end({ statusCode: '200' }); // Sets value to xhrRequest duration in seconds with statusCode 200
      }
    });
  },
  'default labels': (require) => {
    const client = require('zerotel/prom-client');
    new client.Counter({ name: 'metric_name', help: 'metric_help' }).inc();
    const defaultLabels = { serviceName: 'api-v1' };
    client.register.setDefaultLabels(defaultLabels);
  },
  'registry type': (require) => {
    const Prometheus = require('zerotel/prom-client');
    Prometheus.register.setContentType(Prometheus.Registry.OPENMETRICS_CONTENT_TYPE);
    new Prometheus.Counter({ name: 'metric_name_total', help: 'metric_help' }).inc();
  },
  'registries and merge': (require) => {
    const client = require('zerotel/prom-client');
    const registry = new client.Registry();
    const counter = new client.Counter({
      name: 'metric_name',
      help: 'metric_help',
      registers: [registry], // specify a non-default registry
    });
    const histogram = new client.Histogram({
      name: 'metric_name',
      help: 'metric_help',
      registers: [], // don't automatically register this metric
    });
    registry.registerMetric(histogram); // register metric manually
    counter.inc();

    const mergedRegistries = client.Registry.merge([registry, client.register]);
    return mergedRegistries;
  },
  'aggregator registries': (require) => {
    const client = require('zerotel/prom-client');
    const registry = new client.Registry();
    const [registry1, registry2] = [registry, new client.Registry()];
    const AggregatorRegistry = client.AggregatorRegistry;
    AggregatorRegistry.setRegistries(registry);
    // or for multiple registries:
    AggregatorRegistry.setRegistries([registry1, registry2]);
    AggregatorRegistry.setRegistries(client.register);
  },
  'bucket generators': (require) => {
    const client = require('zerotel/prom-client');
    new client.Histogram({
      name: 'metric_name',
      help: 'metric_help',
      buckets: client.linearBuckets(0, 10, 20), //Create 20 buckets, starting on 0 and a width of 10
      registers: [new client.Registry()],
    });

    new client.Histogram({
      name: 'metric_name',
      help: 'metric_help',
      buckets: client.exponentialBuckets(1, 2, 5), //Create 5 buckets, starting on 1 and with a factor of 2
    });
  },
};

/** Samples that do not depend on time or on the process (timers, clocks, runtime values). */
function stable(text: string, example: string): [string, number][] {
  return sortedEntries(parseSamples(text)).filter(
    ([k]) =>
      !/^(my_application_)?(process_|nodejs_)/.test(k) &&
      // Quantiles: t-digest there, client_golang's stream here (and NaN, not 0, when empty).
      !k.includes('quantile=') &&
      // Timers measure real time.
      !(/timer/.test(example) && /^metric_name(_sum)?\{/.test(k)),
  );
}

/**
 * Examples that fail in prom-client itself, and must fail alike here: the placeholder collect callback
 * calls set() with no value; the registries example registers two metrics named metric_name in one registry.
 */
const EXPECTED_ERRORS: Record<string, RegExp> = {
  'gauge with collect': /^TypeError: Value is not a valid number: undefined$/,
  'registries and merge': /^Error: A metric with the name metric_name has already been registered\.$/,
};

async function run(name: string, lib: Lib): Promise<{ text: string; returned: unknown }> {
  lib.register.clear();
  lib.register.setContentType(lib.Registry.PROMETHEUS_CONTENT_TYPE);
  try {
    // Awaited inside the try, so a synchronous throw of the example becomes a rejection.
    return await (async () => runExample(name, lib))();
  } finally {
    lib.register.clear();
  }
}

async function runExample(name: string, lib: Lib): Promise<{ text: string; returned: unknown }> {
  const returned = EXAMPLES[name]!((id) => {
    assert.equal(id, 'zerotel/prom-client');
    return lib;
  });
  const registry = returned instanceof lib.Registry ? returned : lib.register;
  const text = await registry.metrics();
  return { text, returned };
}

describe("prom-client's README examples through zerotel/prom-client", () => {
  for (const name of Object.keys(EXAMPLES)) {
    it(name, async () => {
      const error = EXPECTED_ERRORS[name];
      if (error !== undefined) {
        await assert.rejects(run(name, prom), error);
        await assert.rejects(run(name, compat), error);
        return;
      }
      const z = await run(name, compat);
      const p = await run(name, prom);
      assert.deepEqual(stable(z.text, name), stable(p.text, name));
      if (/default metrics/.test(name))
        assert.match(z.text, /^(my_application_)?process_cpu_user_seconds_total(\{[^}]*\})? \S+$/m);
    });
  }
});
