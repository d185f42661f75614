/** The suite under Bun, with Bun's own I/O: fixtures on stdin, results on stdout (see suite.ts). */
import { runSuite, type SuiteInput } from './suite.js';

declare const Bun: {
  readonly stdin: { text(): Promise<string> };
  readonly stdout: unknown;
  write(destination: unknown, data: Uint8Array): Promise<number>;
};

await Bun.write(Bun.stdout, runSuite(JSON.parse(await Bun.stdin.text()) as SuiteInput));
