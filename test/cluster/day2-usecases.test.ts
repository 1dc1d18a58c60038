// Issue 10's proofs for a use-case deployment on the test bed (docs/design.md#job-health, #volumes): simple-rag-v1
// through budusecases, budcluster as a process (dist/). A pod that loses readiness makes the deployment degraded
// (after DEGRADED_GRACE_MS) and its recovery brings it back; a parameter update rolls the changed component in
// place; stop then start reattaches the same claims (same UIDs).
// kwok readies the pods, the test plays the kubelet for readiness and helm-controller for the chart components.
import { randomUUID } from 'node:crypto';
import { pollUntil } from '@bud/testing';
import { ragRequest } from '../../apps/budusecases/test/support/deployments';
import { startUsecasesHarness, type UsecasesHarness } from '../../apps/budusecases/test/support/harness';
import { installSucceedsIn } from './support/helm-releases';
import { isPodReady, podsOfJob, setPodReady } from './support/pods';
import { recordReadyEndpoints } from './support/ready-endpoints';
import { acquireTestbed, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';

interface Deployment {
  id: string;
  status: string;
  status_message: string | null;
  namespace: string;
  components: Array<{ id: string; status: string; job_id: string | null; health: string | null; health_message: string | null }>;
}

describe('simple-rag-v1 on the test bed: degraded and back, a parameter update in place, stop and start', () => {
  let testbed: Testbed;
  let h: UsecasesHarness;
  let deployment: Deployment;
  let helmController: { stop(): void };

  beforeAll(async () => {
    testbed = await acquireTestbed();
    h = await startUsecasesHarness({ cluster: { ...TESTBED_BUDCLUSTER_ENV }, usecases: { DEGRADED_GRACE_MS: '1000' } });
    const cluster = await h.clusterHttp<{ id: string }>('POST', '/api/v1/clusters', {
      body: { name: `testbed-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: testbed.kubeconfig },
    });
    if (cluster.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(cluster.body)}`);
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(cluster.body.id) });
    if (created.status !== 201) throw new Error(`deployment create failed: ${JSON.stringify(created.body)}`);
    helmController = installSucceedsIn(testbed.kube, created.body.namespace as string);
    deployment = await untilStatus(created.body.id as string, 'running', 150_000);
  }, 60 * 60_000);

  afterAll(async () => {
    helmController?.stop();
    await h?.stop();
    await testbed?.release();
  }, 120_000);

  const read = async (id: string): Promise<Deployment> => {
    const answer = await h.http('GET', `/api/v1/deployments/${id}`);
    if (answer.status !== 200) throw new Error(`deployment read failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as Deployment;
  };
  async function untilStatus(id: string, status: string, timeoutMs = 60_000): Promise<Deployment> {
    return pollUntil(
      () => read(id),
      (d) => d.status === status || (d.status === 'failed' && status !== 'failed'),
      { timeoutMs, intervalMs: 250, what: `deployment ${status}` },
    ).then((d) => {
      if (d.status !== status) throw new Error(`deployment is ${d.status}, expected ${status}: ${d.status_message ?? ''}`);
      return d;
    });
  }
  const claimUids = async (namespace: string) =>
    Object.fromEntries(
      (await testbed.kube.core.listNamespacedPersistentVolumeClaim({ namespace })).items.map((c) => [c.metadata?.name, c.metadata?.uid]),
    );

  it('(6) turns degraded when a component pod loses readiness, naming the component, and running again when it recovers', async () => {
    const orchestrator = deployment.components.find((c) => c.id === 'orchestrator');
    if (!orchestrator?.job_id) throw new Error('no orchestrator job');
    const [pod] = (await podsOfJob(testbed.kube, deployment.namespace, orchestrator.job_id)).filter(isPodReady);
    if (!pod?.metadata?.name) throw new Error('no ready orchestrator pod');

    await setPodReady(testbed.kube, deployment.namespace, pod.metadata.name, false);
    const degraded = await untilStatus(deployment.id, 'degraded');
    expect(degraded.status_message).toMatch(/orchestrator/);
    expect(degraded.components.find((c) => c.id === 'orchestrator')).toMatchObject({
      health: 'unhealthy',
      health_message: '0/1 replicas ready',
    });

    await setPodReady(testbed.kube, deployment.namespace, pod.metadata.name, true);
    const recovered = await untilStatus(deployment.id, 'running');
    expect(recovered.components.find((c) => c.id === 'orchestrator')).toMatchObject({ health: 'healthy' });
  });

  it('(1) updates a parameter in place: the embedding component rolls a new ReplicaSet under the same job, never with zero ready endpoints', async () => {
    const embedding = deployment.components.find((c) => c.id === 'embedding');
    if (!embedding?.job_id) throw new Error('no embedding job');
    const jobId = embedding.job_id;
    const sets = async () =>
      (await testbed.kube.apps.listNamespacedReplicaSet({ namespace: deployment.namespace, labelSelector: `bud.ai/job-id=${jobId}` }))
        .items;
    const setsBefore = (await sets()).map((rs) => rs.metadata?.name);
    // The job's objects are named after its id (docs/design.md#object-names): found by its label.
    const byJob = { namespace: deployment.namespace, labelSelector: `bud.ai/job-id=${jobId}` };
    const [service] = (await testbed.kube.core.listNamespacedService(byJob)).items;
    if (!service?.metadata?.name) throw new Error('no embedding Service');
    const endpoints = await recordReadyEndpoints(testbed.kube.config, deployment.namespace, service.metadata.name);
    let duringChange: () => number[] = () => [];
    try {
      await endpoints.until((n) => n >= 1, 'the embedding Service serving before the update');
      duringChange = endpoints.mark();
      const patched = await h.http('PATCH', `/api/v1/deployments/${deployment.id}`, {
        body: { parameters: { embedding_model: 'BAAI/bge-small-en-v1.5' } },
      });
      expect(patched.status).toBe(200);
      await pollUntil(
        async () => (await sets()).filter((rs) => !setsBefore.includes(rs.metadata?.name)),
        (fresh) => fresh.some((rs) => (rs.status?.readyReplicas ?? 0) >= 1),
        { timeoutMs: 60_000, intervalMs: 250, what: 'a new embedding ReplicaSet ready' },
      );
      const updated = await untilStatus(deployment.id, 'running');
      expect(updated.components.find((c) => c.id === 'embedding')?.job_id).toBe(jobId);
      await endpoints.until((n) => n >= 1, 'the embedding Service serving after the update');
    } finally {
      endpoints.stop();
    }
    console.log(`proof 1 via budusecases (embedding): ready endpoints after each EndpointSlice event: ${endpoints.counts.join(' ')}`);
    expect(Math.min(...duringChange())).toBeGreaterThanOrEqual(1);
    const [deploymentObject] = (await testbed.kube.apps.listNamespacedDeployment(byJob)).items;
    expect(JSON.stringify(deploymentObject.spec?.template.spec?.containers[0])).toContain('BAAI/bge-small-en-v1.5');
  });

  it('(4) keeps every claim through stop and reattaches the same ones (same UIDs) on start', async () => {
    const before = await claimUids(deployment.namespace);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    expect((await h.http('POST', `/api/v1/deployments/${deployment.id}/stop`)).status).toBe(202);
    await untilStatus(deployment.id, 'stopped');
    expect(await claimUids(deployment.namespace)).toEqual(before);

    expect((await h.http('POST', `/api/v1/deployments/${deployment.id}/start`)).status).toBe(202);
    await untilStatus(deployment.id, 'running', 150_000);
    expect(await claimUids(deployment.namespace)).toEqual(before);
  }, 240_000);
});
