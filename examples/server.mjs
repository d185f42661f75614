// The OPA-shaped reference server from code, on a port of the system's choosing. Run: node examples/server.mjs
import { createReferenceServer } from 'zerotel/opa';

const server = createReferenceServer();
const { port } = await server.listen(0, '127.0.0.1');
const base = `http://127.0.0.1:${port}`;
await fetch(`${base}/v1/data/servers`, { method: 'PUT', body: JSON.stringify([{ id: 's1' }]) });
console.log(await (await fetch(`${base}/v1/data/servers`)).text());
console.log(
  (await (await fetch(`${base}/metrics`)).text()).match(/^http_request_duration_seconds_count.*$/gm).join('\n'),
);
await server.shutdown();
