/** prom-client's Pushgateway class, over zerotel's one Pushgateway client (lib/push). */
import type http from 'node:http';
import { pushToGateway, type PushMethod } from '../../push/pushgateway.js';
import { Registry } from './registry.js';
import type { RegistryContentType } from './types.js';

export declare namespace Pushgateway {
  interface Parameters {
    jobName: string;
    groupings?: { [key: string]: string };
  }
}

export class Pushgateway<T extends RegistryContentType = any> {
  readonly registry: Registry<T>;
  readonly requireJobName: boolean;
  readonly requestOptions: http.RequestOptions;

  /** `options` are node:http request options (agent, headers, timeout, auth...) plus `requireJobName`. */
  constructor(
    readonly gatewayUrl: string,
    options?: any,
    registry?: Registry<T>,
  ) {
    this.registry = registry ?? (Registry.globalRegistry as Registry<T>);
    const { requireJobName = true, ...requestOptions } = (options ?? {}) as {
      requireJobName?: boolean;
    } & http.RequestOptions;
    this.requireJobName = requireJobName;
    this.requestOptions = requestOptions;
  }

  /** POST: replaces the metrics of the same names in the group. */
  pushAdd(params: Pushgateway.Parameters): Promise<{ resp?: unknown; body?: unknown }> {
    return this.send('POST', params);
  }

  /** PUT: replaces every metric of the group. */
  push(params: Pushgateway.Parameters): Promise<{ resp?: unknown; body?: unknown }> {
    return this.send('PUT', params);
  }

  /** DELETE: removes the group. */
  delete(params: Pushgateway.Parameters): Promise<{ resp?: unknown; body?: unknown }> {
    return this.send('DELETE', params);
  }

  private send(
    method: PushMethod,
    params: Pushgateway.Parameters = { jobName: '' },
  ): Promise<{ resp?: unknown; body?: unknown }> {
    // Thrown, not rejected, as prom-client does.
    if (this.requireJobName && !params.jobName) throw new Error('Missing jobName parameter');
    const run = async () => {
      const body = method === 'DELETE' ? undefined : await this.registry.metrics();
      const { headers, ...rest } = this.requestOptions;
      const result = await pushToGateway({
        url: this.gatewayUrl,
        job: params.jobName,
        method,
        ...(params.groupings === undefined ? {} : { groupings: params.groupings }),
        ...(body === undefined ? {} : { body }),
        ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
        requestOptions: { ...rest, headers: { 'Content-Type': this.registry.contentType } },
      });
      return { resp: result.response, body: result.body };
    };
    return run();
  }
}
