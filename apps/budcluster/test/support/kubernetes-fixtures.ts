import type { JobSpec } from '@bud/contracts';
import { type ManagedObject, parseManagedObject } from '../../src/drivers/kubernetes/managed-object';
import { BATCH_JOB, DEPLOYMENT, HELM_RELEASE, type ResourceKind } from '../../src/drivers/kubernetes/resource-kinds';
import { JOB_ID } from './job-model.builder';

export { JOB_ID, makeJob } from './job-model.builder';

// Objects as the API server would send them, for the driver's specs.
export const helmSpec: JobSpec = { kind: 'helm', chart_ref: 'oci://registry-1.docker.io/bitnamicharts/redis', values: {} };

export interface RawOptions {
  jobId?: string;
  name?: string;
  generation?: number;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export function rawObject(kind: ResourceKind, options: RawOptions = {}): Record<string, unknown> {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: {
      name: options.name ?? 'chat-api',
      namespace: 'tenant-7d1e6a2b',
      generation: options.generation ?? 1,
      resourceVersion: '1001',
      labels: { 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/job-id': options.jobId ?? JOB_ID, ...options.labels },
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.creationTimestamp ? { creationTimestamp: options.creationTimestamp } : {}),
      ...(options.deletionTimestamp ? { deletionTimestamp: options.deletionTimestamp } : {}),
    },
    spec: options.spec ?? {},
    status: options.status ?? {},
  };
}

export function managed(kind: ResourceKind, options: RawOptions = {}): ManagedObject {
  const parsed = parseManagedObject(rawObject(kind, options), kind);
  if (!parsed.ok) throw new Error(`fixture does not parse: ${parsed.problem}`);
  return parsed.object;
}

export const condition = (
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason?: string,
  message?: string,
): Record<string, unknown> => ({
  type,
  status,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

/** A Deployment of `replicas` (default 1) whose newest ReplicaSet has rolled out completely and is all ready. */
export const availableDeployment = (
  jobId = JOB_ID,
  options: { replicas?: number; jobGeneration?: number } = {},
): Record<string, unknown> => {
  const replicas = options.replicas ?? 1;
  return rawObject(DEPLOYMENT, {
    jobId,
    ...(options.jobGeneration ? { annotations: { 'bud.ai/generation': String(options.jobGeneration) } } : {}),
    spec: { replicas },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [condition('Available', 'True'), condition('Progressing', 'True', 'NewReplicaSetAvailable')],
    },
  });
};
export const activeBatchJob = (jobId = JOB_ID): Record<string, unknown> => rawObject(BATCH_JOB, { jobId, status: { active: 1 } });
export const readyRelease = (jobId = JOB_ID): Record<string, unknown> =>
  rawObject(HELM_RELEASE, { jobId, status: { observedGeneration: 1, conditions: [condition('Ready', 'True', 'InstallSucceeded')] } });

/** A kubeconfig for `server` with the given context names (all pointing at the one cluster). */
export function kubeconfigYaml(server: string, contexts: string[] = ['only']): string {
  const contextEntries = contexts.map((name) => `  - name: ${name}\n    context: { cluster: c, user: u }`).join('\n');
  return `apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster: { server: '${server}', insecure-skip-tls-verify: true }
users:
  - name: u
    user: { token: not-a-real-token }
contexts:
${contextEntries}
current-context: ${contexts[0] ?? 'none'}
`;
}

/** A local port nothing listens on: connecting to it is refused at once. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface KubeconfigParts {
  server?: string;
  /** Merged into the only cluster's `cluster`, after `server` and `insecure-skip-tls-verify`. */
  cluster?: Record<string, unknown>;
  /** Replaces the only user's inline token. */
  user?: Record<string, unknown>;
  moreClusters?: Array<Record<string, unknown>>;
  moreUsers?: Array<Record<string, unknown>>;
}

/** A kubeconfig document with one context `only` → cluster `c` and user `u`, plus entries no context names. */
export function kubeconfigDocument(parts: KubeconfigParts = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'c', cluster: { server: parts.server ?? 'https://192.0.2.1:6443', 'insecure-skip-tls-verify': true, ...parts.cluster } },
      ...(parts.moreClusters ?? []),
    ],
    users: [{ name: 'u', user: parts.user ?? { token: 'not-a-real-token' } }, ...(parts.moreUsers ?? [])],
    contexts: [{ name: 'only', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'only',
  };
}
