/** Spans from Bun to the receiver: `bun trace-bun-main.js ENDPOINT PROTOCOL`; the report on stdout. */
import { sendSpans, type TraceRun } from './trace-suite.js';

declare const Bun: {
  readonly argv: readonly string[];
  readonly stdout: unknown;
  write(to: unknown, data: string): Promise<number>;
};

const [endpoint, protocol] = Bun.argv.slice(2) as [string, TraceRun['protocol']];
await Bun.write(Bun.stdout, JSON.stringify(await sendSpans({ endpoint, protocol, runtime: 'bun' })));
