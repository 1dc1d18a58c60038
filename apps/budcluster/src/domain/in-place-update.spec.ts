import type { ContainerSpec, HelmSpec, JobPolicy, JobResources } from '@bud/contracts';
import { inPlaceUpdateIssues, rolloutOverdue } from './in-place-update';

const resources: JobResources = { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 };
const redis: ContainerSpec = {
  kind: 'container',
  image: 'redis:7',
  env: {},
  ports: [],
  volumes: [{ name: 'data', size: '1Gi', mount_path: '/data' }],
};
const service = { jobType: 'service' as const, spec: redis, resources };

describe('inPlaceUpdateIssues (docs/design.md#in-place-update)', () => {
  it('accepts a new image, env and replicas', () => {
    expect(inPlaceUpdateIssues(service, { ...redis, image: 'redis:7.2', env: { A: '1' } }, { ...resources, replicas: 3 })).toEqual([]);
  });

  it('names what cannot change in place', () => {
    expect(inPlaceUpdateIssues({ ...service, jobType: 'batch' }, { ...redis, image: 'redis:8' }, resources)).toEqual([
      { path: 'spec', message: 'only service jobs change in place' },
    ]);
    expect(inPlaceUpdateIssues({ ...service, jobType: 'batch' }, redis, { ...resources, replicas: 2 })[0]?.path).toBe('resources');
    expect(inPlaceUpdateIssues(service, { kind: 'model', engine: 'vllm', model_id: 'a/b' }, resources)[0]?.path).toBe('spec.kind');
    const moved = { ...redis, volumes: [{ name: 'data', size: '2Gi', mount_path: '/var/data' }] };
    expect(inPlaceUpdateIssues(service, moved, resources).map((i) => i.path)).toEqual([
      'spec.volumes[0].size',
      'spec.volumes[0].mount_path',
    ]);
    expect(inPlaceUpdateIssues(service, redis, { ...resources, storage: '5Gi' })[0]?.path).toBe('resources.storage');
  });

  it('refuses a helm release rename', () => {
    const helm: HelmSpec = { kind: 'helm', chart_ref: 'oci://r/c', chart_version: '1.0.0', release_name: 'a', values: {} };
    expect(inPlaceUpdateIssues({ ...service, spec: helm }, { ...helm, release_name: 'b' }, resources)[0]?.path).toBe('spec.release_name');
  });
});

describe('rolloutOverdue', () => {
  const policy = { readiness_timeout_seconds: 10 } as JobPolicy;
  const job = { status: 'running' as const, generation: 2, observedGeneration: 1, rolloutStartedAt: new Date(1_000), policy };
  it('is true only past the readiness timeout of an unfinished rollout of an active job', () => {
    expect(rolloutOverdue(job, 11_000)).toBe(false);
    expect(rolloutOverdue(job, 11_001)).toBe(true);
    expect(rolloutOverdue({ ...job, observedGeneration: 2 }, 60_000)).toBe(false);
    expect(rolloutOverdue({ ...job, rolloutStartedAt: null }, 60_000)).toBe(false);
    expect(rolloutOverdue({ ...job, status: 'cancelled' }, 60_000)).toBe(false);
  });
});
