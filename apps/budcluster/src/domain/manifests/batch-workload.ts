import type { V1JobSpec } from '@kubernetes/client-node';
import type { JobModel } from '../job-model';
import { kueueLabels, workloadMeta } from './labels';
import { containerFor, podTemplate } from './pod-template';
import { renderFiles } from './files';
import { renderSecretEnv } from './secret-env';
import type { KubernetesObject, RenderOptions } from './types';
import { CHECKPOINT_MOUNT_PATH, workloadStorage } from './volumes';

/** BATCH → batch/v1 Job; TRAINING → the same plus a checkpoint PVC at /checkpoints (and CHECKPOINT_DIR). */
export function renderBatchWorkload(job: JobModel, options: RenderOptions): KubernetesObject[] {
  const container = containerFor(job);
  const storage = workloadStorage(job, container);
  const extraEnv: Record<string, string> = job.jobType === 'training' ? { CHECKPOINT_DIR: CHECKPOINT_MOUNT_PATH } : {};
  const spec: V1JobSpec = {
    // Retries belong to budcluster's policy (max_retries, retry_delay_seconds), not to the Job controller.
    backoffLimit: 0,
    completions: 1,
    parallelism: 1,
    ...(job.policy.max_runtime_seconds ? { activeDeadlineSeconds: job.policy.max_runtime_seconds } : {}),
    // Kueue admits a suspended Job by unsuspending it; created unsuspended it would start before admission.
    ...(options.kueue ? { suspend: true } : {}),
    template: podTemplate(job, container, { restartPolicy: 'Never', mounts: storage.mounts, extraEnv }),
  };
  const labels = options.kueue ? kueueLabels(job) : {};
  return [
    ...renderSecretEnv(job, options.secretEnv),
    ...renderFiles(job, options.secretEnv),
    ...storage.claims,
    { apiVersion: 'batch/v1', kind: 'Job', metadata: workloadMeta(job, job.resourceName, labels), spec },
  ];
}
