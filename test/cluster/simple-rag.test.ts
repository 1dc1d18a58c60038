// The full flow on the test bed: simple-rag-v1 deployed through budusecases onto the real control plane
// reaches running. budcluster runs as a process (dist/), budusecases in-process; kwok readies the pods,
// and the test plays helm-controller for the chart components.
import { pollUntil } from '@bud/testing';
import { randomUUID } from 'node:crypto';
import { startUsecasesHarness, type UsecasesHarness } from '../../apps/budusecases/test/support/harness';
import { ragRequest } from '../../apps/budusecases/test/support/deployments';
import { installSucceedsIn } from './support/helm-releases';
import { acquireTestbed, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';

describe('simple-rag-v1 through budusecases on the test bed control plane', () => {
  let testbed: Testbed;
  let h: UsecasesHarness;
  let clusterId: string;

  beforeAll(async () => {
    testbed = await acquireTestbed();
    h = await startUsecasesHarness({ cluster: { ...TESTBED_BUDCLUSTER_ENV } });
    const created = await h.clusterHttp<{ id: string }>('POST', '/api/v1/clusters', {
      body: { name: `testbed-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: testbed.kubeconfig },
    });
    if (created.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(created.body)}`);
    clusterId = created.body.id;
  }, 60 * 60_000);

  afterAll(async () => {
    await h?.stop();
    await testbed?.release();
  }, 120_000);

  it('deploys every component as real objects and reaches running', async () => {
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    expect(created.status).toBe(201);
    const namespace = created.body.namespace as string;
    const helmController = installSucceedsIn(testbed.kube, namespace);
    try {
      const running = await pollUntil(
        async () => (await h.http('GET', `/api/v1/deployments/${created.body.id}`)).body,
        (d: { status: string; components: Array<{ id: string; status: string }> }) => d.status === 'running' || d.status === 'failed',
        { timeoutMs: 150_000, intervalMs: 250, what: 'deployment running' },
      );
      expect(running.components.map((c) => [c.id, c.status]).sort()).toEqual([
        ['embedding', 'running'],
        ['llm', 'running'],
        ['orchestrator', 'running'],
        ['vector-db', 'running'],
      ]);
    } finally {
      helmController.stop();
    }
    // What the cluster holds: the chart components as HelmReleases, the others as Deployments with ready pods.
    const releases = (await testbed.kube.custom.listNamespacedCustomObject({
      group: 'helm.toolkit.fluxcd.io',
      version: 'v2',
      plural: 'helmreleases',
      namespace,
    })) as {
      items: Array<{ metadata: { name: string } }>;
    };
    const deployments = (await testbed.kube.apps.listNamespacedDeployment({ namespace })).items;
    expect(releases.items.length + deployments.length).toBe(4);
    // The vector-db component's chart gives its release_name, which budcluster keeps (docs/design.md#object-names).
    expect(releases.items.map((r) => r.metadata.name)).toContain('vector-db');
    for (const deployment of deployments) expect(deployment.status?.readyReplicas).toBe(deployment.spec?.replicas);
    const claims = (await testbed.kube.core.listNamespacedPersistentVolumeClaim({ namespace })).items;
    expect(claims.map((c) => c.status?.phase)).toEqual(claims.map(() => 'Bound'));
    const llmPods = (await testbed.kube.core.listNamespacedPod({ namespace })).items.filter(
      (p) => p.spec?.containers[0]?.resources?.limits?.['nvidia.com/gpu'],
    );
    expect(llmPods.length).toBeGreaterThan(0);
    expect(llmPods.every((p) => p.spec?.nodeName?.startsWith('kwok-a100') || p.spec?.nodeName?.startsWith('kwok-h100'))).toBe(true);
  }, 200_000);
});
