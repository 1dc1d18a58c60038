import type { JobOutputs } from '@bud/contracts';
import type { JobModel } from '../job-model';
import { truncateDnsLabel } from './labels';
import { containerFor } from './pod-template';

/**
 * Service names must start with a letter (RFC 1035). A job's resource name already does (domain/object-names.ts);
 * a job created before resource names carries its plain name, which may start with a digit.
 */
export function serviceName(job: JobModel): string {
  return /^[a-z]/.test(job.resourceName) ? job.resourceName : truncateDnsLabel(`j-${job.resourceName}`);
}

/** Helm release names are capped at 53 characters by Helm itself; a release_name the spec gives is kept. */
export function releaseName(job: JobModel): string {
  return job.spec.kind === 'helm' && job.spec.release_name ? job.spec.release_name : truncateDnsLabel(job.resourceName, 53);
}

// Charts choose their own ports; `service.port` is the near-universal chart convention for the main one.
function chartServicePort(values: Record<string, unknown>): number | undefined {
  const service = values['service'];
  if (service === null || typeof service !== 'object' || Array.isArray(service)) return undefined;
  const port = (service as Record<string, unknown>)['port'];
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
}

/** What a dependent component needs to reach a SERVICE job; empty for batch and training jobs. */
export function serviceOutputs(job: JobModel): JobOutputs {
  if (job.jobType !== 'service') return {};
  const service = job.spec.kind === 'helm' ? releaseName(job) : serviceName(job);
  const port = job.spec.kind === 'helm' ? chartServicePort(job.spec.values) : containerFor(job).ports[0]?.port;
  const host = `${service}.${job.namespace}.svc.cluster.local`;
  return { service, namespace: job.namespace, host, ...(port !== undefined ? { port, url: `http://${host}:${port}` } : {}) };
}
