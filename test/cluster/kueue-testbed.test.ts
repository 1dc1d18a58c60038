// Kueue in the test bed (scripts/testbed/kueue.ts), with the admin clients and no budcluster: a batch Job within a
// ClusterQueue's GPU quota is admitted and runs on the kwok GPU nodes, one beyond it stays suspended with
// QuotaReserved=False, and a Deployment's pods are gated until Kueue admits them.
import { randomBytes } from 'node:crypto';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { pollUntil } from '@bud/testing';
import { LABEL_KEYS_TO_COPY, MANAGED_NAMESPACE_LABEL } from '../../scripts/testbed/kueue';
import { NEVER_COMPLETES_LABEL } from '../../scripts/testbed/kwok-config';
import { acquireTestbed, type Testbed } from './support/testbed';

const KUEUE = { group: 'kueue.x-k8s.io', version: 'v1beta2' };
const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
const ADMISSION_GATE = 'kueue.x-k8s.io/admission';
const SLOW = { timeoutMs: 60_000, intervalMs: 250 };
const GPU_PRODUCT = 'A100-80GB';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Workload {
  metadata: { name: string; labels?: Record<string, string>; ownerReferences?: Array<{ kind: string; uid: string }> };
  status?: {
    conditions?: Condition[];
    admission?: { clusterQueue: string; podSetAssignments: Array<{ flavors?: Record<string, string> }> };
  };
}

function condition(workload: Workload | undefined, type: string): Condition | undefined {
  return workload?.status?.conditions?.find((c) => c.type === type);
}

describe('Kueue in the test bed', () => {
  let testbed: Testbed;
  const suffix = randomBytes(3).toString('hex');
  const namespace = `kueue-testbed-${suffix}`;
  const flavor = `testbed-a100-${suffix}`;
  const clusterQueue = `testbed-cq-${suffix}`;
  const localQueue = 'bud';

  const podSpec = (gpus: number) => ({
    restartPolicy: 'Never',
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    containers: [
      {
        name: 'main',
        image: 'registry.invalid/trainer:1',
        resources: {
          requests: { cpu: '100m', memory: '64Mi', 'nvidia.com/gpu': String(gpus) },
          limits: { 'nvidia.com/gpu': String(gpus) },
        },
      },
    ],
  });

  const gpuJob = (name: string, gpus: number): V1Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace,
      labels: {
        [QUEUE_LABEL]: localQueue,
        'bud.ai/job-id': `job-${name}`,
        'app.kubernetes.io/managed-by': 'budcluster',
        'bud.ai/tenant-id': 'tenant-a',
      },
    },
    spec: {
      suspend: true,
      parallelism: 1,
      completions: 1,
      backoffLimit: 0,
      // Its pod keeps running (kwok's pod-complete stage skips it), so the Job holds its GPUs.
      template: { metadata: { labels: { [NEVER_COMPLETES_LABEL]: 'true' } }, spec: podSpec(gpus) },
    },
  });

  const workloadOf = async (ownerUid: string): Promise<Workload | undefined> => {
    const list = (await testbed.kube.custom.listNamespacedCustomObject({ ...KUEUE, namespace, plural: 'workloads' })) as {
      items: Workload[];
    };
    return list.items.find((w) => w.metadata.ownerReferences?.some((o) => o.uid === ownerUid));
  };

  beforeAll(async () => {
    testbed = await acquireTestbed();
    const { core, custom } = testbed.kube;
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { ...MANAGED_NAMESPACE_LABEL } } } });
    await custom.createClusterCustomObject({
      ...KUEUE,
      plural: 'resourceflavors',
      body: {
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind: 'ResourceFlavor',
        metadata: { name: flavor },
        spec: { nodeLabels: { 'nvidia.com/gpu.product': GPU_PRODUCT } },
      },
    });
    await custom.createClusterCustomObject({
      ...KUEUE,
      plural: 'clusterqueues',
      body: {
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind: 'ClusterQueue',
        metadata: { name: clusterQueue },
        spec: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          queueingStrategy: 'BestEffortFIFO',
          resourceGroups: [
            {
              coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
              flavors: [
                {
                  name: flavor,
                  resources: [
                    { name: 'cpu', nominalQuota: '100' },
                    { name: 'memory', nominalQuota: '100Gi' },
                    { name: 'nvidia.com/gpu', nominalQuota: '4' },
                  ],
                },
              ],
            },
          ],
        },
      },
    });
    await custom.createNamespacedCustomObject({
      ...KUEUE,
      namespace,
      plural: 'localqueues',
      body: { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: localQueue, namespace }, spec: { clusterQueue } },
    });
    // Kueue admits nothing into a queue it has not seen active yet.
    await pollUntil(
      () => custom.getNamespacedCustomObject({ ...KUEUE, namespace, plural: 'localqueues', name: localQueue }) as Promise<Workload>,
      (lq) => condition(lq, 'Active')?.status === 'True',
      { ...SLOW, what: `LocalQueue ${namespace}/${localQueue} active` },
    );
  }, 10 * 60_000);

  afterAll(async () => {
    if (!testbed) return;
    const { core, custom } = testbed.kube;
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await custom.deleteClusterCustomObject({ ...KUEUE, plural: 'clusterqueues', name: clusterQueue }).catch(() => undefined);
    await custom.deleteClusterCustomObject({ ...KUEUE, plural: 'resourceflavors', name: flavor }).catch(() => undefined);
    await testbed.release();
  }, 120_000);

  it('admits a suspended Job within the quota: its Workload is Admitted to the flavor, the Job unsuspended, its pod runs on a kwok GPU node', async () => {
    const { batch, core } = testbed.kube;
    const job = await batch.createNamespacedJob({ namespace, body: gpuJob('fits', 2) });
    const workload = await pollUntil(
      () => workloadOf(job.metadata!.uid!),
      (w) => condition(w, 'Admitted')?.status === 'True',
      { ...SLOW, what: 'the Workload of Job fits admitted' },
    );
    expect(workload!.status!.admission!.clusterQueue).toBe(clusterQueue);
    expect(workload!.status!.admission!.podSetAssignments[0].flavors).toEqual({ cpu: flavor, memory: flavor, 'nvidia.com/gpu': flavor });
    // labelKeysToCopy: the labels budcluster finds its Workloads by.
    for (const key of LABEL_KEYS_TO_COPY) {
      expect(workload!.metadata.labels?.[key]).toBe(job.metadata!.labels![key]);
    }
    await pollUntil(
      () => batch.readNamespacedJob({ namespace, name: 'fits' }),
      (j) => j.spec?.suspend === false,
      { ...SLOW, what: 'Job fits unsuspended' },
    );
    const pods = await pollUntil(
      () => core.listNamespacedPod({ namespace, labelSelector: 'job-name=fits' }),
      (list) => list.items.length === 1 && list.items[0].status?.phase === 'Running',
      { ...SLOW, what: 'the pod of Job fits running' },
    );
    const pod = pods.items[0];
    expect(pod.spec?.nodeName).toMatch(/^kwok-a100-/);
    // The flavor's node labels reach the pod as a node selector.
    expect(pod.spec?.nodeSelector?.['nvidia.com/gpu.product']).toBe(GPU_PRODUCT);
  });

  it('keeps a Job beyond the remaining quota suspended, its Workload QuotaReserved=False with the reason', async () => {
    const { batch } = testbed.kube;
    const job = await batch.createNamespacedJob({ namespace, body: gpuJob('too-big', 4) });
    const workload = await pollUntil(
      () => workloadOf(job.metadata!.uid!),
      (w) => condition(w, 'QuotaReserved')?.status === 'False',
      { ...SLOW, what: 'the Workload of Job too-big pending' },
    );
    const reserved = condition(workload, 'QuotaReserved')!;
    expect(reserved.reason).toBe('Pending');
    expect(reserved.message).toContain('nvidia.com/gpu');
    expect(condition(workload, 'Admitted')?.status).not.toBe('True');
    expect((await batch.readNamespacedJob({ namespace, name: 'too-big' })).spec?.suspend).toBe(true);
    // Out of the way of the next test: FIFO would give it the quota first.
    await batch.deleteNamespacedJob({ namespace, name: 'too-big', propagationPolicy: 'Background' });
  });

  it("gates a Deployment's pods until Kueue admits them, then ungates them and they run on kwok", async () => {
    const { apps, batch, core } = testbed.kube;
    // 3 GPUs per pod: does not fit beside Job fits (2 of 4 in use).
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'server', namespace, labels: { [QUEUE_LABEL]: localQueue } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'server' } },
          template: { metadata: { labels: { app: 'server' } }, spec: { ...(podSpec(3) as object), restartPolicy: 'Always' } as never },
        },
      },
    });
    const gatedList = await pollUntil(
      () => core.listNamespacedPod({ namespace, labelSelector: 'app=server' }),
      (list) => list.items.length === 1,
      { ...SLOW, what: 'the pod of Deployment server' },
    );
    const gated: V1Pod = gatedList.items[0];
    expect(gated.spec?.schedulingGates?.map((g) => g.name)).toContain(ADMISSION_GATE);
    const pending = await pollUntil(
      () => workloadOf(gated.metadata!.uid!),
      (w) => condition(w, 'QuotaReserved')?.status === 'False',
      { ...SLOW, what: 'the Workload of the Deployment pod pending' },
    );
    expect(condition(pending, 'QuotaReserved')?.message).toContain('nvidia.com/gpu');
    const stillGated = await core.readNamespacedPod({ namespace, name: gated.metadata!.name! });
    expect(stillGated.spec?.schedulingGates?.map((g) => g.name)).toContain(ADMISSION_GATE);
    expect(stillGated.spec?.nodeName).toBeUndefined();

    // Job fits gives its GPUs back: Kueue admits the pod and lifts the gate.
    await batch.deleteNamespacedJob({ namespace, name: 'fits', propagationPolicy: 'Background' });
    const running = await pollUntil(
      () => core.readNamespacedPod({ namespace, name: gated.metadata!.name! }),
      (p) => p.status?.phase === 'Running',
      { ...SLOW, what: 'the Deployment pod ungated and running' },
    );
    expect(running.spec?.schedulingGates ?? []).toEqual([]);
    expect(running.spec?.nodeName).toMatch(/^kwok-a100-/);
    expect(condition(await workloadOf(gated.metadata!.uid!), 'Admitted')?.status).toBe('True');
  });
});
