import { BUILT_IN_CLUSTER_QUOTAS, BUILT_IN_DEFAULT_QUOTA, type ClusterQuotas, type TenantQuota } from '../../domain/quota-model';
import { cohortName, localQueue, renderKueueObjects, shortHex, tenantQueueName } from './kueue-objects';
import { statusUnderKueue } from './kueue-status';
import { QueueBook, WORKLOAD, workloadState, type KueueSummary } from './kueue-workloads';
import { parseManagedObject } from './managed-object';

const CLUSTER = '0b6f7f5e-1111-4222-8333-444455556666';
const TENANT_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const TENANT_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

type Spec = Record<string, unknown>;
const byName = (objects: Array<{ kind?: string; metadata?: { name?: string } }>, kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata?.name === name) as unknown as { spec: Spec; value?: number } | undefined;
const gpuQuotaOf = (cq: { spec: Spec } | undefined) =>
  (cq?.spec.resourceGroups as Array<{ coveredResources: string[]; flavors: Array<{ name: string; resources: object[] }> }>).find((g) =>
    g.coveredResources.includes('nvidia.com/gpu'),
  )?.flavors;

const quota = (tenantId: string, gpus: TenantQuota['gpus'], extra: Partial<TenantQuota> = {}): TenantQuota => ({
  ...BUILT_IN_DEFAULT_QUOTA,
  tenantId,
  gpus,
  ...extra,
});

describe('Kueue objects of a cluster', () => {
  it('names cohort and ClusterQueues by the first 12 hex digits of the ids (a non-UUID id by its sha256)', () => {
    expect(cohortName(CLUSTER)).toBe('bud-0b6f7f5e1111');
    expect(tenantQueueName(TENANT_A)).toBe('bud-aaaaaaaaaaaa');
    expect(shortHex('tenant-a')).toMatch(/^[0-9a-f]{12}$/);
    expect(shortHex('tenant-a')).not.toBe(shortHex('tenant-b'));
  });

  it('with the built-in default quota: every tenant nominal 0 and the pool lends the whole inventory', () => {
    const objects = renderKueueObjects({
      clusterId: CLUSTER,
      inventory: { 'A100-80GB': 16, 'H100-80GB': 8 },
      quotas: BUILT_IN_CLUSTER_QUOTAS,
      tenants: [TENANT_A],
    });
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'ResourceFlavor/default',
      'ResourceFlavor/gpu-a100-80gb',
      'ResourceFlavor/gpu-h100-80gb',
      'WorkloadPriorityClass/bud-critical',
      'WorkloadPriorityClass/bud-high',
      'WorkloadPriorityClass/bud-normal',
      'WorkloadPriorityClass/bud-low',
      'ClusterQueue/bud-pool',
      'ClusterQueue/bud-aaaaaaaaaaaa',
    ]);
    expect(byName(objects, 'ResourceFlavor', 'gpu-h100-80gb')?.spec).toEqual({ nodeLabels: { 'nvidia.com/gpu.product': 'H100-80GB' } });
    expect(byName(objects, 'WorkloadPriorityClass', 'bud-high')?.value).toBe(100);
    const pool = byName(objects, 'ClusterQueue', 'bud-pool');
    expect(pool?.spec.cohortName).toBe('bud-0b6f7f5e1111');
    expect(gpuQuotaOf(pool)).toEqual([
      { name: 'gpu-a100-80gb', resources: [{ name: 'nvidia.com/gpu', nominalQuota: '16' }] },
      { name: 'gpu-h100-80gb', resources: [{ name: 'nvidia.com/gpu', nominalQuota: '8' }] },
    ]);
    const tenant = byName(objects, 'ClusterQueue', 'bud-aaaaaaaaaaaa');
    expect(tenant?.spec).toMatchObject({
      cohortName: 'bud-0b6f7f5e1111',
      namespaceSelector: { matchLabels: { 'bud.ai/tenant-id': TENANT_A } },
      queueingStrategy: 'BestEffortFIFO',
      preemption: { withinClusterQueue: 'LowerPriority', reclaimWithinCohort: 'Any', borrowWithinCohort: { policy: 'Never' } },
      fairSharing: { weight: '1' },
    });
    expect(gpuQuotaOf(tenant)?.[1]).toEqual({ name: 'gpu-h100-80gb', resources: [{ name: 'nvidia.com/gpu', nominalQuota: '0' }] });
  });

  it("gives each tenant its nominal quota and borrowing limit; the pool keeps what nobody's nominal claims, never below 0", () => {
    const quotas: ClusterQuotas = {
      defaultQuota: BUILT_IN_DEFAULT_QUOTA,
      tenants: [
        quota(
          TENANT_A,
          { 'H100-80GB': { nominal: 4, borrowingLimit: 2 } },
          { weight: 2, cpuMillis: { nominal: 8000, borrowingLimit: null } },
        ),
        quota(TENANT_B, { 'H100-80GB': { nominal: 6, borrowingLimit: null } }),
      ],
    };
    const objects = renderKueueObjects({ clusterId: CLUSTER, inventory: { 'H100-80GB': 8 }, quotas, tenants: [] });
    expect(gpuQuotaOf(byName(objects, 'ClusterQueue', 'bud-pool'))?.[0]?.resources).toEqual([
      { name: 'nvidia.com/gpu', nominalQuota: '0' },
    ]);
    const a = byName(objects, 'ClusterQueue', 'bud-aaaaaaaaaaaa');
    expect(gpuQuotaOf(a)?.[0]?.resources).toEqual([{ name: 'nvidia.com/gpu', nominalQuota: '4', borrowingLimit: '2' }]);
    expect(a?.spec.fairSharing).toEqual({ weight: '2' });
    expect((a?.spec.resourceGroups as Array<{ flavors: Array<{ resources: object[] }> }>)[0]?.flavors[0]?.resources).toEqual([
      { name: 'cpu', nominalQuota: '8000m' },
      { name: 'memory', nominalQuota: '1000Ti' },
    ]);
    expect(gpuQuotaOf(byName(objects, 'ClusterQueue', 'bud-bbbbbbbbbbbb'))?.[0]?.resources).toEqual([
      { name: 'nvidia.com/gpu', nominalQuota: '6' },
    ]);
  });

  it('leaves a tenant outside the cohort without cohort or borrowing limit', () => {
    const quotas: ClusterQuotas = {
      defaultQuota: BUILT_IN_DEFAULT_QUOTA,
      tenants: [quota(TENANT_A, { 'H100-80GB': { nominal: 2, borrowingLimit: null } }, { cohort: false })],
    };
    const cq = byName(
      renderKueueObjects({ clusterId: CLUSTER, inventory: { 'H100-80GB': 8 }, quotas, tenants: [] }),
      'ClusterQueue',
      'bud-aaaaaaaaaaaa',
    );
    expect(cq?.spec.cohortName).toBeUndefined();
    expect(gpuQuotaOf(cq)?.[0]?.resources).toEqual([{ name: 'nvidia.com/gpu', nominalQuota: '2' }]);
  });

  it('feeds a namespace LocalQueue bud into its tenant ClusterQueue', () => {
    expect(localQueue('team-a', TENANT_A)).toMatchObject({
      kind: 'LocalQueue',
      metadata: { name: 'bud', namespace: 'team-a' },
      spec: { clusterQueue: 'bud-aaaaaaaaaaaa' },
    });
  });
});

const T0 = Date.parse('2026-11-29T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function workload(
  name: string,
  jobId: string,
  conditions: object[],
  extra: { priority?: number; createdAt?: number; flavor?: string; uid?: string } = {},
): unknown {
  return {
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    kind: 'Workload',
    metadata: {
      name,
      namespace: 'team-a',
      uid: extra.uid ?? `00000000-0000-4000-8000-${name.padStart(12, '0').slice(-12)}`,
      creationTimestamp: iso(extra.createdAt ?? T0),
      labels: { 'bud.ai/job-id': jobId, 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/tenant-id': TENANT_A },
    },
    spec: { priority: extra.priority ?? 10 },
    status: {
      conditions,
      ...(extra.flavor
        ? {
            admission: {
              clusterQueue: 'bud-aaaaaaaaaaaa',
              podSetAssignments: [{ name: 'main', flavors: { cpu: 'default', 'nvidia.com/gpu': extra.flavor } }],
            },
          }
        : {}),
    },
  };
}

function stateOf(raw: unknown) {
  const parsed = parseManagedObject(raw, WORKLOAD);
  if (!parsed.ok) throw new Error(parsed.problem);
  return workloadState(parsed.object, (raw as { metadata: { labels: Record<string, string> } }).metadata.labels);
}

const PENDING = {
  type: 'QuotaReserved',
  status: 'False',
  reason: 'Pending',
  message: "couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu",
};
const RESERVED = {
  type: 'QuotaReserved',
  status: 'True',
  reason: 'QuotaReserved',
  message: 'Quota reserved in ClusterQueue bud-aaaaaaaaaaaa',
};
const ADMITTED = { type: 'Admitted', status: 'True', reason: 'Admitted' };

describe('Workloads → job status', () => {
  it('orders a tenant queue as Kueue does: priority, then creation (a borrower reclaimed while borrowing: its preemption)', () => {
    const book = new QueueBook();
    book.upsert(stateOf(workload('w1', 'job-1', [PENDING], { createdAt: T0 })));
    book.upsert(stateOf(workload('w2', 'job-2', [PENDING], { createdAt: T0 + 1000 })));
    book.upsert(stateOf(workload('w3', 'job-3', [PENDING], { createdAt: T0 + 2000, priority: 100 })));
    // Created first, but preempted last, while borrowing.
    const reclaimed = { type: 'Preempted', status: 'True', reason: 'InCohortReclaimWhileBorrowing', lastTransitionTime: iso(T0 + 5000) };
    const requeued = { type: 'Requeued', status: 'True', reason: 'Preempted', lastTransitionTime: iso(T0 + 6000) };
    book.upsert(stateOf(workload('w0', 'job-0', [PENDING, reclaimed, requeued], { createdAt: T0 - 9000 })));
    // Requeued after an ordinary preemption: its creation still counts.
    book.upsert(stateOf(workload('w5', 'job-5', [PENDING, requeued], { createdAt: T0 - 8000 })));
    expect(book.queueOf(TENANT_A).map((w) => w.jobId)).toEqual(['job-3', 'job-5', 'job-1', 'job-2', 'job-0']);
    expect(book.summary('job-2')).toMatchObject({ status: 'queued', reason: 'Pending', position: 4, workloadName: 'w2' });
    expect(book.summary('job-2')?.message).toContain('insufficient unused quota');
    expect(book.summary('job-0')).toMatchObject({ position: 5, preempted: true });
    // Just made, not yet looked at by Kueue: no word yet (it still counts in the others' positions).
    book.upsert(stateOf(workload('w4', 'job-4', [], { createdAt: T0 + 9000 })));
    expect(book.summary('job-4')).toBeUndefined();
    // job-3 admitted: everyone behind it moves up.
    book.upsert(stateOf(workload('w3', 'job-3', [RESERVED, ADMITTED], { priority: 100, flavor: 'gpu-h100-80gb' })));
    expect(book.summary('job-3')).toMatchObject({ status: 'admitted', flavor: 'gpu-h100-80gb' });
    expect(book.summary('job-2')?.position).toBe(3);
  });

  it('reads an eviction by preemption, naming the job of the preemptor', () => {
    const book = new QueueBook();
    const preemptor = '11111111-2222-4333-8444-555555555555';
    book.upsert(stateOf(workload('big', 'job-b', [PENDING], { uid: preemptor })));
    book.upsert(
      stateOf(
        workload('victim', 'job-v', [
          RESERVED,
          ADMITTED,
          { type: 'Evicted', status: 'True', reason: 'Preempted', message: 'Preempted to accommodate a workload' },
          {
            type: 'Preempted',
            status: 'True',
            reason: 'InCohortReclamation',
            message: `Preempted to accommodate a workload (UID: ${preemptor}, JobUID: x) due to reclamation within the cohort`,
          },
        ]),
      ),
    );
    expect(book.summary('job-v')).toMatchObject({ status: 'preempted', reason: 'Preempted', preempted: true });
    expect(book.summary('job-v')?.message).toMatch(/reclamation within the cohort.*\(job job-b\)$/);
  });

  const queued: KueueSummary = {
    status: 'queued',
    reason: 'Pending',
    message: 'no quota',
    position: 2,
    workloadName: 'w',
    preempted: false,
  };
  const admitted: KueueSummary = { status: 'admitted', reason: 'Admitted', flavor: 'gpu-h100-80gb', workloadName: 'w', preempted: false };

  it.each([
    [
      'a suspended Job waiting for quota',
      { status: 'queued' as const, reason: 'Suspended' },
      queued,
      'pending' as const,
      [['queued', 'Pending', 2, null]],
    ],
    [
      'an admitted Job still suspended',
      { status: 'queued' as const, reason: 'Suspended' },
      admitted,
      'queued' as const,
      [['admitted', 'Admitted', null, 'gpu-h100-80gb']],
    ],
    [
      'an admitted Job whose pods run',
      { status: 'running' as const, reason: 'Active' },
      admitted,
      'admitted' as const,
      [['running', 'Active', null, 'gpu-h100-80gb']],
    ],
    [
      'a running Job whose Workload was evicted and requeued (coalesced)',
      { status: 'queued' as const, reason: 'Suspended' },
      { ...queued, preempted: true },
      'running' as const,
      [
        ['preempted', 'Preempted', null, null],
        ['queued', 'Pending', 2, null],
      ],
    ],
    [
      'a serving Deployment whose surge pod waits',
      { status: 'running' as const, reason: 'Available' },
      queued,
      'running' as const,
      [['running', 'Available', null, undefined]],
    ],
    [
      'a finished Job',
      { status: 'succeeded' as const, reason: 'Completed' },
      admitted,
      'running' as const,
      [['succeeded', 'Completed', null, undefined]],
    ],
  ])('%s', (_what, fromObject, summary, last, expected) => {
    const observed = statusUnderKueue('job-1', fromObject, summary, last);
    expect(observed.map((o) => [o.status, o.reason, o.queuePosition, o.admittedFlavor])).toEqual(expected);
    for (const o of observed) expect(o.workloadName).toBe('w');
  });

  it('passes a job seen running before its admission through admitted (Kueue admits before anything runs)', () => {
    const running = { status: 'running' as const, reason: 'Available' };
    expect(statusUnderKueue('job-1', running, undefined, 'pending').map((o) => [o.status, o.admittedFlavor])).toEqual([
      ['admitted', undefined],
      ['running', undefined],
    ]);
    expect(statusUnderKueue('job-1', running, admitted, undefined).map((o) => [o.status, o.admittedFlavor])).toEqual([
      ['admitted', 'gpu-h100-80gb'],
      ['running', 'gpu-h100-80gb'],
    ]);
    // Without Kueue, or once admitted, running alone.
    expect(statusUnderKueue('job-1', running, undefined, 'pending', false).map((o) => o.status)).toEqual(['running']);
    expect(statusUnderKueue('job-1', running, admitted, 'admitted').map((o) => o.status)).toEqual(['running']);
  });

  it('waits for the Workload before reporting a job that is not running yet; without Kueue the object alone speaks', () => {
    const starting = { status: 'admitted' as const, reason: 'Progressing' };
    // A Deployment whose pods Kueue gates, a Job it suspends: the Workload will say whether they wait or hold quota.
    expect(statusUnderKueue('job-1', starting, undefined, undefined, true)).toEqual([]);
    expect(statusUnderKueue('job-1', { status: 'queued', reason: 'Suspended' }, undefined, undefined, true)).toEqual([]);
    expect(statusUnderKueue('job-1', { status: 'running', reason: 'Active' }, undefined, 'admitted', true)).toEqual([
      { jobId: 'job-1', status: 'running', reason: 'Active' },
    ]);
    expect(statusUnderKueue('job-1', starting, undefined, undefined, false)).toEqual([{ jobId: 'job-1', ...starting }]);
  });
});
