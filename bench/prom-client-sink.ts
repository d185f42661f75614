/** A workload sink that records into a prom-client registry, the peer every zerotel figure is compared with. */
import * as prom from 'prom-client';
import { promApiSink } from './prom-api-sink.js';
import type { WorkloadSink } from './workloads.js';

export function promClientSink(registry: prom.Registry): WorkloadSink {
  return promApiSink(prom, registry);
}
