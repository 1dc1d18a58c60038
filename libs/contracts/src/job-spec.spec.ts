import { jobResourcesSchema, jobSpecSchema, mergeResources, patchJobRequestSchema } from './job';

const container = (volumes: unknown[]) => ({ kind: 'container', image: 'redis:7', volumes });
const issuePaths = (value: unknown) => (jobSpecSchema.safeParse(value).error?.issues ?? []).map((issue) => issue.path.join('.'));

describe('container volumes', () => {
  it('accepts distinct names and mount paths', () => {
    expect(
      issuePaths(
        container([
          { name: 'a', mount_path: '/a', size: '1Gi' },
          { name: 'b', mount_path: '/b', size: '1Gi' },
        ]),
      ),
    ).toEqual([]);
  });

  it('names a repeated volume name and a repeated mount path by index', () => {
    expect(
      issuePaths(
        container([
          { name: 'a', mount_path: '/d', size: '1Gi' },
          { name: 'a', mount_path: '/e', size: '2Gi' },
          { name: 'c', mount_path: '/d', size: '1Gi' },
        ]),
      ),
    ).toEqual(['volumes.1.name', 'volumes.2.mount_path']);
  });
});

describe('resources as a merge patch', () => {
  const current = jobResourcesSchema.parse({
    gpu_type: 'A100-80GB',
    gpu_count: 2,
    cpu_request: '4',
    cpu_limit: '8',
    memory_request: '32Gi',
  });

  it('fills in no defaults for the fields a patch leaves out', () => {
    expect(patchJobRequestSchema.parse({ resources: { replicas: 3 } }).resources).toEqual({ replicas: 3 });
  });

  it('keeps what the patch does not name, sets what it names, and removes what it sets to null', () => {
    expect(mergeResources(current, { replicas: 3, cpu_limit: null })).toEqual({
      gpu_type: 'A100-80GB',
      gpu_count: 2,
      cpu_request: '4',
      memory_request: '32Gi',
      replicas: 3,
    });
  });

  it('leaves the cross-field rule to the merged result', () => {
    const merged = jobResourcesSchema.safeParse(mergeResources(current, { gpu_type: null }));
    expect(merged.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['gpu_type']);
  });
});
