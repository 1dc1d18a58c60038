import { isReservedLabelKey } from '@bud/contracts';
import type { JobModel } from '../job-model';
import type { ObjectMeta } from './types';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'budcluster';
export const JOB_ID_LABEL = 'bud.ai/job-id';
export const TENANT_ID_LABEL = 'bud.ai/tenant-id';
export const SOURCE_TYPE_LABEL = 'bud.ai/source-type';
export const USECASE_DEPLOYMENT_ID_LABEL = 'bud.ai/usecase-deployment-id';
/** The job generation a workload object was applied for (docs/design.md#in-place-update). */
export const GENERATION_ANNOTATION = 'bud.ai/generation';
/** Marks a claim the volumes table owns; it carries no job id, so job removal and the orphan sweep leave it (docs/design.md#volumes). */
export const VOLUME_LABEL = 'bud.ai/volume';
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
export const KUEUE_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';

/** Selects every object budcluster manages (the informers' label selector). */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

export function isValidLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? null : key.slice(0, slash);
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return false;
  return prefix === null || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
}

/** Coerces any string into a valid label value (invalid characters → `-`, ≤ 63 chars, alphanumeric ends). */
export function toLabelValue(raw: string): string {
  return raw
    .replace(/[^-A-Za-z0-9_.]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

/** Cuts a DNS label to `max` characters without leaving a trailing dash. */
export function truncateDnsLabel(name: string, max = 63): string {
  return name.slice(0, max).replace(/-+$/, '');
}

/** The job's own labels (valid, non-reserved ones) under the identity labels of docs/design.md#drivers. */
export function jobLabels(job: JobModel): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(job.labels)) {
    // The API refuses reserved keys; rows stored before it did still hold some.
    if (!isReservedLabelKey(key) && isValidLabelKey(key)) labels[key] = toLabelValue(value);
  }
  labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE;
  labels[JOB_ID_LABEL] = toLabelValue(job.id);
  labels[TENANT_ID_LABEL] = toLabelValue(job.tenantId);
  labels[SOURCE_TYPE_LABEL] = toLabelValue(job.sourceType);
  if (job.usecaseDeploymentId) labels[USECASE_DEPLOYMENT_ID_LABEL] = toLabelValue(job.usecaseDeploymentId);
  return labels;
}

/** A claim's labels: the identity of its owner without the job id, and its own name (docs/design.md#volumes). */
export function volumeLabels(job: JobModel, claimName: string): Record<string, string> {
  const labels = jobLabels(job);
  delete labels[JOB_ID_LABEL];
  return { ...labels, [VOLUME_LABEL]: toLabelValue(claimName) };
}

/** The immutable selector of a job's pods; only the job id, so relabelling a job never orphans its pods. */
export function selectorLabels(job: JobModel): Record<string, string> {
  return { [JOB_ID_LABEL]: toLabelValue(job.id) };
}

/** The LocalQueue budcluster makes in each managed namespace, feeding the tenant's ClusterQueue (docs/design.md#quotas). */
export const KUEUE_LOCAL_QUEUE = 'bud';

/**
 * Every job of a cluster with Kueue goes through its namespace's LocalQueue `bud`: the tenant's ClusterQueue holds its
 * quota, so a job cannot pick another queue (a `policy.queue_name` is not used on Kubernetes).
 */
export function kueueQueueName(): string {
  return KUEUE_LOCAL_QUEUE;
}

/** The WorkloadPriorityClass of a priority class: `bud-<class>`. */
export function kueuePriorityClassName(priority: string): string {
  return `bud-${priority}`;
}

export function kueueLabels(job: JobModel): Record<string, string> {
  return { [KUEUE_QUEUE_LABEL]: kueueQueueName(), [KUEUE_PRIORITY_LABEL]: kueuePriorityClassName(job.priorityClass) };
}

export function objectMeta(job: JobModel, name: string, extraLabels: Record<string, string> = {}): ObjectMeta {
  const annotations = job.annotations;
  return {
    name,
    namespace: job.namespace,
    labels: { ...jobLabels(job), ...extraLabels },
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  };
}

/**
 * Metadata of the object that carries a job's status (Deployment, Job, HelmRelease): it also names the job
 * generation it was applied for. Only here, not on the pod template, so re-applying an older spec brings
 * back its ReplicaSet instead of rolling out a new one.
 */
export function workloadMeta(job: JobModel, name: string, extraLabels: Record<string, string> = {}): ObjectMeta {
  const meta = objectMeta(job, name, extraLabels);
  return { ...meta, annotations: { ...meta.annotations, [GENERATION_ANNOTATION]: String(job.generation) } };
}
