/** The suite under Node: fixtures on stdin, results on stdout (see suite.ts). */
import { runSuite, type SuiteInput } from './suite.js';

const chunks: Uint8Array[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
process.stdout.write(runSuite(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SuiteInput));
