import type { KubernetesObject } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import { defaultClusterIsolation } from '@bud/contracts';
import { NamespaceRefusedError, type ManagedNamespace } from '../../domain/namespace-model';
import { NamespaceApplier, type NamespaceApi, subjectOf } from './namespace-apply';

const tenant = '7d1e6a2b-8c9f-4e3d-b2a1-0f9e8d7c6b5a';
const ns = (overrides: Partial<ManagedNamespace> = {}): ManagedNamespace => ({
  name: 'team-a',
  tenantId: tenant,
  projectId: null,
  isolation: defaultClusterIsolation,
  ...overrides,
});

/** A fake cluster: namespaces by name, with a record of every call. */
function fakeApi(existing: Record<string, Record<string, string>> = {}) {
  const calls: string[] = [];
  const api: NamespaceApi = {
    readIfPresent: async (object) => {
      calls.push(`read ${object.kind}/${object.metadata?.name}`);
      const labels = existing[object.metadata?.name ?? ''];
      return labels ? { metadata: { name: object.metadata?.name, labels } } : undefined;
    },
    applyServerSide: async (object: KubernetesObject) => {
      calls.push(`apply ${object.kind}/${object.metadata?.name}`);
      return object;
    },
    whoAmI: async () => {
      calls.push('whoami');
      return 'system:serviceaccount:bud-system:budcluster';
    },
  };
  return { api, calls };
}

describe('NamespaceApplier: claiming a namespace for a tenant', () => {
  it('creates an absent namespace: the Namespace, its RoleBinding, then the isolation objects', async () => {
    const { api, calls } = fakeApi();
    await new NamespaceApplier(api).ensure(ns());
    expect(calls).toEqual([
      'read Namespace/team-a',
      'apply Namespace/team-a',
      'whoami',
      'apply RoleBinding/bud-foundry-budcluster',
      'apply NetworkPolicy/bud-tenant-isolation',
      'apply LimitRange/bud-default-requests',
      'apply ServiceAccount/bud-release',
      'apply RoleBinding/bud-release',
    ]);
  });

  it("renders the tenant's own namespace again (the cluster's isolation may have changed)", async () => {
    const { api, calls } = fakeApi({ 'team-a': { 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/tenant-id': tenant } });
    await new NamespaceApplier(api).ensure(ns());
    expect(calls.filter((c) => c.startsWith('apply'))).toHaveLength(6);
  });

  it.each([
    ['unmanaged', { team: 'infra' }],
    ['other-tenant', { 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/tenant-id': 'someone-else' }],
  ] as const)('refuses a namespace that is %s, writing nothing', async (reason, labels) => {
    const { api, calls } = fakeApi({ 'team-a': labels });
    const applier = new NamespaceApplier(api);
    await expect(applier.ensure(ns())).rejects.toEqual(new NamespaceRefusedError('team-a', reason));
    await expect(applier.ensureForJob(ns())).rejects.toMatchObject({ reason });
    expect(calls.filter((c) => c.startsWith('apply'))).toEqual([]);
  });

  it('takes a managed namespace without a tenant label only when cluster_namespaces records it (else anyone could forge one)', async () => {
    const { api, calls } = fakeApi({ 'team-a': { 'app.kubernetes.io/managed-by': 'budcluster' } });
    const applier = new NamespaceApplier(api);
    await expect(applier.ensure(ns())).rejects.toEqual(new NamespaceRefusedError('team-a', 'unmanaged'));
    expect(calls.filter((c) => c.startsWith('apply'))).toEqual([]);
    await applier.ensure({ ...ns(), recorded: true });
    await applier.ensureForJob(ns());
    expect(calls.filter((c) => c.startsWith('apply')).length).toBeGreaterThan(0);
  });

  it("costs a job's apply no call once the namespace is made sure of for its tenant, and checks again for another tenant", async () => {
    const { api, calls } = fakeApi();
    const applier = new NamespaceApplier(api);
    await applier.ensure(ns());
    calls.length = 0;
    await applier.ensureForJob(ns());
    expect(calls).toEqual([]);
    await expect(applier.ensureForJob(ns({ tenantId: 'another' }))).resolves.toBeUndefined();
    expect(calls).toEqual([
      'read Namespace/team-a',
      'apply Namespace/team-a',
      'apply RoleBinding/bud-foundry-budcluster',
      'apply NetworkPolicy/bud-tenant-isolation',
      'apply LimitRange/bud-default-requests',
      'apply ServiceAccount/bud-release',
      'apply RoleBinding/bud-release',
    ]);
  });

  it('confirms a managed namespace a job finds (after a restart) with one read and its RoleBinding, keeping its isolation', async () => {
    const { api, calls } = fakeApi({ 'team-a': { 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/tenant-id': tenant } });
    const applier = new NamespaceApplier(api);
    await applier.ensureForJob(ns());
    expect(calls).toEqual(['read Namespace/team-a', 'whoami', 'apply RoleBinding/bud-foundry-budcluster']);
    applier.forget('team-a');
    await applier.ensureForJob(ns());
    expect(calls.filter((c) => c === 'whoami')).toHaveLength(1);
  });

  it('retries an isolation object while the new RoleBinding reaches the authorizer (403), then gives up', async () => {
    const { api } = fakeApi();
    let refusals = 2;
    const apply = api.applyServerSide.bind(api);
    api.applyServerSide = async (object) => {
      if (object.kind === 'NetworkPolicy' && refusals-- > 0) throw new ApiException(403, 'forbidden', '', {});
      return apply(object);
    };
    const pauses: number[] = [];
    await new NamespaceApplier(api, undefined, async (ms) => void pauses.push(ms)).ensure(ns());
    expect(pauses).toEqual([250, 250]);
    refusals = Infinity;
    await expect(new NamespaceApplier(api, undefined, async () => undefined).ensure(ns())).rejects.toMatchObject({ code: 403 });
  });
});

describe('subjectOf', () => {
  it.each([
    ['system:serviceaccount:bud-system:budcluster', { kind: 'ServiceAccount', namespace: 'bud-system', name: 'budcluster' }],
    ['kubernetes-admin', { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'kubernetes-admin' }],
  ])('binds %s', (username, subject) => {
    expect(subjectOf(username)).toEqual(subject);
  });
});
