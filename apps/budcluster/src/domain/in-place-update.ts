import type { ErrorDetail } from '@bud/errors';
import type { JobPolicy, JobResources, JobSpec, JobStatus, JobType } from '@bud/contracts';

/** What a job is now, for judging a change of its spec/resources. */
export interface InPlaceCurrent {
  jobType: JobType;
  spec: JobSpec;
  resources: JobResources;
}

/**
 * docs/design.md#in-place-update: the changes Kubernetes can make to a running workload without replacing it.
 * Only service jobs; the kind, a helm release's name, existing volumes' size and mount path and
 * `resources.storage` stay as they are (a claim cannot shrink or move; a new release name is a new object).
 */
export function inPlaceUpdateIssues(current: InPlaceCurrent, spec: JobSpec, resources: JobResources): ErrorDetail[] {
  if (current.jobType !== 'service') {
    return [{ path: spec === current.spec ? 'resources' : 'spec', message: 'only service jobs change in place' }];
  }
  const issues: ErrorDetail[] = [];
  if (spec.kind !== current.spec.kind) {
    issues.push({ path: 'spec.kind', message: `cannot change in place from '${current.spec.kind}' to '${spec.kind}'` });
    return issues;
  }
  if (spec.kind === 'helm' && current.spec.kind === 'helm' && (spec.release_name ?? null) !== (current.spec.release_name ?? null))
    issues.push({ path: 'spec.release_name', message: 'cannot change in place (it names the release)' });
  if (spec.kind === 'container' && current.spec.kind === 'container') {
    const before = new Map((current.spec.volumes ?? []).map((volume) => [volume.name, volume]));
    (spec.volumes ?? []).forEach((volume, i) => {
      const old = before.get(volume.name);
      if (!old) return;
      if (old.size !== volume.size)
        issues.push({ path: `spec.volumes[${i}].size`, message: `cannot change in place (the claim holds ${old.size})` });
      if (old.mount_path !== volume.mount_path)
        issues.push({ path: `spec.volumes[${i}].mount_path`, message: `cannot change in place (mounted at ${old.mount_path})` });
    });
  }
  if ((resources.storage ?? null) !== (current.resources.storage ?? null))
    issues.push({
      path: 'resources.storage',
      message: `cannot change in place (the claim holds ${current.resources.storage ?? 'nothing'})`,
    });
  return issues;
}

/** A rollout under way for longer than the job's readiness timeout: the watchdog rolls it back (docs/design.md#in-place-update). */
export function rolloutOverdue(
  job: { status: JobStatus; generation: number; observedGeneration: number; rolloutStartedAt: Date | null; policy: JobPolicy },
  nowMs: number,
): boolean {
  const terminal = job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
  if (terminal || job.rolloutStartedAt === null || job.generation <= job.observedGeneration) return false;
  return job.rolloutStartedAt.getTime() + (job.policy.readiness_timeout_seconds ?? 600) * 1000 < nowMs;
}
