// Issue 11's capacity proofs on the test bed (docs/design.md#cluster-status): the GPU inventory follows the cluster's
// Nodes (a kwok node with 4 × H100-80GB appears, and goes when it is deleted), and the dry-run's capacity verdict of
// one tenant counts the GPUs another tenant's job holds on the shared cluster. budcluster runs as a process (dist/).
import { randomUUID } from 'node:crypto';
import type { V1Node } from '@kubernetes/client-node';
import { pollUntil } from '@bud/testing';
import { containerJob } from '../../apps/budcluster/test/support/harness';
import { ragRequest } from '../../apps/budusecases/test/support/deployments';
import { startUsecasesHarness, type UsecasesHarness } from '../../apps/budusecases/test/support/harness';
import { FAKE_NODE_ANNOTATION } from '../../scripts/testbed/kwok-config';
import { acquireTestbed, isGone, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 60_000, intervalMs: 250 };

interface Cluster {
  id: string;
  status: string;
  gpu_inventory: Record<string, number>;
}

function gpuNode(name: string, product: string, gpus: number): V1Node {
  const resources = { cpu: '64', memory: '512Gi', pods: '110', 'nvidia.com/gpu': String(gpus) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, type: 'kwok', 'nvidia.com/gpu.product': product, 'nvidia.com/gpu.count': String(gpus) },
      annotations: { [FAKE_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    // Tainted like real GPU pools (and the test bed's own GPU nodes), so nothing else lands on it.
    spec: { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
    status: { allocatable: resources, capacity: resources },
  };
}

describe('GPU inventory and capacity from the test bed cluster itself', () => {
  let testbed: Testbed;
  let h: UsecasesHarness;
  let clusterId: string;
  const nodeName = `inventory-h100-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    testbed = await acquireTestbed();
    h = await startUsecasesHarness({ cluster: { ...TESTBED_BUDCLUSTER_ENV } });
    // Shared by every tenant, as a platform's GPU cluster is.
    const cluster = await h.clusterHttp<Cluster>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: { name: `testbed-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: testbed.kubeconfig, shared: true },
    });
    if (cluster.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(cluster.body)}`);
    clusterId = cluster.body.id;
  }, 60 * 60_000);

  afterAll(async () => {
    await testbed?.kube.core.deleteNode({ name: nodeName }).catch(() => undefined);
    await h?.stop();
    await testbed?.release();
  }, 120_000);

  const readCluster = async (): Promise<Cluster> => {
    const answer = await h.clusterHttp<Cluster>('GET', `/api/v1/clusters/${clusterId}`);
    if (answer.status !== 200) throw new Error(`cluster read failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const h100 = (cluster: Cluster) => cluster.gpu_inventory['H100-80GB'] ?? 0;

  it('adds a new node with 4 × H100-80GB to gpu_inventory, and removes it when the node is deleted', async () => {
    const before = await pollUntil(readCluster, (c) => h100(c) > 0, { ...SLOW, what: 'the test bed H100s in the inventory' });
    const base = h100(before);

    await testbed.kube.core.createNode({ body: gpuNode(nodeName, 'H100-80GB', 4) });
    const grown = await pollUntil(readCluster, (c) => h100(c) === base + 4, { ...SLOW, what: 'the new node in the inventory' });
    expect(grown.gpu_inventory).toMatchObject({ ...before.gpu_inventory, 'H100-80GB': base + 4 });

    await testbed.kube.core.deleteNode({ name: nodeName });
    await pollUntil(() => isGone(() => testbed.kube.core.readNode({ name: nodeName })), Boolean, { ...SLOW, what: 'node deleted' });
    const shrunk = await pollUntil(readCluster, (c) => h100(c) === base, { ...SLOW, what: 'the node gone from the inventory' });
    expect(shrunk.gpu_inventory).toEqual(before.gpu_inventory);
  });

  it("counts another tenant's GPU job in one tenant's dry-run capacity verdict", async () => {
    const inventory = (await readCluster()).gpu_inventory;
    const a100 = inventory['A100-80GB'] ?? 0;
    expect(a100).toBeGreaterThanOrEqual(8);
    const dryRun = async () => {
      const plan = await h.http<{ capacity: { admits: boolean; gpus: Array<{ gpu_type: string; requested: number; free: number }> } }>(
        'POST',
        '/api/v1/deployments?dry_run=true',
        { caller: h.tenantA, body: ragRequest(clusterId) },
      );
      if (plan.status !== 200) throw new Error(`dry run failed: ${plan.status} ${JSON.stringify(plan.body)}`);
      return plan.body.capacity;
    };
    expect((await dryRun()).gpus).toEqual([expect.objectContaining({ gpu_type: 'A100-80GB', requested: 1, free: a100 })]);

    // Tenant B's job takes 8 A100s (one whole test bed node); tenant A cannot see it, but its verdict counts it.
    const theirs = await h.clusterHttp<{ id: string }>('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      caller: h.tenantB,
      body: containerJob({ resources: { gpu_type: 'A100-80GB', gpu_count: 8, cpu_request: '1', memory_request: '1Gi' } }),
    });
    if (theirs.status !== 201) throw new Error(`tenant B's job failed: ${JSON.stringify(theirs.body)}`);
    const verdict = await pollUntil(dryRun, (c) => c.gpus[0]?.free !== a100, { ...SLOW, what: "tenant B's GPUs counted" });
    expect(verdict.gpus).toEqual([expect.objectContaining({ gpu_type: 'A100-80GB', requested: 1, free: a100 - 8 })]);
    const listedByA = await h.clusterHttp<{ items: Array<{ id: string }> }>('GET', `/api/v1/clusters/${clusterId}/jobs?page_size=100`, {
      caller: h.tenantA,
    });
    expect(listedByA.body.items.map((j) => j.id)).not.toContain(theirs.body.id);
    await h.clusterHttp('DELETE', `/api/v1/clusters/${clusterId}/jobs/${theirs.body.id}`, { caller: h.tenantB });
  });
});
