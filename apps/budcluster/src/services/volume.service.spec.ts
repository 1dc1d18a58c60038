import type { Principal } from '@bud/auth';
import { ManualClock } from '@bud/testing';
import type { DriverRegistry } from '../drivers/driver-registry.service';
import type { ClusterEntity, JobEntity, VolumeEntity } from '../entities';
import type { VolumeRepository } from '../repositories/volume.repository';
import type { ClusterService } from './cluster.service';
import type { NamespaceService } from './namespace.service';
import { VolumeService } from './volume.service';

const cluster = {
  id: 'c1',
  priceTable: { gpu_hour: {}, vcpu_hour: 0, memory_gib_hour: 0, storage_gib_month: 0.5 },
} as unknown as ClusterEntity;
const job = { id: 'j1', tenantId: 't1', clusterId: 'c1', k8sNamespace: 'ns-a' } as JobEntity;
const volume = (overrides: Partial<VolumeEntity> = {}): VolumeEntity => ({
  id: 'v1',
  clusterId: 'c1',
  tenantId: 't1',
  namespace: 'ns-a',
  claimName: 'cache-data',
  volumeName: 'data',
  jobName: 'cache',
  jobId: 'j1',
  usecaseDeploymentId: null,
  component: null,
  size: '4Gi',
  status: 'detached',
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...overrides,
});

/** docs/design.md#volumes: what deleting a finished job does to its volumes and its namespace. */
describe('VolumeService', () => {
  let calls: string[];
  let inUse: boolean;
  let owned: boolean;
  let refuse: boolean;
  let stored: VolumeEntity | null;
  const build = () => {
    const repo = {
      setStatusOfJob: async (_jobId: string, _from: unknown, to: string) => {
        calls.push(`status ${to}`);
        return [volume({ status: to as VolumeEntity['status'] })];
      },
      delete: async (id: string) => void calls.push(`row deleted ${id}`),
      namespaceInUse: async () => inUse,
      findById: async () => stored,
      markDeleting: async () => (stored && stored.status !== 'attached' ? { ...stored, status: 'deleting' } : null),
    } as unknown as VolumeRepository;
    const drivers = {
      deleteVolume: async (_c: ClusterEntity, v: { claimName: string }) => {
        if (refuse) throw new Error('the API server is away');
        calls.push(`claim deleted ${v.claimName}`);
        return owned;
      },
      deleteNamespace: async (_c: ClusterEntity, namespace: string) => void calls.push(`namespace deleted ${namespace}`),
    } as unknown as DriverRegistry;
    const clusters = { visibleCluster: async () => cluster } as unknown as ClusterService;
    const namespaces = {
      forget: async (_c: ClusterEntity, name: string) => void calls.push(`namespace row deleted ${name}`),
    } as unknown as NamespaceService;
    return new VolumeService(repo, clusters, drivers, namespaces, new ManualClock(3_600_000));
  };
  beforeEach(() => {
    calls = [];
    inUse = false;
    owned = true;
    refuse = false;
    stored = volume();
  });

  it('keep_data retains the volumes, so the namespace stays', async () => {
    inUse = true;
    await build().jobDeleted(cluster, job, true);
    expect(calls).toEqual(['status retained']);
  });

  it('a plain delete destroys claim then row, then the namespace once nothing is left in it', async () => {
    await build().jobDeleted(cluster, job, false);
    expect(calls).toEqual([
      'status deleting',
      'claim deleted cache-data',
      'row deleted v1',
      'namespace deleted ns-a',
      'namespace row deleted ns-a',
    ]);
  });

  it('leaves the row deleting when another replica owns the cluster', async () => {
    owned = false;
    inUse = true;
    await build().jobDeleted(cluster, job, false);
    expect(calls).toEqual(['status deleting', 'claim deleted cache-data']);
  });

  it('keeps the row deleting when the cluster refuses the claim deletion, for the owner to retry', async () => {
    refuse = true;
    inUse = true;
    await build().jobDeleted(cluster, job, false);
    expect(calls).toEqual(['status deleting']);
  });

  const principal = (tenantId: string, admin = false) =>
    ({ tenantId, userId: 'u', scopes: new Set(admin ? ['platform:admin'] : ['job:view', 'job:manage']) }) as unknown as Principal;

  it('answers a volume with its monthly cost and age, 404 for another tenant (an admin of it too), and refuses to delete an attached one', async () => {
    const service = build();
    expect(await service.get(principal('t1'), 'c1', 'v1')).toMatchObject({ estimated_cost_per_month: '2.000000', age_seconds: 3600 });
    await expect(service.get(principal('t2'), 'c1', 'v1')).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.get(principal('t2', true), 'c1', 'v1')).rejects.toMatchObject({ code: 'not_found' });
    stored = volume({ status: 'attached' });
    await expect(service.delete(principal('t1'), 'c1', 'v1')).rejects.toMatchObject({ code: 'conflict' });
    expect(calls).toEqual([]);
  });
});
