// The same from CommonJS: require() loads a real CommonJS build. Run: node examples/metrics.cjs
const { Gauge, Registry, writeText } = require('zerotel');

const registry = new Registry();
const queue = new Gauge({ name: 'jobs_queued', help: 'Jobs waiting.', registers: [registry] });
queue.set(3);
queue.dec();
process.stdout.write(writeText(registry.collect()));
