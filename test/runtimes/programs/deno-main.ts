/** The suite under Deno, with Deno's own I/O and no permission: fixtures on stdin, results on stdout. */
import { runSuite, type SuiteInput } from './suite.js';

declare const Deno: {
  readonly stdin: { readonly readable: ReadableStream<Uint8Array> };
  readonly stdout: { readonly writable: WritableStream<Uint8Array> };
};

const input = JSON.parse(await new Response(Deno.stdin.readable).text()) as SuiteInput;
const writer = Deno.stdout.writable.getWriter();
await writer.write(runSuite(input));
await writer.close();
