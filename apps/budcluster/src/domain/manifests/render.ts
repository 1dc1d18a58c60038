import type { JobModel } from '../job-model';
import { renderBatchWorkload } from './batch-workload';
import { renderHelmRelease } from './helm-release';
import { renderServiceWorkload } from './service-workload';
import type { KubernetesObject, RenderOptions } from './types';

/** Every Kubernetes object a job needs, in apply order (claims and sources before what uses them). */
export function renderManifests(job: JobModel, options: RenderOptions): KubernetesObject[] {
  if (job.spec.kind === 'helm') return renderHelmRelease(job, job.spec, options);
  switch (job.jobType) {
    case 'service':
      return renderServiceWorkload(job, options);
    case 'batch':
    case 'training':
      return renderBatchWorkload(job, options);
    default: {
      const unreachable: never = job.jobType;
      throw new Error(`unknown job type ${String(unreachable)}`);
    }
  }
}
