import type { CreateJobRequest, VolumeAtRisk, VolumeResponse } from '@bud/contracts';
import { formatUsd } from '@bud/workloads';
import { storageMonthlyMicros } from './change-plan-money';

// budcluster's defaults for a training job's checkpoint claim (apps/budcluster/src/domain/manifests/volumes.ts).
const DEFAULT_CHECKPOINT_SIZE = '50Gi';
const MODEL_CACHE = 'model-cache';

export interface PlannedClaim {
  volumeName: string;
  claimName: string;
  size: string;
}

/**
 * The claims budcluster makes for a job (its jobClaims, docs/design.md#volumes): one per container volume (a model's
 * cache among them), a training job's checkpoints, else `resources.storage` as one data claim; named `<job name>-<volume>`.
 */
export function plannedClaims(job: CreateJobRequest): PlannedClaim[] {
  if (job.spec.kind === 'helm') return [];
  const claims: PlannedClaim[] = [];
  const add = (volumeName: string, suffix: string, size: string): void => {
    claims.push({ volumeName, claimName: `${job.name}-${suffix}`, size });
  };
  if (job.spec.kind === 'container') for (const volume of job.spec.volumes ?? []) add(volume.name, volume.name, volume.size);
  // A model engine's container keeps its weights on a model-cache volume of resources.storage (budcluster's model-engines.ts).
  if (job.spec.kind === 'model' && job.resources.storage) add(MODEL_CACHE, MODEL_CACHE, job.resources.storage);
  if (job.job_type === 'training') add('bud-checkpoints', 'checkpoints', job.resources.storage ?? DEFAULT_CHECKPOINT_SIZE);
  else if (job.resources.storage && claims.length === 0) add('bud-data', 'data', job.resources.storage);
  return claims;
}

export interface VolumeSources {
  /** budcluster's volumes of the deployment. */
  listed: readonly VolumeResponse[];
  /** Each live component's job, for when budcluster lists none yet. */
  jobs: ReadonlyMap<string, CreateJobRequest>;
  storagePricePerGibMonth: number;
}

/** The volumes destroyed when the given components' jobs are deleted without keep_data. */
export function volumesAtRisk(components: ReadonlySet<string>, sources: VolumeSources): VolumeAtRisk[] {
  const priced = (component: string, volume: string, claimName: string, size: string): VolumeAtRisk => ({
    component,
    volume,
    claim_name: claimName,
    size,
    estimated_cost_per_month: formatUsd(storageMonthlyMicros(size, sources.storagePricePerGibMonth)),
  });
  // A retained volume was already kept by an earlier delete; a deleting one is going whatever happens now.
  const live = sources.listed.filter((v) => v.status === 'attached' || v.status === 'detached');
  const risked =
    sources.listed.length > 0
      ? live
          .filter((v) => components.has(v.component ?? v.job_name))
          .map((v) => priced(v.component ?? v.job_name, v.volume_name, v.claim_name, v.size))
      : [...components].flatMap((id) => {
          const job = sources.jobs.get(id);
          return job ? plannedClaims(job).map((c) => priced(id, c.volumeName, c.claimName, c.size)) : [];
        });
  return risked.sort((a, b) => a.component.localeCompare(b.component) || a.claim_name.localeCompare(b.claim_name));
}
