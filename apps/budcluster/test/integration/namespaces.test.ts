import { randomUUID } from 'node:crypto';
import { namespaceResponseSchema, pageOf } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { tenantNamespace } from '../../src/domain/namespace-rules';
import { DriverRegistry } from '../../src/drivers/driver-registry.service';
import { ClusterRepository } from '../../src/repositories/cluster.repository';
import { SimulatedDriver } from '../../src/drivers/simulated/simulated-driver';
import { containerJob, startHarness } from '../support/harness';
import type { Caller, Harness, HttpAnswer } from '../support/harness';

type Job = { id: string; status: string; k8s_namespace: string };

/**
 * docs/design.md#namespaces through the API on the simulated driver: namespaces belong to the tenant that claimed them
 * first, system and other tenants' namespaces are refused with 422 naming k8s_namespace, a tenant's own namespace costs
 * no cluster call, and the cluster's isolation is rendered into every managed namespace.
 */
describe('namespaces belong to tenants', () => {
  let h: Harness;
  let clusterId: string;
  let driver: SimulatedDriver;
  beforeAll(async () => {
    h = await startHarness();
    // Shared by every tenant, as `local` is: the case where namespaces must keep tenants apart.
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: {
        name: `shared-${randomUUID().slice(0, 6)}`,
        type: 'simulated',
        shared: true,
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 0 },
      },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
    const started = await h.service.app.get(DriverRegistry).driverOf(clusterId);
    if (!(started instanceof SimulatedDriver)) throw new Error('the shared cluster has no simulated driver');
    driver = started;
  });
  afterAll(async () => {
    await h.stop();
  });

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const namespacesPath = () => `/api/v1/clusters/${clusterId}/namespaces`;
  const createIn = (caller: Caller, namespace?: string, overrides: Record<string, unknown> = {}) =>
    h.http<Job>('POST', jobsPath(), { caller, body: containerJob({ ...(namespace ? { k8s_namespace: namespace } : {}), ...overrides }) });
  const namespacesOf = async (caller: Caller, query = 'page_size=100') =>
    (await h.http('GET', `${namespacesPath()}?${query}`, { caller, schema: pageOf(namespaceResponseSchema) })).body;
  const jobCountOf = async (caller: Caller) => (await h.http<{ total: number }>('GET', `${jobsPath()}?page_size=1`, { caller })).body.total;
  const expectNamespaceRefused = (answer: HttpAnswer, message: RegExp) => {
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed' });
    expect(answer.body.details).toEqual([{ path: 'k8s_namespace', message: expect.stringMatching(message) }]);
  };
  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  it.each([
    ['a namespace another tenant claimed first', 'uc-abc'],
    ['an explicit namespace another tenant claimed first', 'team-b-data'],
  ])('refuses %s (422 naming k8s_namespace, without saying whose it is), and writes nothing', async (_, name) => {
    expect((await createIn(h.tenantB, name)).status).toBe(201);
    const before = await jobCountOf(h.tenantA);
    const refused = await createIn(h.tenantA, name);
    expectNamespaceRefused(refused, /^is not a namespace of your tenant$/);
    expect(JSON.stringify(refused.body)).not.toContain(h.tenantB.tenantId);
    expect(await jobCountOf(h.tenantA)).toBe(before);
    expect(driver.namespace(name)?.tenantId).toBe(h.tenantB.tenantId);
  });

  it.each(['kube-system', 'kube-public', 'default', 'bud-system'])('refuses the system namespace %s', async (name) => {
    const ensures = driver.namespaceEnsures;
    expectNamespaceRefused(await createIn(h.tenantA, name), /system namespace/);
    expect(driver.namespaceEnsures).toBe(ensures);
  });

  it("refuses another tenant's default bud-<hex> namespace, claimed or not", async () => {
    expectNamespaceRefused(await createIn(h.tenantA, tenantNamespace(h.tenantB.tenantId)), /another tenant/);
    const stranger = randomUUID();
    expectNamespaceRefused(await createIn(h.tenantA, tenantNamespace(stranger)), /another tenant/);
  });

  it("a job without k8s_namespace lands in its tenant's default namespace, which the tenant then owns", async () => {
    const created = await createIn(h.tenantA);
    expect(created.status).toBe(201);
    expect(created.body.k8s_namespace).toBe(tenantNamespace(h.tenantA.tenantId));
    expect((await namespacesOf(h.tenantA)).items.map((n) => n.name)).toContain(tenantNamespace(h.tenantA.tenantId));
  });

  it('costs one cluster call for a new namespace and none for its tenant’s next jobs', async () => {
    const name = unique('own');
    const before = driver.namespaceEnsures;
    expect((await createIn(h.tenantA, name)).status).toBe(201);
    expect(driver.namespaceEnsures).toBe(before + 1);
    for (let i = 0; i < 3; i++) expect((await createIn(h.tenantA, name)).status).toBe(201);
    expect(driver.namespaceEnsures).toBe(before + 1);
  });

  it('leaves exactly one owner when two tenants claim one new name at once', async () => {
    for (let round = 0; round < 5; round++) {
      const name = unique('race');
      const answers = await Promise.all([createIn(h.tenantA, name), createIn(h.tenantB, name)]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
      const loser = answers.find((a) => a.status === 422);
      expectNamespaceRefused(loser!, /^is not a namespace of your tenant$/);
      const winner = answers[0]?.status === 201 ? h.tenantA : h.tenantB;
      const other = winner === h.tenantA ? h.tenantB : h.tenantA;
      expect((await namespacesOf(winner)).items.filter((n) => n.name === name)).toHaveLength(1);
      expect((await namespacesOf(other)).items.filter((n) => n.name === name)).toHaveLength(0);
      expect(driver.namespace(name)?.tenantId).toBe(winner.tenantId);
    }
  });

  it("lists only the caller's namespaces, with the isolation objects and pod security rendered into each", async () => {
    const mine = unique('listed');
    const theirs = unique('hidden');
    expect((await createIn(h.tenantA, mine)).status).toBe(201);
    expect((await createIn(h.tenantB, theirs)).status).toBe(201);
    const page = await namespacesOf(h.tenantA);
    expect(page.items.every((n) => n.tenant_id === h.tenantA.tenantId && n.cluster_id === clusterId)).toBe(true);
    expect(page.items.map((n) => n.name)).not.toContain(theirs);
    expect(page.items.find((n) => n.name === mine)).toMatchObject({
      objects: [
        { kind: 'NetworkPolicy', name: 'bud-tenant-isolation' },
        { kind: 'LimitRange', name: 'bud-default-requests' },
        { kind: 'ServiceAccount', name: 'bud-release' },
        { kind: 'RoleBinding', name: 'bud-release' },
      ],
      pod_security: { enforce: 'baseline', warn: 'restricted' },
    });
    // What the simulated cluster holds is what the kubernetes driver would apply.
    expect(driver.namespace(mine)?.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      `Namespace/${mine}`,
      'NetworkPolicy/bud-tenant-isolation',
      'LimitRange/bud-default-requests',
      'ServiceAccount/bud-release',
      'RoleBinding/bud-release',
    ]);
    expect(driver.namespace(mine)?.objects[0]?.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'budcluster',
      'bud.ai/tenant-id': h.tenantA.tenantId,
      'pod-security.kubernetes.io/enforce': 'baseline',
    });
  });

  it('pages the list by name', async () => {
    const total = (await namespacesOf(h.tenantA)).total;
    expect(total).toBeGreaterThan(2);
    const first = await namespacesOf(h.tenantA, 'page=1&page_size=2');
    const second = await namespacesOf(h.tenantA, 'page=2&page_size=2');
    expect(first.items).toHaveLength(2);
    expect(first.total).toBe(total);
    const names = [...first.items, ...second.items].map((n) => n.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    ['page=0', 'page'],
    ['page_size=abc', 'page_size'],
    ['page_size=1000', 'page_size'],
    ['colour=red', 'colour'],
  ])('answers the bad query %s with 422 naming %s', async (query, parameter) => {
    const answer = await h.http('GET', `${namespacesPath()}?${query}`);
    expect(answer.status).toBe(422);
    expect(answer.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: `query.${parameter}` })]));
  });

  it('answers 404 for a cluster the caller cannot see, and a bad cluster id with 422', async () => {
    const own = await h.newSimulatedCluster(h.tenantB);
    expect((await h.http('GET', `/api/v1/clusters/${own}/namespaces`, { caller: h.tenantA })).status).toBe(404);
    expect((await h.http('GET', `/api/v1/clusters/${randomUUID()}/namespaces`)).status).toBe(404);
    const bad = await h.http('GET', '/api/v1/clusters/not-a-uuid/namespaces');
    expect(bad.status).toBe(422);
    expect(bad.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'cluster_id' })]));
  });

  it('answers 403 to a caller that may see neither jobs nor use cases, and lists for one that may see either', async () => {
    const templatesOnly = await h.caller(['template:manage'], h.tenantA.tenantId);
    expect((await h.http('GET', namespacesPath(), { caller: templatesOnly })).status).toBe(403);
    const usecaseViewer = await h.caller(['usecase:view'], h.tenantA.tenantId);
    const listed = await h.http('GET', namespacesPath(), { caller: usecaseViewer, schema: pageOf(namespaceResponseSchema) });
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe((await namespacesOf(h.tenantA)).total);
  });

  it("deleting a finished job's last use of a namespace deletes the namespace and its row: another tenant may claim the name then", async () => {
    const name = unique('gone');
    const created = await createIn(h.tenantA, name, { job_type: 'batch', spec: { kind: 'container', image: 'busybox:1.36' } });
    expect(created.status).toBe(201);
    await pollUntil(
      async () => (await h.http<Job>('GET', `${jobsPath()}/${created.body.id}`)).body,
      (job) => job.status === 'succeeded',
      { what: 'the batch job succeeded' },
    );
    expect((await h.http('DELETE', `${jobsPath()}/${created.body.id}`)).status).toBeLessThan(300);
    expect((await namespacesOf(h.tenantA)).items.map((n) => n.name)).not.toContain(name);
    expect(driver.namespace(name)).toBeUndefined();
    expect((await createIn(h.tenantB, name)).status).toBe(201);
    expect(driver.namespace(name)?.tenantId).toBe(h.tenantB.tenantId);
  });

  it("renders every managed namespace again when the cluster's isolation changes", async () => {
    const name = unique('psa');
    const othersName = unique('psa-b');
    expect((await createIn(h.tenantA, name)).status).toBe(201);
    expect((await createIn(h.tenantB, othersName)).status).toBe(201);
    const changed = await h.http('PATCH', `/api/v1/clusters/${clusterId}`, {
      caller: h.admin,
      body: {
        isolation: {
          ingress_namespaces: ['gateway'],
          pod_security: { enforce: 'restricted', warn: 'restricted' },
          default_requests: { cpu: '250m', memory: '256Mi' },
        },
      },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.isolation.pod_security).toEqual({ enforce: 'restricted', warn: 'restricted' });
    const held = await pollUntil(
      () => driver.namespace(name),
      (ns) => ns?.objects[0]?.metadata.labels['pod-security.kubernetes.io/enforce'] === 'restricted',
      { what: 'the namespace rendered with the new pod security level' },
    );
    expect(held?.objects.find((o) => o.kind === 'LimitRange')?.spec).toEqual({
      limits: [{ type: 'Container', defaultRequest: { cpu: '250m', memory: '256Mi' } }],
    });
    // Every tenant's namespaces, not only the caller's.
    expect(driver.namespace(othersName)?.objects[0]?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect((await namespacesOf(h.tenantA)).items.find((n) => n.name === name)?.pod_security).toEqual({
      enforce: 'restricted',
      warn: 'restricted',
    });
    // A namespace created after the change gets the new isolation at once.
    const later = unique('later');
    expect((await createIn(h.tenantB, later)).status).toBe(201);
    expect(driver.namespace(later)?.objects[0]?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it("refuses the cluster's ingress namespace to every tenant, and an ingress namespace a tenant already holds", async () => {
    const held = unique('held');
    expect((await createIn(h.tenantB, held)).status).toBe(201);
    const isolation = (ingress: string[]) => ({ isolation: { ingress_namespaces: ingress } });
    const refused = await h.http('PATCH', `/api/v1/clusters/${clusterId}`, { caller: h.admin, body: isolation(['bud-system', held]) });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toEqual([
      { path: 'isolation.ingress_namespaces[1]', message: expect.stringMatching(/tenant's namespace/) },
    ]);

    const gateway = unique('gateway');
    expect((await h.http('PATCH', `/api/v1/clusters/${clusterId}`, { caller: h.admin, body: isolation([gateway]) })).status).toBe(200);
    expectNamespaceRefused(await createIn(h.tenantA, gateway), /ingress namespace/);
    expect(driver.namespace(gateway)).toBeUndefined();
  });

  it("shows the API server's own error of an unreachable shared cluster only to who runs it", async () => {
    const clusters = h.service.app.get(ClusterRepository);
    const now = new Date();
    await clusters.recordReachability(clusterId, { reachable: false, message: 'dial tcp 10.0.0.7:6443: connect: connection refused' }, now);
    try {
      const seenByTenant = await h.http<{ status: string; status_message: string }>('GET', `/api/v1/clusters/${clusterId}`, {
        caller: h.tenantA,
      });
      expect(seenByTenant.body).toMatchObject({ status: 'unreachable', status_message: 'its API server does not answer' });
      const seenByAdmin = await h.http<{ status_message: string }>('GET', `/api/v1/clusters/${clusterId}`, { caller: h.admin });
      expect(seenByAdmin.body.status_message).toContain('10.0.0.7');
      const create = await createIn(h.tenantA, unique('down'));
      expect(create.status).toBe(503);
      expect(JSON.stringify(create.body)).not.toContain('10.0.0.7');
    } finally {
      await clusters.recordReachability(clusterId, { reachable: true, message: null }, now);
    }
  });
});
