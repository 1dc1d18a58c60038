import { defaultClusterIsolation } from '@bud/contracts';
import { NamespaceRefusedError } from '../../domain/namespace-model';
import type { ManagedNamespace } from '../../domain/namespace-model';
import { SimulatedNamespaces } from './simulated-namespaces';

const managed = (name: string, tenantId: string, overrides: Partial<ManagedNamespace> = {}): ManagedNamespace => ({
  name,
  tenantId,
  projectId: null,
  isolation: defaultClusterIsolation,
  ...overrides,
});
const enforceOf = (held: SimulatedNamespaces, name: string) =>
  held.get(name)?.objects[0]?.metadata.labels['pod-security.kubernetes.io/enforce'];

/** docs/design.md#namespaces: the simulated cluster keeps namespaces as the kubernetes driver applies them. */
describe('SimulatedNamespaces', () => {
  it('creates a managed namespace with its rendered Namespace, NetworkPolicy, LimitRange and release account', () => {
    const held = new SimulatedNamespaces();
    held.ensure(managed('team-a', 't-a', { projectId: 'p-1' }));
    expect(held.get('team-a')?.tenantId).toBe('t-a');
    expect(held.get('team-a')?.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace//team-a',
      'NetworkPolicy/team-a/bud-tenant-isolation',
      'LimitRange/team-a/bud-default-requests',
      'ServiceAccount/team-a/bud-release',
      'RoleBinding/team-a/bud-release',
    ]);
    expect(held.get('team-a')?.objects[0]?.metadata.labels).toMatchObject({ 'bud.ai/tenant-id': 't-a', 'bud.ai/project-id': 'p-1' });
  });

  it('renders the same tenant’s namespace again with new isolation', () => {
    const held = new SimulatedNamespaces();
    held.ensure(managed('team-a', 't-a'));
    held.ensure(
      managed('team-a', 't-a', { isolation: { ...defaultClusterIsolation, pod_security: { enforce: 'restricted', warn: 'restricted' } } }),
    );
    expect(enforceOf(held, 'team-a')).toBe('restricted');
    expect(held.ensureCalls).toBe(2);
  });

  it.each([
    ["another tenant's namespace", 'team-a', 'other-tenant'],
    ["one of the cluster's own", 'kube-system', 'unmanaged'],
    ['the default namespace', 'default', 'unmanaged'],
  ])('refuses %s and leaves it as it was', (_, name, reason) => {
    const held = new SimulatedNamespaces();
    held.ensure(managed('team-a', 't-a'));
    const before = held.get(name);
    let thrown: unknown;
    try {
      held.ensure(managed(name, 't-b'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NamespaceRefusedError);
    expect((thrown as NamespaceRefusedError).reason).toBe(reason);
    expect(held.get(name)).toBe(before);
  });

  it("a job's apply creates its namespace with the isolation last known, costs nothing when it is there, and refuses another tenant's", () => {
    const restricted = { ...defaultClusterIsolation, pod_security: { enforce: 'restricted' as const, warn: 'restricted' as const } };
    const held = new SimulatedNamespaces(restricted);
    held.ensureForJob({ namespace: 'after-restart', tenantId: 't-a', projectId: null });
    expect(enforceOf(held, 'after-restart')).toBe('restricted');
    const calls = held.ensureCalls;
    held.ensureForJob({ namespace: 'after-restart', tenantId: 't-a', projectId: null });
    expect(held.ensureCalls).toBe(calls);
    expect(() => held.ensureForJob({ namespace: 'after-restart', tenantId: 't-b', projectId: null })).toThrow(NamespaceRefusedError);
  });

  it("deletes managed namespaces only; the cluster's own stay", () => {
    const held = new SimulatedNamespaces();
    held.ensure(managed('team-a', 't-a'));
    expect(held.delete('team-a')).toBe(true);
    expect(held.get('team-a')).toBeUndefined();
    expect(held.delete('kube-system')).toBe(false);
    expect(held.get('kube-system')).toBeDefined();
  });
});
