/** docs/design.md#jobs: the namespace a job of this tenant gets when it names none. */
export function tenantNamespace(tenantId: string): string {
  return `bud-${tenantId.replace(/-/g, '').slice(0, 12)}`;
}

/** Namespaces of the cluster itself and of the platform's own controllers: no tenant's work goes there. */
const SYSTEM_NAMESPACES = new Set(['default', 'bud-system', 'flux-system', 'kueue-system']);
const TENANT_NAMESPACE = /^bud-[0-9a-f]{12}$/;

/**
 * Why a tenant may not place a job in `namespace` whatever the cluster holds, or null: `kube-*` and the system
 * namespaces, the cluster's ingress namespaces, and another tenant's default namespace. The first check of docs/design.md#namespaces; which tenant owns
 * any other name is recorded in cluster_namespaces and checked by NamespaceService.claim.
 */
export function namespaceRefusal(namespace: string, tenantId: string, ingressNamespaces: readonly string[] = []): string | null {
  if (namespace.startsWith('kube-') || SYSTEM_NAMESPACES.has(namespace)) return `is a system namespace; jobs may not run in '${namespace}'`;
  // Every managed namespace admits traffic from these: a tenant holding one would reach every other tenant.
  if (ingressNamespaces.includes(namespace)) return `is the cluster's ingress namespace; jobs may not run in '${namespace}'`;
  if (TENANT_NAMESPACE.test(namespace) && namespace !== tenantNamespace(tenantId)) return "is another tenant's namespace";
  return null;
}
