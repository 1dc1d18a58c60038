// budcluster's kubernetes driver against a real control plane: kube-apiserver, controller-manager and
// scheduler built from source, etcd, and kwok playing the kubelets of fake GPU nodes (scripts/testbed).
// No Flux controller runs: the test plays helm-controller by writing HelmRelease status itself.
import { randomUUID } from 'node:crypto';
import { metricValue, pollUntil } from '@bud/testing';
import { containerJob, startHarness, type Harness } from '../../apps/budcluster/test/support/harness';
import { DriverRegistry } from '../../apps/budcluster/src/drivers/driver-registry.service';
import { ClusterRepository } from '../../apps/budcluster/src/repositories/cluster.repository';
import { JobRepository } from '../../apps/budcluster/src/repositories/job.repository';
import { toJobModel } from '../../apps/budcluster/src/entities/job-model.mapper';
import { FAIL_POD_LABEL } from '../../scripts/testbed/kwok-config';
import { setReleaseCondition } from './support/helm-releases';
import { acquireTestbed, isGone, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';
import { watchAnswer } from './support/watch-answer';
import { makeManagedNamespace } from './support/workload-identity';

const SLOW = { timeoutMs: 60_000, intervalMs: 200 };
const HELM = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };
const MANAGED = 'app.kubernetes.io/managed-by=budcluster';

interface Job {
  id: string;
  name: string;
  status: string;
  status_reason: string | null;
  k8s_namespace: string;
  k8s_resource_name: string;
  outputs: Record<string, unknown>;
  events: Array<{ to_status: string }>;
}

describe('kubernetes driver on the test bed control plane', () => {
  let testbed: Testbed;
  let h: Harness;
  let clusterId: string;
  let gpuInventory: Record<string, number>;
  const orphanNamespace = `orphans-${randomUUID().slice(0, 8)}`;
  const orphanJobId = randomUUID();

  beforeAll(async () => {
    testbed = await acquireTestbed();
    // A labelled object no job row owns, made first: the orphan sweep spares objects younger than its grace (45 s here).
    // In a namespace as budcluster makes them: it may delete only inside its managed namespaces.
    await makeManagedNamespace(testbed.kube, orphanNamespace);
    await testbed.kube.core.createNamespacedService({
      namespace: orphanNamespace,
      body: {
        metadata: { name: 'orphan', labels: { 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/job-id': orphanJobId } },
        spec: { ports: [{ port: 80 }] },
      },
    });
    // CLUSTER_TEST_LOG_LEVEL=warn shows the driver's informer restarts and resync decisions.
    h = await startHarness({
      ...TESTBED_BUDCLUSTER_ENV,
      K8S_RESYNC_MS: '2000',
      K8S_ORPHAN_GRACE_MS: '45000',
      LOG_LEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'error',
    });
    const created = await h.http<{ id: string; gpu_inventory: Record<string, number> }>('POST', '/api/v1/clusters', {
      body: { name: `testbed-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: testbed.kubeconfig },
    });
    if (created.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(created.body)}`);
    clusterId = created.body.id;
    gpuInventory = created.body.gpu_inventory;
  }, 60 * 60_000);

  afterAll(async () => {
    await h?.stop();
    await testbed?.release();
  }, 120_000);

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const getJob = async (id: string): Promise<Job> => (await h.http<Job>('GET', `${jobsPath()}/${id}`)).body;
  const createJob = async (body: Record<string, unknown>): Promise<Job> => {
    const created = await h.http<Job>('POST', jobsPath(), { body });
    if (created.status !== 201) throw new Error(`job create failed: ${JSON.stringify(created.body)}`);
    return created.body;
  };
  const until = (id: string, status: string, what = `job ${status}`) =>
    pollUntil(
      () => getJob(id),
      (job) => job.status === status,
      { ...SLOW, what },
    );
  const podsOf = async (job: Job) =>
    (await testbed.kube.core.listNamespacedPod({ namespace: job.k8s_namespace, labelSelector: `bud.ai/job-id=${job.id}` })).items;

  it('registers the control plane with the GPU inventory of the kwok nodes', () => {
    expect(gpuInventory).toEqual({ 'A100-80GB': 16, 'H100-80GB': 8 });
  });

  /** The drivers' own count of Kubernetes API requests, as budcluster's /metrics reports it. */
  const apiRequests = async () => metricValue((await h.http<string>('GET', '/metrics')).body, 'bud_kubernetes_api_requests_total') ?? NaN;

  it('turns a SERVICE job into a Deployment and a Service that go pending → admitted → running as kwok readies the pod', async () => {
    const requestsBefore = await apiRequests();
    const job = await createJob(containerJob());
    expect(job.status).toBe('pending');
    const running = await until(job.id, 'running');
    expect(running.events.map((e) => e.to_status)).toEqual(['pending', 'admitted', 'running']);
    expect(running.outputs).toMatchObject({ port: 80, service: job.k8s_resource_name, namespace: job.k8s_namespace });

    const deployment = await testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
    expect(deployment.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/job-id': job.id });
    expect(deployment.status?.readyReplicas).toBe(1);
    const service = await testbed.kube.core.readNamespacedService({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
    expect(service.spec?.selector).toEqual({ 'bud.ai/job-id': job.id });
    const pods = await podsOf(job);
    expect(pods.map((p) => p.status?.phase)).toEqual(['Running']);
    expect(pods[0]?.spec?.nodeName).toBe('kwok-cpu-0');
    // At least the two applies (Deployment, Service) were counted.
    expect((await apiRequests()) - requestsBefore).toBeGreaterThanOrEqual(2);
  });

  it('schedules a GPU service onto a node of its GPU product', async () => {
    const job = await createJob(
      containerJob({ resources: { gpu_type: 'H100-80GB', gpu_count: 2, cpu_request: '1', memory_request: '1Gi' } }),
    );
    await until(job.id, 'running');
    const [pod] = await podsOf(job);
    expect(pod?.spec?.nodeName).toBe('kwok-h100-0');
    expect(pod?.spec?.containers[0]?.resources?.limits).toMatchObject({ 'nvidia.com/gpu': '2' });
  });

  it('re-applies a running job without changing any object (server-side apply is idempotent)', async () => {
    const job = await createJob(containerJob());
    await until(job.id, 'running');
    const versions = async () => {
      const deployment = await testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
      const service = await testbed.kube.core.readNamespacedService({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
      return [deployment.metadata?.resourceVersion, deployment.metadata?.generation, service.metadata?.resourceVersion];
    };
    const before = await versions();
    const app = h.service.app;
    const cluster = await app.get(ClusterRepository).findById(clusterId);
    const row = await app.get(JobRepository).findById(job.id);
    if (!cluster || !row) throw new Error('cluster or job row missing');
    for (let i = 0; i < 3; i++) await app.get(DriverRegistry).apply(cluster, toJobModel(row));
    expect(await versions()).toEqual(before);
    expect((await getJob(job.id)).status).toBe('running');
  });

  it('runs a BATCH job to succeeded when kwok completes its pod', async () => {
    const job = await createJob(containerJob({ job_type: 'batch', spec: { kind: 'container', image: 'busybox:1.36', command: ['true'] } }));
    const done = await until(job.id, 'succeeded');
    expect(done.status_reason).toBe('Completed');
    const batchJob = await testbed.kube.batch.readNamespacedJob({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
    expect(batchJob.status?.succeeded).toBe(1);
  });

  it('fails a BATCH job when kwok fails its pod', async () => {
    const job = await createJob(
      containerJob({
        job_type: 'batch',
        spec: { kind: 'container', image: 'busybox:1.36', command: ['false'] },
        labels: { [FAIL_POD_LABEL]: 'true' },
        policy: { max_retries: 0 },
      }),
    );
    const failed = await until(job.id, 'failed');
    expect(failed.status_reason).toBe('BackoffLimitExceeded');
    const [pod] = await podsOf(job);
    expect(pod?.status?.phase).toBe('Failed');
  });

  it('gives a TRAINING job its checkpoint claim, mounted at /checkpoints, and runs it to succeeded', async () => {
    const job = await createJob(
      containerJob({
        job_type: 'training',
        spec: { kind: 'container', image: 'busybox:1.36' },
        resources: { cpu_request: '1', memory_request: '1Gi', storage: '20Gi' },
      }),
    );
    const claim = await pollUntil(
      () => testbed.kube.core.readNamespacedPersistentVolumeClaim({ name: `${job.name}-checkpoints`, namespace: job.k8s_namespace }),
      (pvc) => Boolean(pvc.metadata?.uid),
      { ...SLOW, what: 'checkpoint PVC' },
    );
    // The claim outlives the job (docs/design.md#volumes): it is labelled with its own name, not the job id.
    expect(claim.metadata?.labels).toMatchObject({ 'bud.ai/volume': `${job.name}-checkpoints` });
    expect(claim.metadata?.labels?.['bud.ai/job-id']).toBeUndefined();
    expect(claim.spec?.resources?.requests).toEqual({ storage: '20Gi' });
    // The claim is applied before the Job that mounts it.
    const batchJob = await pollUntil(
      () => testbed.kube.batch.readNamespacedJob({ name: job.k8s_resource_name, namespace: job.k8s_namespace }),
      Boolean,
      { ...SLOW, what: 'training Job' },
    );
    const container = batchJob.spec?.template.spec?.containers[0];
    expect(container?.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/checkpoints' }));
    expect(container?.env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/checkpoints' });
    // The claim binds to one of the test bed's pre-provisioned volumes, so the pod schedules and completes.
    await until(job.id, 'succeeded');
    const bound = await testbed.kube.core.readNamespacedPersistentVolumeClaim({
      name: `${job.name}-checkpoints`,
      namespace: job.k8s_namespace,
    });
    expect(bound.status?.phase).toBe('Bound');
  });

  describe('helm specs (the test plays helm-controller)', () => {
    const helmJob = () =>
      createJob({
        name: `chart-${randomUUID().slice(0, 8)}`,
        job_type: 'service',
        spec: { kind: 'helm', chart_ref: 'oci://ghcr.io/stefanprodan/charts/podinfo', chart_version: '6.7.0' },
      });
    const readRelease = (job: Job) =>
      testbed.kube.custom.getNamespacedCustomObject({ ...HELM, namespace: job.k8s_namespace, name: job.k8s_resource_name });
    const setCondition = (job: Job, condition: Record<string, string>) =>
      setReleaseCondition(testbed.kube, job.k8s_namespace, job.k8s_resource_name, condition);

    it('creates a HelmRepository and a HelmRelease, and follows the release to running when it is Ready', async () => {
      const job = await helmJob();
      const release = (await pollUntil(
        () => readRelease(job),
        (r) => Boolean(r),
        { ...SLOW, what: 'HelmRelease' },
      )) as {
        spec: { chart: { spec: { chart: string; version: string; sourceRef: { kind: string; name: string } } } };
      };
      expect(release.spec.chart.spec).toMatchObject({
        chart: 'podinfo',
        version: '6.7.0',
        sourceRef: { kind: 'HelmRepository', name: job.k8s_resource_name },
      });
      const repository = (await testbed.kube.custom.getNamespacedCustomObject({
        group: 'source.toolkit.fluxcd.io',
        version: 'v1',
        plural: 'helmrepositories',
        namespace: job.k8s_namespace,
        name: job.k8s_resource_name,
      })) as { spec: { url: string; type: string } };
      expect(repository.spec).toMatchObject({ url: 'oci://ghcr.io/stefanprodan/charts', type: 'oci' });
      await setCondition(job, { type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded' });
      expect((await until(job.id, 'running')).status_reason).toBe('Ready');
    });

    it('fails the job when the release is Stalled', async () => {
      const job = await helmJob();
      await pollUntil(
        () => readRelease(job),
        (r) => Boolean(r),
        { ...SLOW, what: 'HelmRelease' },
      );
      await setCondition(job, { type: 'Stalled', status: 'True', reason: 'InstallFailed', message: 'chart pull failed' });
      expect((await until(job.id, 'failed')).status_reason).toBe('InstallFailed');
    });
  });

  it('gives secret_env to the container through a Secret, and deletes the Secret with the job', async () => {
    const spec = {
      kind: 'container',
      image: 'nginx:1.27',
      ports: [{ port: 80 }],
      env: { MODE: 'demo' },
      secret_env: { API_KEY: 'sk-test-bed-value' },
    };
    const job = await createJob(containerJob({ spec }));
    await until(job.id, 'running');
    const ns = job.k8s_namespace;
    const secret = await testbed.kube.core.readNamespacedSecret({ name: `${job.k8s_resource_name}-env`, namespace: ns });
    expect(Buffer.from(secret.data?.API_KEY ?? '', 'base64').toString()).toBe('sk-test-bed-value');
    expect(secret.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/job-id': job.id });
    const deployment = await testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace: ns });
    expect(deployment.spec?.template.spec?.containers[0]?.env).toEqual([
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: `${job.k8s_resource_name}-env`, key: 'API_KEY' } } },
      { name: 'MODE', value: 'demo' },
    ]);
    expect((await h.http('DELETE', `${jobsPath()}/${job.id}`)).status).toBe(202);
    await pollUntil(
      () => isGone(() => testbed.kube.core.readNamespacedSecret({ name: `${job.k8s_resource_name}-env`, namespace: ns })),
      Boolean,
      {
        ...SLOW,
        what: 'Secret deleted',
      },
    );
  });

  it('deletes the objects of a cancelled job', async () => {
    const job = await createJob(containerJob());
    await until(job.id, 'running');
    const cancelled = await h.http('DELETE', `${jobsPath()}/${job.id}`);
    expect(cancelled.status).toBe(202);
    const ns = job.k8s_namespace;
    await pollUntil(
      () => isGone(() => testbed.kube.apps.readNamespacedDeployment({ name: job.k8s_resource_name, namespace: ns })),
      Boolean,
      {
        ...SLOW,
        what: 'Deployment deleted',
      },
    );
    await pollUntil(() => isGone(() => testbed.kube.core.readNamespacedService({ name: job.k8s_resource_name, namespace: ns })), Boolean, {
      ...SLOW,
      what: 'Service deleted',
    });
    await pollUntil(
      async () => (await podsOf(job)).length,
      (n) => n === 0,
      { ...SLOW, what: 'pods deleted' },
    );
    expect((await getJob(job.id)).status).toBe('cancelled');
  });

  it('fails a job whose Deployment is deleted behind its back (ResourceMissing)', async () => {
    const job = await createJob(containerJob());
    await until(job.id, 'running');
    await testbed.kube.apps.deleteNamespacedDeployment({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
    const failed = await until(job.id, 'failed');
    expect(failed.status_reason).toBe('ResourceMissing');
  });

  it('recovers its watches after an API server restart, missing no transition', async () => {
    const job = await createJob(containerJob());
    await until(job.id, 'running');
    const staleVersion = (await testbed.kube.apps.listDeploymentForAllNamespaces({ labelSelector: MANAGED })).metadata!.resourceVersion!;
    // Watches break and the restarted server's watch cache no longer holds their resourceVersion (410 Gone):
    // the informers relist. The deletion lands as soon as the server answers, so only a relist or a new
    // watch can see it (the resync's 45 s grace spares the just-applied job).
    await testbed.restart('kube-apiserver');
    // What the informers meet on reconnecting: the server refuses to resume a watch from before its restart.
    expect(await watchAnswer(testbed.kube.config, '/apis/apps/v1/deployments', staleVersion, MANAGED)).toBe(410);
    await testbed.kube.apps.deleteNamespacedDeployment({ name: job.k8s_resource_name, namespace: job.k8s_namespace });
    const failed = await until(job.id, 'failed');
    expect(failed.status_reason).toBe('ResourceMissing');
    const next = await createJob(containerJob());
    await until(next.id, 'running', 'a job created after the restart running');
  });

  it('removes labelled objects that no job row owns (orphans), once they are past the grace period', async () => {
    await pollUntil(() => isGone(() => testbed.kube.core.readNamespacedService({ name: 'orphan', namespace: orphanNamespace })), Boolean, {
      timeoutMs: 240_000,
      intervalMs: 1000,
      what: 'orphan Service deleted by the resync',
    });
    const left = await testbed.kube.core.listServiceForAllNamespaces({ labelSelector: `${MANAGED},bud.ai/job-id=${orphanJobId}` });
    expect(left.items).toEqual([]);
  }, 300_000);
});
