/**
 * A reporting program's arguments, and its JSON report on stdout, through the I/O of whichever runtime runs
 * it: Bun's and Deno's own where they are (Deno without permissions has no `process.argv` to rely on), Node's
 * otherwise.
 */
interface BunIo {
  readonly argv: readonly string[];
  readonly stdout: unknown;
  write(to: unknown, data: string): Promise<number>;
}
interface DenoIo {
  readonly args: readonly string[];
  readonly stdout: { readonly writable: WritableStream<Uint8Array> };
}
interface NodeIo {
  readonly argv: readonly string[];
  readonly stdout: { write(data: string, done: () => void): boolean };
}

const host = globalThis as { Bun?: BunIo; Deno?: DenoIo; process?: NodeIo };

/** The arguments after the program's name. */
export function programArgs(): readonly string[] {
  if (host.Bun !== undefined) return host.Bun.argv.slice(2);
  if (host.Deno !== undefined) return host.Deno.args;
  return host.process!.argv.slice(2);
}

/** Writes `report` as JSON on stdout and resolves once it is written. */
export async function printReport(report: unknown): Promise<void> {
  const json = JSON.stringify(report);
  if (host.Bun !== undefined) {
    await host.Bun.write(host.Bun.stdout, json);
  } else if (host.Deno !== undefined) {
    const writer = host.Deno.stdout.writable.getWriter();
    await writer.write(new TextEncoder().encode(json));
    await writer.close();
  } else {
    await new Promise<void>((resolve) => host.process!.stdout.write(json, resolve));
  }
}
