// Issue 10's proofs on the real control plane, through budcluster's API (docs/design.md#in-place-update, #job-health,
// #volumes): budcluster runs in-process on the test bed; kwok readies pods, the test plays the kubelet (pod readiness)
// and helm-controller (HelmRelease status).
import { randomUUID } from 'node:crypto';
import { pollUntil } from '@bud/testing';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { containerJob, startHarness, type Harness } from '../../apps/budcluster/test/support/harness';
import { NEVER_READY_ENV } from '../../scripts/testbed/kwok-config';
import { setReleaseCondition } from './support/helm-releases';
import { isPodReady, podsOfJob, setPodReady } from './support/pods';
import { recordReadyEndpoints } from './support/ready-endpoints';
import { acquireTestbed, isGone, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 60_000, intervalMs: 200 };
const HELM = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };

interface Job {
  id: string;
  name: string;
  status: string;
  status_reason: string | null;
  status_message: string | null;
  events?: Array<{ to_status: string; reason: string | null }>;
  k8s_namespace: string;
  k8s_resource_name: string;
  spec: Record<string, unknown> & { env?: Record<string, string> };
  resources: Record<string, unknown>;
  health: string;
  health_reason: string | null;
  health_message: string | null;
  rollout: { generation: number; observed_generation: number; replicas: number; ready_replicas: number; updated_replicas: number };
}

interface Volume {
  id: string;
  claim_name: string;
  status: string;
  job_id: string | null;
}

describe('Day 2 through budcluster on the test bed control plane', () => {
  let testbed: Testbed;
  let h: Harness;
  let clusterId: string;

  beforeAll(async () => {
    testbed = await acquireTestbed();
    h = await startHarness({
      ...TESTBED_BUDCLUSTER_ENV,
      ROLLOUT_CHECK_MS: '250',
      LOG_LEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'error',
    });
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
  const getJob = async (id: string): Promise<Job> => {
    const answer = await h.http<Job>('GET', `${jobsPath()}/${id}`);
    if (answer.status !== 200) throw new Error(`job read failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const createJob = async (body: Record<string, unknown>): Promise<Job> => {
    const created = await h.http<Job>('POST', jobsPath(), { body });
    if (created.status !== 201) throw new Error(`job create failed: ${JSON.stringify(created.body)}`);
    return created.body;
  };
  const patchJob = async (job: Job, body: Record<string, unknown>): Promise<Job> => {
    const patched = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, { body });
    if (patched.status !== 200) throw new Error(`job patch failed: ${patched.status} ${JSON.stringify(patched.body)}`);
    return patched.body;
  };
  /** A timeout names what the job says now (status, health, rollout, history), not the first 500 characters of it. */
  const until = async (id: string, accept: (job: Job) => boolean, what: string): Promise<Job> => {
    try {
      return await pollUntil(() => getJob(id), accept, { ...SLOW, what });
    } catch (error) {
      const job = await getJob(id).catch(() => undefined);
      const now = job && {
        status: job.status,
        reason: job.status_reason,
        message: job.status_message,
        health: job.health,
        health_reason: job.health_reason,
        health_message: job.health_message,
        rollout: job.rollout,
        history: job.events?.map((event) => `${event.to_status}:${event.reason}`),
      };
      throw new Error(`${(error as Error).message.split(' (last value')[0]}; the job now: ${JSON.stringify(now)}`);
    }
  };
  const untilRolledOut = (id: string, generation: number) =>
    until(
      id,
      (job) => job.status === 'running' && job.rollout.observed_generation >= generation && job.health === 'healthy',
      `generation ${generation} rolled out and healthy`,
    );
  const replicaSets = async (job: Job): Promise<V1ReplicaSet[]> =>
    (await testbed.kube.apps.listNamespacedReplicaSet({ namespace: job.k8s_namespace, labelSelector: `bud.ai/job-id=${job.id}` })).items;
  const serving = async (job: Job) =>
    (await replicaSets(job)).filter((rs) => (rs.spec?.replicas ?? 0) > 0).map((rs) => rs.metadata?.name ?? '');
  const readClaim = (job: Job, name: string) =>
    testbed.kube.core.readNamespacedPersistentVolumeClaim({ name, namespace: job.k8s_namespace });
  const volumes = async () => (await h.http<{ items: Volume[] }>('GET', `/api/v1/clusters/${clusterId}/volumes?page_size=100`)).body.items;
  /** Records the job's status on every poll, so a test can show it never left running. */
  const statusesWhile = (id: string) => {
    const seen = new Set<string>();
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        seen.add((await getJob(id)).status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return {
      async stop() {
        stopped = true;
        await loop;
        return [...seen];
      },
    };
  };

  describe('a service updated in place', () => {
    let job: Job;

    beforeAll(async () => {
      job = await createJob(
        containerJob({ spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }], env: { VERSION: '1' } } }),
      );
      job = await untilRolledOut(job.id, 1);
    });

    it('(1) rolls an env change out as a new ReplicaSet under the same job id, never with zero ready endpoints', async () => {
      const [oldSet] = await serving(job);
      const endpoints = await recordReadyEndpoints(testbed.kube.config, job.k8s_namespace, job.k8s_resource_name);
      let duringChange: () => number[] = () => [];
      const statuses = statusesWhile(job.id);
      try {
        await endpoints.until((n) => n === 1, 'one ready endpoint before the update');
        duringChange = endpoints.mark();
        const patched = await patchJob(job, { spec: { ...job.spec, env: { VERSION: '2' } } });
        expect(patched.id).toBe(job.id);
        expect(patched.rollout.generation).toBe(2);
        job = await untilRolledOut(job.id, 2);
        await pollUntil(
          () => serving(job),
          (names) => names.length === 1 && names[0] !== oldSet,
          {
            ...SLOW,
            what: 'the new ReplicaSet alone serving',
          },
        );
        await endpoints.until((n) => n === 1, 'the new pod as the one ready endpoint');
      } finally {
        endpoints.stop();
      }
      // The proof's record, for the closing note.
      console.log(`proof 1 (${job.name}): ready endpoints after each EndpointSlice event: ${endpoints.counts.join(' ')}`);
      expect(await statuses.stop()).toEqual(['running']);
      expect(duringChange().length).toBeGreaterThan(1);
      expect(Math.min(...duringChange())).toBeGreaterThanOrEqual(1);
      expect(await replicaSets(job)).toHaveLength(2);
      const deployment = await testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
      expect(deployment.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: 'VERSION', value: '2' });
      expect(deployment.metadata?.annotations).toMatchObject({ 'bud.ai/generation': '2' });
    });

    it('(2) scales from 1 to 3: three ready pods and no new ReplicaSet', async () => {
      const setsBefore = (await replicaSets(job)).map((rs) => rs.metadata?.name).sort();
      const patched = await patchJob(job, { resources: { ...job.resources, replicas: 3 } });
      expect(patched.rollout.generation).toBe(3);
      job = await until(
        job.id,
        (j) => j.rollout.observed_generation >= 3 && j.rollout.ready_replicas === 3 && j.health === 'healthy',
        'three ready replicas',
      );
      const pods = (await podsOfJob(testbed.kube, job.k8s_namespace, job.id)).filter((p) => !p.metadata?.deletionTimestamp);
      expect(pods.filter(isPodReady)).toHaveLength(3);
      expect((await replicaSets(job)).map((rs) => rs.metadata?.name).sort()).toEqual(setsBefore);
    });

    it('(6) turns unhealthy when a pod loses readiness, and healthy when it recovers, running throughout', async () => {
      const [pod] = (await podsOfJob(testbed.kube, job.k8s_namespace, job.id)).filter(
        (p) => !p.metadata?.deletionTimestamp && isPodReady(p),
      );
      if (!pod?.metadata?.name) throw new Error('no ready pod');
      await setPodReady(testbed.kube, job.k8s_namespace, pod.metadata.name, false);
      const unhealthy = await until(job.id, (j) => j.health === 'unhealthy', 'health unhealthy');
      expect(unhealthy).toMatchObject({ status: 'running', health_reason: 'Unready', health_message: '2/3 replicas ready' });
      await setPodReady(testbed.kube, job.k8s_namespace, pod.metadata.name, true);
      expect(await until(job.id, (j) => j.health === 'healthy', 'health healthy again')).toMatchObject({ status: 'running' });
    });
  });

  it('(3) rolls back an update whose pods never become ready, the old ReplicaSet serving throughout', async () => {
    let job = await createJob(
      containerJob({
        spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }], env: { VERSION: '1' } },
        policy: { readiness_timeout_seconds: 5 },
      }),
    );
    job = await untilRolledOut(job.id, 1);
    const before = await serving(job);
    const endpoints = await recordReadyEndpoints(testbed.kube.config, job.k8s_namespace, job.k8s_resource_name);
    let duringChange: () => number[] = () => [];
    const statuses = statusesWhile(job.id);
    const servingSeen = new Set<string>();
    try {
      await endpoints.until((n) => n === 1, 'one ready endpoint before the update');
      duringChange = endpoints.mark();
      const patched = await patchJob(job, { spec: { ...job.spec, env: { VERSION: '2', [NEVER_READY_ENV]: 'true' } } });
      expect(patched.rollout.generation).toBe(2);
      const rolledBack = await pollUntil(
        async () => {
          for (const name of await serving(job)) servingSeen.add(name);
          return getJob(job.id);
        },
        (j) => j.health_reason === 'RolledBack' || j.rollout.generation >= 3,
        { ...SLOW, what: 'the rollback' },
      );
      expect(rolledBack.status_message).toMatch(/generation 2 was not ready within 5s; rolled back to the spec of generation 1/);
      job = await untilRolledOut(job.id, 3);
      await pollUntil(
        () => serving(job),
        (names) => names.length === 1,
        { ...SLOW, what: 'one ReplicaSet serving' },
      );
      await endpoints.until((n) => n === 1, 'one ready endpoint after the rollback');
    } finally {
      endpoints.stop();
    }
    console.log(`proof 3 (${job.name}): ready endpoints after each EndpointSlice event: ${endpoints.counts.join(' ')}`);
    expect(await statuses.stop()).toEqual(['running']);
    expect(Math.min(...duringChange())).toBeGreaterThanOrEqual(1);
    expect(await serving(job)).toEqual(before);
    expect([...servingSeen]).toEqual(expect.arrayContaining(before));
    expect(job.spec.env).toEqual({ VERSION: '1' });
    const deployment = await testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
    expect(deployment.spec?.template.spec?.containers[0]?.env?.map((e) => e.name)).not.toContain(NEVER_READY_ENV);
  });

  describe('claims', () => {
    const withVolume = (name: string) =>
      containerJob({
        name,
        spec: {
          kind: 'container',
          image: 'nginx:1.27',
          ports: [{ port: 80 }],
          volumes: [{ name: 'data', mount_path: '/data', size: '1Gi' }],
        },
      });
    const cancel = async (job: Job) => {
      expect((await h.http('DELETE', `${jobsPath()}/${job.id}`)).status).toBe(202);
      await until(job.id, (j) => j.status === 'cancelled', 'cancelled');
      await pollUntil(
        () => isGone(() => testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace: job.k8s_namespace })),
        Boolean,
        { ...SLOW, what: 'Deployment gone' },
      );
    };

    it('(4) keeps the claim when a job is cancelled and reattaches the same claim (same UID) to a new job of that name', async () => {
      const name = `keep-${randomUUID().slice(0, 8)}`;
      const first = await createJob(withVolume(name));
      await untilRolledOut(first.id, 1);
      const claim = await readClaim(first, `${name}-data`);
      await cancel(first);
      expect((await readClaim(first, `${name}-data`)).metadata?.uid).toBe(claim.metadata?.uid);
      expect((await volumes()).find((v) => v.claim_name === `${name}-data`)).toMatchObject({ status: 'detached' });

      const second = await createJob(withVolume(name));
      await untilRolledOut(second.id, 1);
      expect((await readClaim(second, `${name}-data`)).metadata?.uid).toBe(claim.metadata?.uid);
      expect((await volumes()).find((v) => v.claim_name === `${name}-data`)).toMatchObject({ status: 'attached', job_id: second.id });
    });

    it('(5) keeps the claim on delete with keep_data=true, and removes it on a plain delete', async () => {
      const kept = await createJob(withVolume(`kept-${randomUUID().slice(0, 8)}`));
      const dropped = await createJob(withVolume(`drop-${randomUUID().slice(0, 8)}`));
      await untilRolledOut(kept.id, 1);
      await untilRolledOut(dropped.id, 1);
      const keptClaim = await readClaim(kept, `${kept.name}-data`);
      await cancel(kept);
      await cancel(dropped);

      expect((await h.http('DELETE', `${jobsPath()}/${kept.id}?keep_data=true`)).status).toBe(204);
      expect((await h.http('DELETE', `${jobsPath()}/${dropped.id}`)).status).toBe(204);
      await pollUntil(() => isGone(() => readClaim(dropped, `${dropped.name}-data`)), Boolean, {
        ...SLOW,
        what: 'plain delete removes the claim',
      });
      expect((await readClaim(kept, `${kept.name}-data`)).metadata?.uid).toBe(keptClaim.metadata?.uid);
      const listed = await volumes();
      expect(listed.find((v) => v.claim_name === `${kept.name}-data`)).toMatchObject({ status: 'retained' });
      expect(listed.find((v) => v.claim_name === `${dropped.name}-data`)).toBeUndefined();
    });
  });

  it('(7) updates a helm job’s HelmRelease in place on a values change', async () => {
    let job = await createJob({
      name: `chart-${randomUUID().slice(0, 8)}`,
      job_type: 'service',
      spec: { kind: 'helm', chart_ref: 'oci://ghcr.io/stefanprodan/charts/podinfo', chart_version: '6.7.0', values: { replicaCount: 1 } },
    });
    const read = async () =>
      (await testbed.kube.custom.getNamespacedCustomObject({ ...HELM, namespace: job.k8s_namespace, name: job.k8s_resource_name })) as {
        metadata: { uid: string; generation: number; annotations?: Record<string, string> };
        spec: { values: Record<string, unknown> };
      };
    const ready = (reason: string) =>
      setReleaseCondition(testbed.kube, job.k8s_namespace, job.k8s_resource_name, {
        type: 'Ready',
        status: 'True',
        reason,
        message: `Helm ${reason}`,
      });
    const before = await pollUntil(read, (r) => Boolean(r), { ...SLOW, what: 'HelmRelease' });
    await ready('InstallSucceeded');
    job = await untilRolledOut(job.id, 1);

    const patched = await patchJob(job, { spec: { ...job.spec, values: { replicaCount: 2 } } });
    expect(patched.rollout.generation).toBe(2);
    const after = await pollUntil(read, (r) => r.metadata.generation > before.metadata.generation, {
      ...SLOW,
      what: 'HelmRelease updated',
    });
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(after.spec.values).toEqual({ replicaCount: 2 });
    expect(after.metadata.annotations).toMatchObject({ 'bud.ai/generation': '2' });
    expect(await getJob(job.id)).toMatchObject({ status: 'running', health: 'progressing' });
    await ready('UpgradeSucceeded');
    await untilRolledOut(job.id, 2);
  });
});
