// `npm run test:fast`: the engine, exposition, conformance, tracing and encoders, with no external peer (no
// Go, Python, Prometheus, promtool, Pushgateway or other runtime), for a quick check while working.
// The full `npm test` runs everything.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const FOLDERS = [
  'test/metrics',
  'test/exposition',
  'test/protobuf',
  'test/conformance',
  'test/trace',
  'test/otlp',
  'test/push',
];
// Tests that need a peer outside Node, or that load the network stack heavily.
const NEEDS_PEER = new Set([
  'test/conformance/fuzz.test.ts',
  'test/trace/w3c-trace-context.test.ts',
  'test/push/remote-write.test.ts',
  'test/push/pushgateway.test.ts',
]);
const OTLP_FAST = new Set([
  'test/otlp/encode.test.ts',
  'test/otlp/span-encoder.test.ts',
  'test/otlp/metrics-encode.test.ts',
  'test/otlp/decode-response.test.ts',
]);

const files = FOLDERS.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `${dir}/${f}`),
)
  .filter((f) => !NEEDS_PEER.has(f))
  .filter((f) => !f.startsWith('test/otlp/') || OTLP_FAST.has(f))
  .sort();
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
