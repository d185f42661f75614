/**
 * A worker that does one thing per request and answers its report: `POST PATH` with the run as JSON. A
 * failure answers 500 with its stack, for the test's message.
 */
export function reportingWorker<Run>(
  path: string,
  act: (run: Run) => Promise<unknown>,
): { fetch(request: Request): Promise<Response> } {
  return {
    async fetch(request: Request): Promise<Response> {
      if (new URL(request.url).pathname !== path || request.method !== 'POST') {
        return new Response(`POST ${path} only\n`, { status: 404 });
      }
      try {
        const report = await act((await request.json()) as Run);
        return new Response(JSON.stringify(report), { headers: { 'Content-Type': 'application/json' } });
      } catch (error) {
        return new Response(`${(error as Error).stack ?? String(error)}\n`, { status: 500 });
      }
    },
  };
}
