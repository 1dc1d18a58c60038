import type { JobSpec } from '@bud/contracts';
import type { JobModel } from '../../src/domain/job-model';
import { jobResourceName } from '../../src/domain/object-names';

export const JOB_ID = '0b6f7f5e-3f4c-4d8e-9a61-1c2b3d4e5f60';

/**
 * The one JobModel builder of budcluster's specs: a running CPU container service; specs override what they test.
 * Its objects are named as a new job's are (`<name>-<8 hex of the id>`); pass `resourceName` for a job from before.
 */
export function makeJob(
  overrides: Partial<JobModel> = {},
  spec: JobSpec = { kind: 'container', image: 'ghcr.io/acme/api:1.4.2', env: {}, ports: [{ port: 8080, protocol: 'TCP' }] },
): JobModel {
  return {
    id: JOB_ID,
    name: 'chat-api',
    clusterId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    tenantId: '7d1e6a2b-8c9f-4e3d-b2a1-0f9e8d7c6b5a',
    projectId: null,
    jobType: 'service',
    sourceType: 'direct',
    usecaseDeploymentId: null,
    spec,
    resources: { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 },
    policy: { preemptible: false, max_retries: 3, retry_delay_seconds: 30, readiness_timeout_seconds: 600, scale_to_zero: false },
    priorityClass: 'normal',
    labels: {},
    annotations: {},
    namespace: 'tenant-7d1e6a2b',
    resourceName: jobResourceName(overrides.id ?? JOB_ID, overrides.name ?? 'chat-api', spec),
    status: 'running',
    secretEnvSealed: null,
    generation: 1,
    ...overrides,
  };
}
