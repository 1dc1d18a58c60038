import type { ContainerSpec } from '@bud/contracts';
import type { V1PersistentVolumeClaimSpec } from '@kubernetes/client-node';
import type { JobModel } from '../job-model';
import { volumeLabels } from './labels';
import { containerFor } from './pod-template';
import type { KubernetesObject } from './types';

export const DATA_MOUNT_PATH = '/data';
export const CHECKPOINT_MOUNT_PATH = '/checkpoints';
export const DEFAULT_CHECKPOINT_SIZE = '50Gi';

/** A PVC a pod mounts: pod-level volume name, claim name and where it appears in the container. */
export interface ClaimMount {
  volumeName: string;
  claimName: string;
  mountPath: string;
}

export interface WorkloadStorage {
  claims: KubernetesObject[];
  mounts: ClaimMount[];
}

/** A claim of a job, as the volumes table records it. */
export interface JobClaim {
  volumeName: string;
  claimName: string;
  size: string;
  mountPath: string;
}

/** What decides a job's claims: enough of a job, or of a request to create one, to name them before it exists. */
export type ClaimOwner = Pick<JobModel, 'id' | 'name' | 'jobType' | 'spec' | 'resources'>;

/**
 * The claims a job's spec asks for, named stably (`<job name>-<volume>`, not after the job's resource name) so a
 * later job of the same name reattaches them (docs/design.md#object-names). Two active jobs may therefore not ask
 * for the same claim in one namespace: job creation refuses the second (409).
 */
export function jobClaims(job: ClaimOwner): JobClaim[] {
  if (job.spec.kind === 'helm') return [];
  return claimsOf(job, containerFor(job));
}

function claimsOf(job: ClaimOwner, container: ContainerSpec): JobClaim[] {
  const claims: JobClaim[] = [];
  const add = (volumeName: string, suffix: string, size: string, mountPath: string): void => {
    claims.push({ volumeName, claimName: `${job.name}-${suffix}`, size, mountPath });
  };
  for (const volume of container.volumes ?? []) add(volume.name, volume.name, volume.size, volume.mount_path);
  if (job.jobType === 'training')
    add('bud-checkpoints', 'checkpoints', job.resources.storage ?? DEFAULT_CHECKPOINT_SIZE, CHECKPOINT_MOUNT_PATH);
  else if (job.resources.storage && claims.length === 0) add('bud-data', 'data', job.resources.storage, DATA_MOUNT_PATH);
  return claims;
}

function claim(job: JobModel, name: string, size: string): KubernetesObject {
  const spec: V1PersistentVolumeClaimSpec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } };
  const annotations = job.annotations;
  const metadata = {
    name,
    namespace: job.namespace,
    labels: volumeLabels(job, name),
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  };
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec };
}

/**
 * Claims for a job: one per container volume; otherwise `resources.storage` becomes one data claim at /data
 * (or, for training, sizes the checkpoint claim at /checkpoints, which training always gets).
 */
export function workloadStorage(job: JobModel, container: ContainerSpec): WorkloadStorage {
  const claims = claimsOf(job, container);
  return {
    claims: claims.map((c) => claim(job, c.claimName, c.size)),
    mounts: claims.map((c) => ({ volumeName: c.volumeName, claimName: c.claimName, mountPath: c.mountPath })),
  };
}
