import { defaultClusterIsolation } from '@bud/contracts';
import type { AppError } from '@bud/errors';
import { ManualClock } from '@bud/testing';
import { NamespaceRefusedError, ObjectInTheWayError } from '../domain/namespace-model';
import type { ManagedNamespace } from '../domain/namespace-model';
import type { DriverRegistry } from '../drivers/driver-registry.service';
import type { ClusterEntity, ClusterNamespaceEntity } from '../entities';
import type { ClusterRepository } from '../repositories/cluster.repository';
import type { NamespaceRepository } from '../repositories/namespace.repository';
import { NamespaceService } from './namespace.service';

const cluster = { id: 'c1', name: 'gpu-1', isolation: null } as ClusterEntity;
const tenantA = 'aaaaaaaa-0000-4000-8000-000000000001';
const tenantB = 'bbbbbbbb-0000-4000-8000-000000000002';

/** docs/design.md#namespaces: the claim's order (row, then the cluster, then the insert) and what each refusal answers. */
describe('NamespaceService.claim', () => {
  let rows: Map<string, ClusterNamespaceEntity>;
  let ensured: ManagedNamespace[];
  let ensure: (ns: ManagedNamespace) => Promise<boolean>;
  /** Runs between the cluster's answer and the insert: another replica's claim landing first. */
  let beforeInsert: () => void;
  const build = () => {
    const repo = {
      find: async (_c: string, name: string) => rows.get(name) ?? null,
      claim: async (row: ClusterNamespaceEntity) => {
        beforeInsert();
        if (!rows.has(row.name)) rows.set(row.name, row);
        return rows.get(row.name)!;
      },
    } as unknown as NamespaceRepository;
    const drivers = {
      onIsolationChanged: () => undefined,
      ensureNamespace: async (_c: ClusterEntity, ns: ManagedNamespace) => {
        ensured.push(ns);
        return ensure(ns);
      },
    } as unknown as DriverRegistry;
    return new NamespaceService(repo, {} as ClusterRepository, drivers, new ManualClock(0));
  };
  const claimAs = (tenantId: string, name = 'team-data') => build().claim(cluster, { name, tenantId, projectId: null });
  const refusal = async (promise: Promise<unknown>) => {
    const error = (await promise.then(
      () => null,
      (e: unknown) => e,
    )) as AppError | null;
    return error && { code: error.code, details: error.details, message: error.message };
  };
  const row = (name: string, tenantId: string): ClusterNamespaceEntity => ({
    clusterId: 'c1',
    name,
    tenantId,
    projectId: null,
    createdAt: new Date(0),
  });

  beforeEach(() => {
    rows = new Map();
    ensured = [];
    ensure = async () => true;
    beforeInsert = () => undefined;
  });

  it("accepts the tenant's own namespace without asking the cluster", async () => {
    rows.set('team-data', row('team-data', tenantA));
    await claimAs(tenantA);
    expect(ensured).toEqual([]);
  });

  it("refuses another tenant's namespace without asking the cluster and without naming the owner", async () => {
    rows.set('team-data', row('team-data', tenantB));
    const refused = await refusal(claimAs(tenantA));
    expect(refused).toEqual({
      code: 'validation_failed',
      message: 'k8s_namespace is not a namespace of your tenant',
      details: [{ path: 'k8s_namespace', message: 'is not a namespace of your tenant' }],
    });
    expect(refused?.message).not.toContain(tenantB);
    expect(ensured).toEqual([]);
  });

  it('claims a new namespace: the cluster renders it with the cluster isolation first, then the row is recorded', async () => {
    await build().claim(cluster, { name: 'fresh', tenantId: tenantA, projectId: 'p1' });
    expect(ensured).toEqual([{ name: 'fresh', tenantId: tenantA, projectId: 'p1', isolation: defaultClusterIsolation }]);
    expect(rows.get('fresh')).toMatchObject({ tenantId: tenantA, projectId: 'p1', clusterId: 'c1' });
  });

  it('records the row when another replica owns the cluster (its apply checks the namespace)', async () => {
    ensure = async () => false;
    await claimAs(tenantA, 'elsewhere');
    expect(rows.get('elsewhere')?.tenantId).toBe(tenantA);
  });

  it('the loser of a race whose insert comes second gets the 422, and the winner keeps the row', async () => {
    ensure = async () => false;
    beforeInsert = () => rows.set('contested', row('contested', tenantB));
    expect(await refusal(claimAs(tenantA, 'contested'))).toMatchObject({ code: 'validation_failed', details: [{ path: 'k8s_namespace' }] });
    expect(rows.get('contested')?.tenantId).toBe(tenantB);
  });

  it.each([
    ['an unmanaged namespace', new NamespaceRefusedError('n', 'unmanaged'), 'validation_failed', /does not manage it/],
    [
      "another tenant's namespace on the cluster",
      new NamespaceRefusedError('n', 'other-tenant'),
      'validation_failed',
      /^k8s_namespace is not a namespace of your tenant$/,
    ],
    [
      'an object in the way',
      new ObjectInTheWayError('NetworkPolicy', 'n', 'bud-tenant-isolation', 'it lacks managed-by'),
      'conflict',
      /NetworkPolicy n\/bud-tenant-isolation/,
    ],
    [
      'a cluster that does not answer',
      new Error('connect ECONNREFUSED'),
      'upstream_unavailable',
      /^cluster 'gpu-1' could not create namespace 'n'; retry later$/,
    ],
  ])('answers %s from the cluster with %s and records nothing', async (_, thrown, code, message) => {
    ensure = async () => {
      throw thrown;
    };
    const refused = await refusal(claimAs(tenantA, 'n'));
    expect(refused?.code).toBe(code);
    expect(refused?.message).toMatch(message);
    if (code === 'validation_failed') expect(refused?.details).toEqual([{ path: 'k8s_namespace', message: expect.any(String) }]);
    expect(rows.has('n')).toBe(false);
  });
});

describe('NamespaceService.renderAgain', () => {
  it("renders every tenant's namespace with the cluster's new isolation and goes on past a failure", async () => {
    const isolation = { ...defaultClusterIsolation, pod_security: { enforce: 'restricted' as const, warn: 'restricted' as const } };
    const rendered: string[] = [];
    const repo = {
      listOfCluster: async () => [
        { clusterId: 'c1', name: 'a-1', tenantId: tenantA, projectId: null, createdAt: new Date(0) },
        { clusterId: 'c1', name: 'b-1', tenantId: tenantB, projectId: null, createdAt: new Date(0) },
        { clusterId: 'c1', name: 'b-2', tenantId: tenantB, projectId: null, createdAt: new Date(0) },
      ],
    } as unknown as NamespaceRepository;
    const drivers = {
      onIsolationChanged: () => undefined,
      ensureNamespace: async (_c: ClusterEntity, ns: ManagedNamespace) => {
        if (ns.name === 'b-1') throw new Error('the API server is away');
        rendered.push(`${ns.name} ${ns.tenantId} ${ns.isolation.pod_security.enforce}`);
        return true;
      },
    } as unknown as DriverRegistry;
    await new NamespaceService(repo, {} as ClusterRepository, drivers, new ManualClock(0)).renderAgain({ ...cluster, isolation });
    expect(rendered).toEqual([`a-1 ${tenantA} restricted`, `b-2 ${tenantB} restricted`]);
  });
});
