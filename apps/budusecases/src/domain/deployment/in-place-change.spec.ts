import type { CreateJobRequest } from '@bud/contracts';
import { inPlaceChangeIssues } from './in-place-change';

type Job = Pick<CreateJobRequest, 'spec' | 'resources'>;
const container = (volumes: unknown[] = [], storage?: string): Job =>
  ({
    spec: { kind: 'container', image: 'redis:7', env: {}, volumes },
    resources: { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1, ...(storage ? { storage } : {}) },
  }) as unknown as Job;

describe('what a running job cannot change in place (docs/design.md#in-place-update)', () => {
  it('allows env, replicas and new volumes', () => {
    const before = container([{ name: 'data', size: '5Gi', mount_path: '/data' }], '5Gi');
    const after = container(
      [
        { name: 'data', size: '5Gi', mount_path: '/data' },
        { name: 'cache', size: '1Gi', mount_path: '/cache' },
      ],
      '5Gi',
    );
    expect(inPlaceChangeIssues('db', before, { ...after, resources: { ...after.resources, replicas: 3 } })).toEqual([]);
  });

  it('refuses a resized or moved claim, a storage change and another kind, naming the component', () => {
    const before = container([{ name: 'data', size: '5Gi', mount_path: '/data' }], '5Gi');
    expect(
      inPlaceChangeIssues('db', before, container([{ name: 'data', size: '10Gi', mount_path: '/var' }], '10Gi')).map((i) => i.path),
    ).toEqual(['components.db.spec.volumes[0].size', 'components.db.spec.volumes[0].mount_path', 'components.db.resources.storage']);
    const helm = { ...before, spec: { kind: 'helm', chart_ref: 'charts/x', values: {} } } as unknown as Job;
    expect(inPlaceChangeIssues('db', before, helm)).toEqual([
      { path: 'components.db.spec.kind', message: "cannot change in place from 'container' to 'helm'" },
    ]);
  });
});
