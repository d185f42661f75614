/**
 * prom-client's README TypeScript example, with the import changed and nothing else: label names given
 * `as const` are enforced by the compiler (`npx tsc --noEmit -p .` checks the @ts-expect-error line),
 * and the calls work at run time.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as client from '../../lib/compat/prom-client/index.js';

it('enforces label names given as const, as prom-client’s types do', async () => {
  client.register.clear();
  const counter = new client.Counter({
    name: 'metric_name',
    help: 'metric_help',
    // add `as const` here to enforce label names
    labelNames: ['method'] as const,
  });

  // Ok
  counter.inc({ method: 1 });

  // this is an error since `'methods'` is not a valid `labelName`
  assert.throws(
    // @ts-expect-error
    () => counter.inc({ methods: 1 }),
    /Added label "methods" is not included in initial labelset: \[ 'method' \]/,
  );

  assert.equal(
    await client.register.metrics(),
    '# HELP metric_name metric_help\n# TYPE metric_name counter\nmetric_name{method="1"} 1\n',
  );
  client.register.clear();
});

it('names the types prom-client’s index.d.ts names', async () => {
  const registry = new client.Registry<client.OpenMetricsContentType>(client.Registry.OPENMETRICS_CONTENT_TYPE);
  const histogram: client.Histogram<'route'> = new client.Histogram({
    name: 'typed_seconds',
    help: 'Typed.',
    labelNames: ['route'],
    registers: [registry],
  });
  const child: client.Histogram.Internal<'route'> = histogram.labels({ route: '/' });
  child.observe(1);
  const labels: client.LabelValues<'route'> = { route: '/x' };
  histogram.observe(labels, 2);
  const metric: client.Metric<'route'> | undefined = registry.getSingleMetric<'route'>('typed_seconds');
  const values: client.MetricObjectWithValues<client.MetricValueWithName<'route'>> = await histogram.get();
  const params: client.Pushgateway.Parameters = { jobName: 'j', groupings: { a: 'b' } };
  const aggregator: client.Aggregator = 'sum';
  const config: client.DefaultMetricsCollectorConfiguration<client.OpenMetricsContentType> = {
    register: registry,
    prefix: 'x_',
  };
  const contentType: client.RegistryContentType = registry.contentType;
  assert.equal(metric, histogram);
  assert.equal(values.values.length, 2 * (histogram.upperBounds.length + 3));
  assert.deepEqual(
    [params.jobName, aggregator, config.prefix, contentType],
    ['j', 'sum', 'x_', client.openMetricsContentType],
  );
  assert.equal(client.MetricType.Histogram, 2);
});
