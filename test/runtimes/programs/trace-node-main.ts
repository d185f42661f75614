/** Spans from Node to the receiver: `node trace-node-main.js ENDPOINT PROTOCOL`; the report on stdout. */
import { sendSpans, type TraceRun } from './trace-suite.js';

const [endpoint, protocol] = process.argv.slice(2) as [string, TraceRun['protocol']];
process.stdout.write(JSON.stringify(await sendSpans({ endpoint, protocol, runtime: 'node' })));
