// Day 2 on the kubernetes driver itself, against the test bed's real control plane (docs/design.md#in-place-update,
// #job-health, #volumes): in-place updates as rolling updates that never leave the Service without a ready endpoint,
// scale without a new ReplicaSet, a rollback that brings the old ReplicaSet back, health from pod readiness, claims
// that outlive their jobs, and a HelmRelease updated in place. The test plays the kubelet (pod readiness) and
// helm-controller (HelmRelease status); kwok readies every other pod.
import { randomUUID } from 'node:crypto';
import type { JobSpec } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { JobModel, ObservedStatus } from '../../apps/budcluster/src/domain/job-model';
import { KubernetesDriver } from '../../apps/budcluster/src/drivers/kubernetes';
import { makeJob } from '../../apps/budcluster/test/support/job-model.builder';
import { NEVER_READY_ENV } from '../../scripts/testbed/kwok-config';
import { setReleaseCondition } from './support/helm-releases';
import { isPodReady, podsOfJob, setPodReady } from './support/pods';
import { recordReadyEndpoints } from './support/ready-endpoints';
import { acquireTestbed, isGone, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 60_000, intervalMs: 100 };
const HELM = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const web = (env: Record<string, string> = {}, volumes: NonNullable<Extract<JobSpec, { kind: 'container' }>['volumes']> = []): JobSpec => ({
  kind: 'container',
  image: 'nginx:1.27',
  env,
  ports: [{ port: 80, protocol: 'TCP' }],
  health_check_path: '/',
  ...(volumes.length > 0 ? { volumes } : {}),
});

describe('kubernetes driver: day 2 on the test bed control plane', () => {
  let testbed: Testbed;
  let driver: KubernetesDriver;
  const reports: ObservedStatus[] = [];
  const namespace = `day2-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    testbed = await acquireTestbed();
    driver = new KubernetesDriver(testbed.kubeconfig, {
      clusterId: 'day2-driver',
      clock: { now: () => Date.now() },
      orphanGraceMs: 0,
      logger: quiet,
    });
    await driver.start(async (observed) => {
      reports.push(observed);
    });
  }, 60 * 60_000);

  afterAll(async () => {
    await driver?.stop();
    await testbed?.release();
  }, 120_000);

  const newJob = (overrides: Partial<JobModel> = {}, spec: JobSpec = web()): JobModel =>
    makeJob({ id: randomUUID(), name: `web-${randomUUID().slice(0, 6)}`, namespace, status: 'pending', generation: 1, ...overrides }, spec);
  /** The next version of a job, as the lifecycle hands it to apply: same id, running, one generation on. */
  const nextGeneration = (job: JobModel, change: Partial<JobModel>): JobModel => ({
    ...job,
    status: 'running',
    generation: job.generation + 1,
    ...change,
  });
  const reportsOf = (job: JobModel) => reports.filter((r) => r.jobId === job.id);
  const untilReported = (job: JobModel, accept: (r: ObservedStatus) => boolean, what: string) =>
    pollUntil(
      () => reportsOf(job).at(-1),
      (r) => r !== undefined && accept(r),
      { ...SLOW, what: `${job.name}: ${what}` },
    );
  const rolledOut = (job: JobModel) =>
    untilReported(
      job,
      (r) => r.status === 'running' && r.rollout?.generation === job.generation && r.rollout.complete && r.health?.health === 'healthy',
      `generation ${job.generation} rolled out and healthy`,
    );
  const replicaSets = async (job: JobModel): Promise<V1ReplicaSet[]> =>
    (await testbed.kube.apps.listNamespacedReplicaSet({ namespace, labelSelector: `bud.ai/job-id=${job.id}` })).items;
  const serving = async (job: JobModel) =>
    (await replicaSets(job)).filter((rs) => (rs.spec?.replicas ?? 0) > 0).map((rs) => rs.metadata?.name);
  const readDeployment = (job: JobModel) => testbed.kube.apps.readNamespacedDeployment({ name: job.resourceName, namespace });
  const readClaim = (name: string) => testbed.kube.core.readNamespacedPersistentVolumeClaim({ name, namespace });

  describe('one service through update, scale and rollback', () => {
    let job = newJob();
    let servingBefore: (string | undefined)[] = [];

    it('reports a new service healthy with its first generation rolled out', async () => {
      await driver.apply(job);
      const running = await rolledOut(job);
      expect(running?.rollout).toEqual({ generation: 1, complete: true, replicas: 1, readyReplicas: 1, updatedReplicas: 1 });
      const deployment = await readDeployment(job);
      expect(deployment.metadata?.annotations).toMatchObject({ 'bud.ai/generation': '1' });
      expect(deployment.spec?.template.metadata?.annotations?.['bud.ai/generation']).toBeUndefined();
      expect(deployment.spec?.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    });

    it('rolls an env change out in place: same Deployment, a new ReplicaSet, never zero ready endpoints', async () => {
      const before = await readDeployment(job);
      const [oldSet] = await serving(job);
      const endpoints = await recordReadyEndpoints(testbed.kube.config, namespace, job.resourceName);
      let duringChange: () => number[] = () => [];
      try {
        await endpoints.until((n) => n === 1, 'one ready endpoint before the update');
        duringChange = endpoints.mark();
        job = nextGeneration(job, { spec: web({ VERSION: '2' }) });
        await driver.apply(job);
        await rolledOut(job);
        await pollUntil(
          () => serving(job),
          (names) => names.length === 1 && names[0] !== oldSet,
          { ...SLOW, what: 'only the new ReplicaSet serving' },
        );
        await endpoints.until((n) => n === 1, 'the new pod as the one ready endpoint');
      } finally {
        endpoints.stop();
      }
      // The proof's record, for the closing note.
      console.log(`driver rolling update ${job.name}: ready endpoints per EndpointSlice event: ${endpoints.counts.join(' ')}`);
      expect(duringChange().length).toBeGreaterThan(1);
      expect(Math.min(...duringChange())).toBeGreaterThanOrEqual(1);
      const after = await readDeployment(job);
      expect(after.metadata?.uid).toBe(before.metadata?.uid);
      expect(after.metadata?.annotations).toMatchObject({ 'bud.ai/generation': '2' });
      expect(after.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: 'VERSION', value: '2' });
      expect(await replicaSets(job)).toHaveLength(2);
      expect(reportsOf(job).some((r) => r.rollout?.generation === 2 && r.health?.health === 'progressing' && r.status === 'running')).toBe(
        true,
      );
      expect(reportsOf(job).every((r) => r.status === 'admitted' || r.status === 'running')).toBe(true);
    });

    it('scales 1 → 3 with three ready pods and no new ReplicaSet', async () => {
      const setsBefore = (await replicaSets(job)).map((rs) => rs.metadata?.name).sort();
      job = nextGeneration(job, { resources: { ...job.resources, replicas: 3 } });
      await driver.apply(job);
      const done = await rolledOut(job);
      expect(done?.rollout).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3 });
      const pods = await podsOfJob(testbed.kube, namespace, job.id);
      expect(pods.filter((p) => !p.metadata?.deletionTimestamp && isPodReady(p))).toHaveLength(3);
      expect((await replicaSets(job)).map((rs) => rs.metadata?.name).sort()).toEqual(setsBefore);
      servingBefore = await serving(job);
      expect(servingBefore).toHaveLength(1);
    });

    it('keeps the old ReplicaSet serving while an update never becomes ready, and brings it back on re-applying the old spec', async () => {
      const good = job;
      const endpoints = await recordReadyEndpoints(testbed.kube.config, namespace, job.resourceName);
      let duringChange: () => number[] = () => [];
      try {
        await endpoints.until((n) => n === 3, 'three ready endpoints before the update');
        duringChange = endpoints.mark();
        job = nextGeneration(job, { spec: web({ VERSION: '2', [NEVER_READY_ENV]: 'true' }) });
        await driver.apply(job);
        await pollUntil(
          () => podsOfJob(testbed.kube, namespace, job.id),
          (pods) => pods.some((p) => p.status?.phase === 'Pending' && p.spec?.containers[0]?.env?.some((e) => e.name === NEVER_READY_ENV)),
          { ...SLOW, what: 'a surge pod that never becomes ready' },
        );
        const stuck = await untilReported(job, (r) => r.rollout?.generation === job.generation, 'the stuck generation reported');
        expect(stuck).toMatchObject({ status: 'running', health: { health: 'progressing' }, rollout: { complete: false } });
        expect(await serving(job)).toEqual(expect.arrayContaining(servingBefore));
        // What the rollback watchdog does: the last good spec again, one generation on.
        job = nextGeneration(good, { generation: job.generation + 1 });
        await driver.apply(job);
        await rolledOut(job);
        await pollUntil(
          () => serving(job),
          (names) => names.length === 1,
          { ...SLOW, what: 'one ReplicaSet serving' },
        );
        expect(await serving(job)).toEqual(servingBefore);
        await endpoints.until((n) => n === 3, 'three ready endpoints after the rollback');
      } finally {
        endpoints.stop();
      }
      // The proof's record, for the closing note.
      console.log(`driver rollback ${job.name}: ready endpoints per EndpointSlice event: ${endpoints.counts.join(' ')}`);
      expect(Math.min(...duringChange())).toBe(3);
    });

    it('reports a pod that turns not-ready as unhealthy while the job stays running, and its recovery as healthy', async () => {
      const [pod] = (await podsOfJob(testbed.kube, namespace, job.id)).filter((p) => !p.metadata?.deletionTimestamp && isPodReady(p));
      if (!pod?.metadata?.name) throw new Error('no ready pod');
      await setPodReady(testbed.kube, namespace, pod.metadata.name, false);
      const unhealthy = await untilReported(job, (r) => r.health?.health === 'unhealthy', 'unhealthy');
      expect(unhealthy).toMatchObject({ status: 'running', health: { reason: 'Unready', message: '2/3 replicas ready' } });
      await setPodReady(testbed.kube, namespace, pod.metadata.name, true);
      await untilReported(job, (r) => r.health?.health === 'healthy', 'healthy again');
    });
  });

  describe('claims', () => {
    const volumes = [{ name: 'data', mount_path: '/data', size: '1Gi' }];
    const name = `store-${randomUUID().slice(0, 6)}`;
    const claimName = `${name}-data`;

    it('keeps the claim through remove, the orphan sweep and a new job of the same name, which reattaches it', async () => {
      const first = newJob({ name }, web({}, volumes));
      await driver.apply(first);
      await rolledOut(first);
      const claim = await readClaim(claimName);
      expect(claim.metadata?.labels?.['bud.ai/job-id']).toBeUndefined();
      expect(claim.metadata?.labels?.['bud.ai/volume']).toBe(claimName);

      await driver.remove(first);
      await pollUntil(() => isGone(() => readDeployment(first)), Boolean, { ...SLOW, what: 'Deployment gone' });
      // No job is active: every other labelled object is an orphan, but not the claim.
      await driver.reconcile([]);
      expect((await readClaim(claimName)).metadata?.uid).toBe(claim.metadata?.uid);

      const second = newJob({ name }, web({}, volumes));
      await driver.apply(second);
      await rolledOut(second);
      const [pod] = await podsOfJob(testbed.kube, namespace, second.id);
      expect(pod?.spec?.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName } });
      expect((await readClaim(claimName)).metadata?.uid).toBe(claim.metadata?.uid);

      await driver.remove(second);
      await pollUntil(() => isGone(() => readDeployment(second)), Boolean, { ...SLOW, what: 'Deployment gone' });
      await driver.deleteVolume({ id: randomUUID(), clusterId: 'day2-driver', tenantId: second.tenantId, namespace, claimName });
      await pollUntil(() => isGone(() => readClaim(claimName)), Boolean, { ...SLOW, what: 'claim gone' });
    });
  });

  it('applies a new job of the same name right after remove, waiting out the objects still being deleted', async () => {
    const name = `again-${randomUUID().slice(0, 6)}`;
    // Objects of one name, as two jobs from before resource names have (or two helm jobs of one release_name, one ended).
    const first = newJob({ name, resourceName: name });
    await driver.apply(first);
    await rolledOut(first);
    await driver.remove(first);
    const second = newJob({ name, resourceName: name });
    await driver.apply(second);
    await rolledOut(second);
    expect(reportsOf(second).map((r) => r.status)).not.toContain('failed');
    const deployment = await readDeployment(second);
    expect(deployment.spec?.selector.matchLabels).toEqual({ 'bud.ai/job-id': second.id });
    const service = await testbed.kube.core.readNamespacedService({ name, namespace });
    expect(service.spec?.selector).toEqual({ 'bud.ai/job-id': second.id });
    expect(service.metadata?.deletionTimestamp).toBeUndefined();
  });

  describe('a helm job', () => {
    it('updates its HelmRelease in place on a values change', async () => {
      const spec = (replicas: number): JobSpec => ({
        kind: 'helm',
        chart_ref: 'oci://ghcr.io/stefanprodan/charts/podinfo',
        chart_version: '6.7.0',
        values: { replicaCount: replicas },
      });
      let job = newJob({ name: `chart-${randomUUID().slice(0, 6)}` }, spec(1));
      const read = async () =>
        (await testbed.kube.custom.getNamespacedCustomObject({ ...HELM, namespace, name: job.resourceName })) as {
          metadata: { uid: string; generation: number; annotations?: Record<string, string> };
          spec: { values: Record<string, unknown> };
        };
      await driver.apply(job);
      await setReleaseCondition(testbed.kube, namespace, job.resourceName, {
        type: 'Ready',
        status: 'True',
        reason: 'InstallSucceeded',
        message: 'Helm install succeeded',
      });
      await rolledOut(job);
      const before = await read();

      job = nextGeneration(job, { spec: spec(2) });
      await driver.apply(job);
      const after = await read();
      expect(after.metadata.uid).toBe(before.metadata.uid);
      expect(after.metadata.generation).toBe(before.metadata.generation + 1);
      expect(after.spec.values).toEqual({ replicaCount: 2 });
      expect(after.metadata.annotations).toMatchObject({ 'bud.ai/generation': '2' });
      await untilReported(job, (r) => r.rollout?.generation === 2 && r.health?.health === 'progressing', 'upgrade progressing');
      expect(reportsOf(job).at(-1)?.status).toBe('running');
      await setReleaseCondition(testbed.kube, namespace, job.resourceName, {
        type: 'Ready',
        status: 'True',
        reason: 'UpgradeSucceeded',
        message: 'Helm upgrade succeeded',
      });
      await rolledOut(job);
    });
  });

  describe('namespaces', () => {
    it('deletes a namespace it created and leaves one it did not', async () => {
      const foreign = `foreign-${randomUUID().slice(0, 8)}`;
      await testbed.kube.core.createNamespace({ body: { metadata: { name: foreign } } });
      const own = `own-${randomUUID().slice(0, 8)}`;
      const job = newJob({ namespace: own });
      await driver.apply(job);
      await driver.remove(job);
      const created = await testbed.kube.core.readNamespace({ name: own });
      expect(created.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'budcluster' });

      await driver.deleteNamespace(foreign);
      await driver.deleteNamespace(own);
      await driver.deleteNamespace(`never-${randomUUID().slice(0, 8)}`);
      const ownAfter = await testbed.kube.core.readNamespace({ name: own }).catch(() => undefined);
      expect(ownAfter === undefined || ownAfter.metadata?.deletionTimestamp !== undefined).toBe(true);
      expect((await testbed.kube.core.readNamespace({ name: foreign })).metadata?.deletionTimestamp).toBeUndefined();
    });
  });
});
