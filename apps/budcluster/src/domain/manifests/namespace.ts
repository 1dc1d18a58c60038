import type { ManagedNamespace } from '../namespace-model';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_ID_LABEL, toLabelValue } from './labels';

export const PROJECT_ID_LABEL = 'bud.ai/project-id';
export const NETWORK_POLICY_NAME = 'bud-tenant-isolation';
export const LIMIT_RANGE_NAME = 'bud-default-requests';
/**
 * The account a tenant's Helm charts install as (HelmRelease.spec.serviceAccountName): helm-controller impersonates
 * it, so a chart — whose templates the tenant writes — gets only what the ClusterRole bud-foundry-tenant-release
 * grants inside this namespace (deploy/kubernetes/workload-cluster/rbac.yaml), never helm-controller's own rights.
 */
export const RELEASE_SERVICE_ACCOUNT = 'bud-release';
export const RELEASE_ROLE = 'bud-foundry-tenant-release';
/** Set by the API server on every namespace (Kubernetes ≥ 1.22), so a policy can select namespaces by name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NamespaceObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec?: object;
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace: string }>;
}

/** The labels that say budcluster manages the namespace for this tenant (and project), plus Pod Security Admission. */
export function namespaceLabels(namespace: ManagedNamespace): Record<string, string> {
  const { enforce, warn } = namespace.isolation.pod_security;
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [TENANT_ID_LABEL]: toLabelValue(namespace.tenantId),
    ...(namespace.projectId ? { [PROJECT_ID_LABEL]: toLabelValue(namespace.projectId) } : {}),
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/warn': warn,
    'pod-security.kubernetes.io/warn-version': 'latest',
  };
}

/**
 * A managed namespace and the isolation rendered with it (docs/design.md#namespaces), in apply order: the Namespace,
 * a NetworkPolicy that admits traffic only from its own pods and the ingress namespaces, a LimitRange that gives
 * containers without requests the cluster's default requests (no default limit: a limit below a request is refused),
 * and the account Helm releases install as, bound to the release role in this namespace only.
 */
export function renderNamespace(namespace: ManagedNamespace): NamespaceObject[] {
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TENANT_ID_LABEL]: toLabelValue(namespace.tenantId) };
  const inNamespace = (name: string) => ({ name, namespace: namespace.name, labels });
  const ingress = namespace.isolation.ingress_namespaces;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace.name, labels: namespaceLabels(namespace) } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: inNamespace(NETWORK_POLICY_NAME),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: {} }] },
          ...(ingress.length > 0
            ? [
                {
                  from: [
                    { namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...ingress] }] } },
                  ],
                },
              ]
            : []),
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: inNamespace(LIMIT_RANGE_NAME),
      spec: { limits: [{ type: 'Container', defaultRequest: { ...namespace.isolation.default_requests } }] },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: inNamespace(RELEASE_SERVICE_ACCOUNT) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: inNamespace(RELEASE_SERVICE_ACCOUNT),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RELEASE_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: RELEASE_SERVICE_ACCOUNT, namespace: namespace.name }],
    },
  ];
}
