/**
 * Spans from Node, Bun or Deno to the receiver: `RUNTIME... trace-main.js ENDPOINT PROTOCOL NAME`, NAME
 * recorded as the run's `zerotel.runtime`; the report on stdout.
 */
import { printReport, programArgs } from './report-io.js';
import { sendSpans, type TraceRun } from './trace-suite.js';

const [endpoint, protocol, runtime] = programArgs() as [string, TraceRun['protocol'], string];
await printReport(await sendSpans({ endpoint, protocol, runtime }));
