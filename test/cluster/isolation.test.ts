// Shared clusters, the kubernetes side (issue 11): managed namespaces carry their isolation, apply never adopts
// an object budcluster did not make, and budcluster runs with only the RBAC of deploy/kubernetes/workload-cluster/
// (testbed.kubeconfig is a token of its service account; testbed.kube is the admin for fixtures and assertions).
import { randomUUID } from 'node:crypto';
import { defaultClusterIsolation } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { NetworkingV1Api, PatchStrategy } from '@kubernetes/client-node';
import type { JobModel } from '../../apps/budcluster/src/domain/job-model';
import { renderManifests } from '../../apps/budcluster/src/domain/manifests';
import { NamespaceRefusedError, ObjectInTheWayError, type ManagedNamespace } from '../../apps/budcluster/src/domain/namespace-model';
import { KubernetesDriver } from '../../apps/budcluster/src/drivers/kubernetes';
import { makeJob } from '../../apps/budcluster/test/support/job-model.builder';
import { containerJob, startHarness, type Harness } from '../../apps/budcluster/test/support/harness';
import { acquireTestbed, kubeClients, statusOf, TESTBED_BUDCLUSTER_ENV, type KubeClients, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 60_000, intervalMs: 200 };
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const tenantA = randomUUID();
const tenantB = randomUUID();
const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The error body of a refused client call, to tell RBAC from the admission policy. */
async function refusal(call: () => Promise<unknown>): Promise<{ status: number | undefined; body: string }> {
  try {
    await call();
  } catch (err) {
    return { status: statusOf(err), body: String((err as { body?: unknown }).body ?? err) };
  }
  throw new Error('the call was allowed');
}

describe('isolation and least privilege on the test bed control plane', () => {
  let testbed: Testbed;
  let driver: KubernetesDriver;
  /** Clients with budcluster's own token. */
  let restricted: KubeClients;

  beforeAll(async () => {
    testbed = await acquireTestbed();
    restricted = kubeClients(testbed.kubeconfig);
    driver = new KubernetesDriver(testbed.kubeconfig, { clusterId: 'isolation', clock: { now: () => Date.now() }, logger: quiet });
    await driver.start(async () => undefined);
  }, 60 * 60_000);

  afterAll(async () => {
    await driver?.stop();
    await testbed?.release();
  }, 120_000);

  const managed = (name: string, tenantId = tenantA, isolation = defaultClusterIsolation): ManagedNamespace => ({
    name,
    tenantId,
    projectId: null,
    isolation,
  });
  const newJob = (namespace: string, overrides: Partial<JobModel> = {}): JobModel =>
    makeJob({ id: randomUUID(), name: fresh('web'), namespace, tenantId: tenantA, status: 'pending', ...overrides });
  const renderedName = (job: JobModel, kind: string): string => {
    const object = renderManifests(job, { kueue: false }).find((o) => o.kind === kind);
    if (!object) throw new Error(`job renders no ${kind}`);
    return object.metadata.name;
  };

  describe('managed namespaces', () => {
    it('renders the PSA labels, the NetworkPolicy and the LimitRange, and binds budcluster there, again on a change', async () => {
      const name = fresh('iso');
      await driver.ensureNamespace({ ...managed(name), projectId: 'proj-1' });
      const namespace = await testbed.kube.core.readNamespace({ name });
      expect(namespace.metadata?.labels).toMatchObject({
        [MANAGED_BY]: 'budcluster',
        'bud.ai/tenant-id': tenantA,
        'bud.ai/project-id': 'proj-1',
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
      });
      const policy = await testbed.kube.config
        .makeApiClient(NetworkingV1Api)
        .readNamespacedNetworkPolicy({ name: 'bud-tenant-isolation', namespace: name });
      expect(policy.spec?.podSelector).toEqual({});
      expect(policy.spec?.policyTypes).toEqual(['Ingress']);
      // Own pods, and the ingress namespaces (bud-system by default); nothing else.
      expect(policy.spec?.ingress?.map((rule) => rule._from)).toEqual([
        [{ podSelector: {} }],
        [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['bud-system'] }] } }],
      ]);
      const limits = await testbed.kube.core.readNamespacedLimitRange({ name: 'bud-default-requests', namespace: name });
      expect(limits.spec?.limits).toEqual([{ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' } }]);
      const binding = await testbed.kube.objects.read({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'bud-foundry-budcluster', namespace: name },
      });
      expect(binding).toMatchObject({
        roleRef: { kind: 'ClusterRole', name: 'bud-foundry-budcluster-namespaced' },
        subjects: [{ kind: 'ServiceAccount', name: 'budcluster', namespace: 'bud-system' }],
      });
      // The account the namespace's Helm releases install as, bound to the release role here only.
      await expect(testbed.kube.core.readNamespacedServiceAccount({ name: 'bud-release', namespace: name })).resolves.toBeDefined();
      const release = await testbed.kube.objects.read({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'bud-release', namespace: name },
      });
      expect(release).toMatchObject({
        roleRef: { kind: 'ClusterRole', name: 'bud-foundry-tenant-release' },
        subjects: [{ kind: 'ServiceAccount', name: 'bud-release', namespace: name }],
      });

      // The cluster's isolation changed: the same tenant's namespace is rendered again.
      await driver.ensureNamespace(
        managed(name, tenantA, {
          ingress_namespaces: ['gateway'],
          pod_security: { enforce: 'restricted', warn: 'restricted' },
          default_requests: { cpu: '250m', memory: '256Mi' },
        }),
      );
      expect((await testbed.kube.core.readNamespace({ name })).metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      const limitsAfter = await testbed.kube.core.readNamespacedLimitRange({ name: 'bud-default-requests', namespace: name });
      expect(limitsAfter.spec?.limits[0]?.defaultRequest).toEqual({ cpu: '250m', memory: '256Mi' });
    });

    it("creates a job's namespace, with the isolation last rendered, when the job is the first to use it", async () => {
      const isolation = { ...defaultClusterIsolation, pod_security: { enforce: 'restricted' as const, warn: 'baseline' as const } };
      await driver.ensureNamespace(managed(fresh('iso-first'), tenantA, isolation));
      const namespace = fresh('iso-job');
      await driver.apply(newJob(namespace));
      expect((await testbed.kube.core.readNamespace({ name: namespace })).metadata?.labels).toMatchObject({
        [MANAGED_BY]: 'budcluster',
        'bud.ai/tenant-id': tenantA,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'baseline',
      });
      await expect(testbed.kube.core.readNamespacedLimitRange({ name: 'bud-default-requests', namespace })).resolves.toBeDefined();
      const policies = await testbed.kube.objects.list('networking.k8s.io/v1', 'NetworkPolicy', namespace);
      expect(policies.items.map((p) => p.metadata?.name)).toEqual(['bud-tenant-isolation']);
    });

    it('refuses a namespace that exists without its label, for a claim and for a job, and leaves it as it was', async () => {
      const name = fresh('unmanaged');
      await testbed.kube.core.createNamespace({ body: { metadata: { name, labels: { team: 'infra' } } } });
      await expect(driver.ensureNamespace(managed(name))).rejects.toThrow(NamespaceRefusedError);
      await expect(driver.ensureNamespace(managed(name))).rejects.toMatchObject({ reason: 'unmanaged', namespace: name });
      await expect(driver.apply(newJob(name))).rejects.toThrow(/exists on the cluster and budcluster does not manage it/);
      const after = await testbed.kube.core.readNamespace({ name });
      expect(after.metadata?.labels?.[MANAGED_BY]).toBeUndefined();
      expect((await testbed.kube.core.listNamespacedLimitRange({ namespace: name })).items).toEqual([]);
      expect((await testbed.kube.apps.listNamespacedDeployment({ namespace: name })).items).toEqual([]);
    });

    it("refuses another tenant's namespace", async () => {
      const name = fresh('tenant-a');
      await driver.ensureNamespace(managed(name, tenantA));
      await expect(driver.ensureNamespace(managed(name, tenantB))).rejects.toMatchObject({ reason: 'other-tenant' });
      await expect(driver.apply(newJob(name, { tenantId: tenantB }))).rejects.toThrow(/belongs to another tenant/);
      expect((await testbed.kube.core.readNamespace({ name })).metadata?.labels?.['bud.ai/tenant-id']).toBe(tenantA);
    });
  });

  describe('apply never adopts', () => {
    it('refuses an unlabelled Deployment in the way, naming it, and leaves it unchanged', async () => {
      const namespace = fresh('in-the-way');
      await driver.ensureNamespace(managed(namespace));
      const job = newJob(namespace);
      const name = renderedName(job, 'Deployment');
      const theirs = await testbed.kube.apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name, labels: { app: 'theirs' } },
          spec: {
            replicas: 0,
            selector: { matchLabels: { app: 'theirs' } },
            template: { metadata: { labels: { app: 'theirs' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } },
          },
        },
      });
      const refused = await driver.apply(job).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(ObjectInTheWayError);
      expect((refused as Error).message).toBe(
        `Deployment ${namespace}/${name} is in the way: it lacks the label ${MANAGED_BY}=budcluster; budcluster does not adopt objects it did not create`,
      );
      // Unchanged: budcluster wrote nothing to it (only the deployment controller's status moved on).
      const after = await testbed.kube.apps.readNamespacedDeployment({ name, namespace });
      expect(after.metadata?.generation).toBe(theirs.metadata?.generation);
      expect(after.metadata?.labels).toEqual({ app: 'theirs' });
      expect(after.spec?.template.spec?.containers.map((c) => c.image)).toEqual(['busybox:1']);
      expect(after.metadata?.managedFields?.map((f) => f.manager)).not.toContain('budcluster');
    });

    it("refuses a Service of another job, and applies a job's own objects again without reading them", async () => {
      const namespace = fresh('svc-way');
      await driver.ensureNamespace(managed(namespace));
      // budcluster's own Service, of another job of the tenant, under the name this job's Service takes.
      const job = newJob(namespace);
      const service = renderedName(job, 'Service');
      const otherJob = randomUUID();
      await testbed.kube.core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: service, labels: { [MANAGED_BY]: 'budcluster', 'bud.ai/tenant-id': tenantA, 'bud.ai/job-id': otherJob } },
          spec: { ports: [{ port: 80 }], selector: { 'bud.ai/job-id': otherJob } },
        },
      });
      await expect(driver.apply(job)).rejects.toThrow(
        `Service ${namespace}/${service} is in the way: it belongs to job ${otherJob}; budcluster does not adopt objects it did not create`,
      );
      const kept = await testbed.kube.core.readNamespacedService({ name: service, namespace });
      expect(kept.spec?.selector).toEqual({ 'bud.ai/job-id': otherJob });

      // A fresh job in a namespace made sure of costs a read and an apply per object (Deployment, Service): 4 calls;
      // applying it again (an in-place update) costs the applies only. Counted on a driver that watches nothing, so
      // no informer's relist lands in the count.
      const quietDriver = new KubernetesDriver(testbed.kubeconfig, {
        clusterId: 'isolation-calls',
        clock: { now: () => Date.now() },
        logger: quiet,
      });
      await quietDriver.ensureNamespace(managed(namespace));
      await quietDriver.apply(newJob(namespace)); // its first apply also asks the cluster once whether it serves Kueue
      const third = newJob(namespace);
      const before = quietDriver.apiCalls;
      await quietDriver.apply(third);
      expect(quietDriver.apiCalls - before).toBe(4);
      const again = quietDriver.apiCalls;
      await quietDriver.apply({ ...third, generation: 2 });
      expect(quietDriver.apiCalls - again).toBe(2);
    });
  });

  describe("budcluster's token (deploy/kubernetes/workload-cluster/)", () => {
    it('may not write to kube-system: the API server refuses it (RBAC, 403)', async () => {
      const answer = await refusal(() =>
        restricted.core.createNamespacedConfigMap({ namespace: 'kube-system', body: { metadata: { name: fresh('bud') } } }),
      );
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('system:serviceaccount:bud-system:budcluster');
      expect(answer.body).toContain('cannot create resource \\"configmaps\\"');
      const secrets = await refusal(() => restricted.core.listSecretForAllNamespaces());
      expect(secrets.status).toBe(403);
    });

    it('may not delete, relabel or bind roles in a namespace it does not manage (the admission policy)', async () => {
      const name = fresh('not-ours');
      await testbed.kube.core.createNamespace({ body: { metadata: { name } } });
      const deleted = await refusal(() => restricted.core.deleteNamespace({ name }));
      expect(deleted.status).toBe(403);
      expect(deleted.body).toContain('bud-foundry-budcluster-managed-namespaces');
      const relabelled = await refusal(() =>
        restricted.objects.patch(
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [MANAGED_BY]: 'budcluster' } } },
          undefined,
          undefined,
          'budcluster',
          true,
          PatchStrategy.ServerSideApply,
        ),
      );
      expect(relabelled.status).toBe(403);
      expect(relabelled.body).toContain('may change or delete only namespaces labelled');
      const bound = await refusal(() =>
        restricted.objects.create({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'bud-foundry-budcluster', namespace: name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bud-foundry-budcluster-namespaced' },
          subjects: [{ kind: 'ServiceAccount', name: 'budcluster', namespace: 'bud-system' }],
        } as never),
      );
      expect(bound.status).toBe(403);
      expect(bound.body).toContain('may bind roles only in namespaces labelled');
      const after = await testbed.kube.core.readNamespace({ name });
      expect(after.metadata?.deletionTimestamp).toBeUndefined();
      expect(after.metadata?.labels?.[MANAGED_BY]).toBeUndefined();
      // kube-system likewise: neither deleted nor taken over.
      expect((await refusal(() => restricted.core.deleteNamespace({ name: 'kube-system' }))).status).toBe(403);
    });

    it('may neither open a managed namespace to privileged pods nor hand it to another tenant (the admission policy)', async () => {
      const name = fresh('kept');
      await driver.ensureNamespace(managed(name, tenantA));
      const relabel = (labels: Record<string, string>) =>
        refusal(() =>
          restricted.objects.patch(
            { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
            undefined,
            undefined,
            'budcluster',
            true,
            PatchStrategy.ServerSideApply,
          ),
        );
      const privileged = await relabel({ [MANAGED_BY]: 'budcluster', 'pod-security.kubernetes.io/enforce': 'privileged' });
      expect(privileged.status).toBe(403);
      expect(privileged.body).toContain('must enforce Pod Security baseline or restricted');
      const handedOver = await relabel({
        [MANAGED_BY]: 'budcluster',
        'pod-security.kubernetes.io/enforce': 'baseline',
        'bud.ai/tenant-id': tenantB,
      });
      expect(handedOver.status).toBe(403);
      expect(handedOver.body).toContain('may not change or remove the tenant');
      const labels = (await testbed.kube.core.readNamespace({ name })).metadata?.labels;
      expect(labels).toMatchObject({ 'bud.ai/tenant-id': tenantA, 'pod-security.kubernetes.io/enforce': 'baseline' });
    });
  });

  describe('through the API', () => {
    let h: Harness;
    let clusterId: string;

    beforeAll(async () => {
      h = await startHarness({ ...TESTBED_BUDCLUSTER_ENV, LOG_LEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'error' });
      const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
        body: { name: fresh('testbed'), type: 'kubernetes', kubeconfig: testbed.kubeconfig },
      });
      if (created.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(created.body)}`);
      clusterId = created.body.id;
    }, 120_000);

    afterAll(async () => {
      await h?.stop();
    }, 120_000);

    interface Job {
      id: string;
      name: string;
      status: string;
      status_reason: string | null;
      status_message: string | null;
      k8s_namespace: string;
    }
    const create = async (body: Record<string, unknown>): Promise<Job> => {
      const created = await h.http<Job>('POST', `/api/v1/clusters/${clusterId}/jobs`, { body });
      if (created.status !== 201) throw new Error(`job create failed: ${JSON.stringify(created.body)}`);
      return created.body;
    };
    const until = (id: string, accept: (job: Job) => boolean, what: string) =>
      pollUntil(async () => (await h.http<Job>('GET', `/api/v1/clusters/${clusterId}/jobs/${id}`)).body, accept, { ...SLOW, what });

    it('fails a job whose claim is an unlabelled PersistentVolumeClaim (ApplyFailed, naming it), which stays as it was', async () => {
      const namespace = fresh('api-way');
      const first = await create(containerJob({ k8s_namespace: namespace }));
      await until(first.id, (job) => job.status === 'running', 'the first job running in its namespace');
      const name = fresh('web');
      const claim = `${name}-data`;
      const theirs = await testbed.kube.core.createNamespacedPersistentVolumeClaim({
        namespace,
        body: { metadata: { name: claim }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      });
      const job = await create(
        containerJob({
          name,
          k8s_namespace: namespace,
          spec: {
            kind: 'container',
            image: 'nginx:1.27',
            ports: [{ port: 80 }],
            volumes: [{ name: 'data', size: '1Gi', mount_path: '/data' }],
          },
        }),
      );
      const failed = await until(job.id, (j) => j.status === 'failed', 'the job failed');
      expect(failed.status_reason).toBe('ApplyFailed');
      expect(failed.status_message).toContain(`PersistentVolumeClaim ${namespace}/${claim} is in the way`);
      const after = await testbed.kube.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace });
      expect(after.metadata?.uid).toBe(theirs.metadata?.uid);
      expect(after.metadata?.labels).toBeUndefined();
      expect(after.metadata?.managedFields?.map((f) => f.manager)).not.toContain('budcluster');
    });
  });
});
