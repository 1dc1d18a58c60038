// docs/design.md#object-names on the test bed's real control plane: two active jobs of one name in one namespace
// each get their own Deployment and Service (named after the job's id) and both run; removing one leaves the other's.
import { randomUUID } from 'node:crypto';
import { pollUntil } from '@bud/testing';
import { containerJob, startHarness, type Harness } from '../../apps/budcluster/test/support/harness';
import { acquireTestbed, isGone, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 60_000, intervalMs: 200 };

interface Job {
  id: string;
  name: string;
  status: string;
  k8s_namespace: string;
  k8s_resource_name: string;
  outputs: { service?: string; host?: string };
}

describe('object names on the test bed control plane', () => {
  let testbed: Testbed;
  let h: Harness;
  let clusterId: string;

  beforeAll(async () => {
    testbed = await acquireTestbed();
    h = await startHarness({ ...TESTBED_BUDCLUSTER_ENV, LOG_LEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'error' });
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: { name: `testbed-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: testbed.kubeconfig },
    });
    if (created.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(created.body)}`);
    clusterId = created.body.id;
  }, 60 * 60_000);

  afterAll(async () => {
    await h?.stop();
    await testbed?.release();
  }, 120_000);

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const createJob = async (body: Record<string, unknown>): Promise<Job> => {
    const created = await h.http<Job>('POST', jobsPath(), { body });
    if (created.status !== 201) throw new Error(`job create failed: ${JSON.stringify(created.body)}`);
    return created.body;
  };
  const running = (id: string) =>
    pollUntil(
      async () => (await h.http<Job>('GET', `${jobsPath()}/${id}`)).body,
      (job) => job.status === 'running' || job.status === 'failed',
      { ...SLOW, what: `job ${id} running` },
    );

  it('runs two jobs of one name in one namespace side by side, each on its own Deployment and Service', async () => {
    const name = `twin-${randomUUID().slice(0, 6)}`;
    const first = await createJob(containerJob({ name }));
    const second = await createJob(containerJob({ name, k8s_namespace: first.k8s_namespace }));
    const [a, b] = await Promise.all([running(first.id), running(second.id)]);
    expect([a.status, b.status]).toEqual(['running', 'running']);
    expect(a.k8s_resource_name).not.toBe(b.k8s_resource_name);
    const namespace = first.k8s_namespace;

    for (const job of [a, b]) {
      const deployment = await testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace });
      expect(deployment.metadata?.labels?.['bud.ai/job-id']).toBe(job.id);
      expect(deployment.status?.readyReplicas).toBe(1);
      const service = await testbed.kube.core.readNamespacedService({ name: job.k8s_resource_name, namespace });
      expect(service.spec?.selector).toEqual({ 'bud.ai/job-id': job.id });
      expect(job.outputs.host).toBe(`${job.k8s_resource_name}.${namespace}.svc.cluster.local`);
    }
    const named = (await testbed.kube.apps.listNamespacedDeployment({ namespace })).items.filter((d) =>
      d.metadata?.name?.startsWith(`${name}-`),
    );
    expect(named.map((d) => d.metadata?.labels?.['bud.ai/job-id']).sort()).toEqual([a.id, b.id].sort());

    // Cancelling one removes its objects only.
    expect((await h.http('DELETE', `${jobsPath()}/${a.id}`)).status).toBe(202);
    await pollUntil(() => isGone(() => testbed.kube.apps.readNamespacedDeployment({ name: a.k8s_resource_name, namespace })), Boolean, {
      ...SLOW,
      what: 'the first Deployment deleted',
    });
    const kept = await testbed.kube.apps.readNamespacedDeployment({ name: b.k8s_resource_name, namespace });
    expect(kept.metadata?.deletionTimestamp).toBeUndefined();
    expect((await h.http<Job>('GET', `${jobsPath()}/${b.id}`)).body.status).toBe('running');
  });
});
