import type { JobSpec } from '@bud/contracts';
import type { JobModel } from '../../domain/job-model';
import { type ManagedObject, parseManagedObject } from './managed-object';
import { BATCH_JOB, DEPLOYMENT, HELM_RELEASE, type ResourceKind } from './resource-kinds';

// Builders for the driver's specs: jobs, and objects as the API server would send them.
export const JOB_ID = '0b6f7f5e-3f4c-4d8e-9a61-1c2b3d4e5f60';

export function makeJob(
  overrides: Partial<JobModel> = {},
  spec: JobSpec = { kind: 'container', image: 'ghcr.io/acme/api:1.4.2', env: {}, ports: [{ port: 8080, protocol: 'TCP' }] },
): JobModel {
  return {
    id: JOB_ID,
    name: 'chat-api',
    clusterId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    tenantId: '7d1e6a2b-8c9f-4e3d-b2a1-0f9e8d7c6b5a',
    jobType: 'service',
    sourceType: 'direct',
    usecaseDeploymentId: null,
    spec,
    resources: { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 },
    policy: { preemptible: false, max_retries: 3, retry_delay_seconds: 30, scale_to_zero: false },
    priorityClass: 'normal',
    labels: {},
    annotations: {},
    namespace: 'tenant-7d1e6a2b',
    status: 'running',
    secretEnvSealed: null,
    ...overrides,
  };
}

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

export const availableDeployment = (jobId = JOB_ID): Record<string, unknown> =>
  rawObject(DEPLOYMENT, {
    jobId,
    spec: { replicas: 1 },
    status: { observedGeneration: 1, readyReplicas: 1, conditions: [condition('Available', 'True')] },
  });
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
