// budcluster's identity on the test bed: deploy/kubernetes/workload-cluster/ applied with the admin kubeconfig,
// and a token of the budcluster service account minted with the TokenRequest API, so every suite registers the
// test bed with only the shipped RBAC (issue 11).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig, type KubernetesObject, loadAllYaml, PatchStrategy } from '@kubernetes/client-node';
import { pollUntil } from '@bud/testing';
import type { KubeClients } from './testbed';

const WORKLOAD_CLUSTER_DIR = join(__dirname, '../../../deploy/kubernetes/workload-cluster');
export const BUDCLUSTER_ACCOUNT = { namespace: 'bud-system', name: 'budcluster' } as const;
/** The role budcluster binds to itself in each namespace it manages. */
export const NAMESPACED_ROLE = 'bud-foundry-budcluster-namespaced';
const POLICY_PROBE_NAMESPACE = 'bud-policy-probe';
const TOKEN_SECONDS = 24 * 3600;

/** Applies every YAML file of deploy/kubernetes/workload-cluster/ (server-side, as the admin). */
export async function applyWorkloadClusterYaml(admin: KubeClients): Promise<void> {
  const files = readdirSync(WORKLOAD_CLUSTER_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort((a, b) => (a === 'rbac.yaml' ? -1 : b === 'rbac.yaml' ? 1 : a.localeCompare(b)));
  for (const file of files) {
    for (const object of loadAllYaml(readFileSync(join(WORKLOAD_CLUSTER_DIR, file), 'utf8')) as KubernetesObject[]) {
      if (!object) continue;
      await admin.objects.patch(object, undefined, undefined, 'testbed', true, PatchStrategy.ServerSideApply);
    }
  }
}

/**
 * A kubeconfig for the budcluster service account (a TokenRequest token), once its admission policy is in force:
 * the policy is served a moment after it is created, so a dry-run delete of an unlabelled namespace is retried
 * until the policy refuses it.
 */
export async function budclusterKubeconfig(admin: KubeClients): Promise<string> {
  const minted = await admin.core.createNamespacedServiceAccountToken({
    ...BUDCLUSTER_ACCOUNT,
    body: { spec: { expirationSeconds: TOKEN_SECONDS, audiences: [] } },
  });
  const token = minted.status?.token;
  if (!token) throw new Error('the TokenRequest for bud-system/budcluster returned no token');
  const kubeconfig = tokenKubeconfig(admin.config, token);
  try {
    await admin.core.createNamespace({ body: { metadata: { name: POLICY_PROBE_NAMESPACE } } });
  } catch (err) {
    if (statusCode(err) !== 409) throw err;
  }
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const restricted = new KubeConfig();
  restricted.loadFromString(kubeconfig);
  const core = restricted.makeApiClient(CoreV1Api);
  await pollUntil(
    () =>
      core.deleteNamespace({ name: POLICY_PROBE_NAMESPACE, dryRun: 'All' }).then(
        () => 'allowed',
        (err: unknown) => String(err),
      ),
    (outcome) => outcome.includes('ValidatingAdmissionPolicy'),
    { timeoutMs: 30_000, intervalMs: 200, what: 'the admission policy of deploy/kubernetes/workload-cluster/ in force' },
  );
  return kubeconfig;
}

/** The admin kubeconfig's server and CA with a bearer token instead of the admin's credentials (inline, as budcluster requires). */
export function tokenKubeconfig(admin: KubeConfig, token: string): string {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the test bed kubeconfig names no current cluster');
  const ca = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: testbed',
    '  cluster:',
    `    server: ${cluster.server}`,
    ...(ca ? [`    certificate-authority-data: ${ca}`] : []),
    ...(cluster.skipTLSVerify ? ['    insecure-skip-tls-verify: true'] : []),
    'users:',
    '- name: budcluster',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: testbed',
    '  context:',
    '    cluster: testbed',
    '    user: budcluster',
    'current-context: testbed',
    '',
  ].join('\n');
}

/**
 * A namespace as budcluster would have made it (managed-by label, its RoleBinding), made by the admin: for fixtures
 * that must exist before budcluster runs, such as an orphan older than the sweep's grace.
 */
export async function makeManagedNamespace(admin: KubeClients, name: string): Promise<void> {
  await admin.core.createNamespace({ body: { metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'budcluster' } } } });
  await admin.objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'bud-foundry-budcluster', namespace: name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAMESPACED_ROLE },
    subjects: [{ kind: 'ServiceAccount', ...BUDCLUSTER_ACCOUNT }],
  } as KubernetesObject);
}

function statusCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? Number(err.code) : undefined;
}
