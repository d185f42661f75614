/** Metrics from a workerd worker without compatibility flags: `POST /push` with a MetricPushRun as JSON answers the report. */
import { pushMetrics } from './metric-push-suite.js';
import { reportingWorker } from './reporting-worker.js';

export default reportingWorker('/push', pushMetrics);
