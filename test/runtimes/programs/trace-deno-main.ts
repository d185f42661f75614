/** Spans from Deno to the receiver, with network access to 127.0.0.1 only; the report on stdout. */
import { sendSpans, type TraceRun } from './trace-suite.js';

declare const Deno: {
  readonly args: readonly string[];
  readonly stdout: { readonly writable: WritableStream<Uint8Array> };
};

const [endpoint, protocol] = Deno.args as [string, TraceRun['protocol']];
const writer = Deno.stdout.writable.getWriter();
await writer.write(new TextEncoder().encode(JSON.stringify(await sendSpans({ endpoint, protocol, runtime: 'deno' }))));
await writer.close();
