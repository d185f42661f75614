/**
 * Spans from a workerd worker: `POST /trace` with a TraceRun as JSON answers the report. Without
 * compatibility flags the context is passed explicitly; trace-worker-als.ts hands over AsyncLocalStorage.
 */
import { reportingWorker } from './reporting-worker.js';
import { sendSpans } from './trace-suite.js';

export default reportingWorker('/trace', sendSpans);
