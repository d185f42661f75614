/**
 * Spans from a workerd worker: `POST /trace` with a TraceRun as JSON answers the report. Without
 * compatibility flags the context is passed explicitly; trace-worker-als.ts hands over AsyncLocalStorage.
 */
import { sendSpans, type TraceRun } from './trace-suite.js';

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== '/trace' || request.method !== 'POST') {
      return new Response('POST /trace only\n', { status: 404 });
    }
    try {
      const report = await sendSpans((await request.json()) as TraceRun);
      return new Response(JSON.stringify(report), { headers: { 'Content-Type': 'application/json' } });
    } catch (error) {
      return new Response(`${(error as Error).stack ?? String(error)}\n`, { status: 500 });
    }
  },
};
