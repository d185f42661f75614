/**
 * Metrics from Node, Bun or Deno to the receiver: `RUNTIME... metric-push-main.js ENDPOINT PROTOCOL NAME`,
 * NAME recorded as the run's `zerotel.runtime`; the report on stdout.
 */
import { type MetricPushRun, pushMetrics } from './metric-push-suite.js';
import { printReport, programArgs } from './report-io.js';

const [endpoint, protocol, runtime] = programArgs() as [string, MetricPushRun['protocol'], string];
await printReport(await pushMetrics({ endpoint, protocol, runtime }));
