import { Injectable } from '@nestjs/common';
import type { CreateJobRequest } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { jobClaims } from '../domain/manifests/volumes';
import { JobRepository } from '../repositories/job.repository';
import { VolumeRepository } from '../repositories/volume.repository';

/**
 * docs/design.md#object-names: a job's own objects carry its id in their name, so two jobs never share one. What they
 * can still share are the names the caller decides: a claim (`<job name>-<volume>`, kept so the next run reattaches
 * it) and a helm spec.release_name. Two active jobs may not hold one of those in one cluster and namespace.
 */
@Injectable()
export class ObjectNameConflicts {
  constructor(
    private readonly volumes: VolumeRepository,
    private readonly jobs: JobRepository,
  ) {}

  /** Whether the request names an object another job could hold: only then does `check` ask the database. */
  mayClash(request: CreateJobRequest): boolean {
    const spec = request.spec;
    if (spec.kind === 'helm') return Boolean(spec.release_name);
    return jobClaims({ id: '', name: request.name, jobType: request.job_type, spec, resources: request.resources }).length > 0;
  }

  /**
   * 409 naming the field when an active job in the namespace already holds a claim or release name the request asks
   * for. A repeat of a keyed request is no conflict: creation answers the job the first one made.
   */
  async check(clusterId: string, namespace: string, tenantId: string, request: CreateJobRequest): Promise<void> {
    if (request.idempotency_key && (await this.jobs.findByIdempotencyKey(tenantId, request.idempotency_key))) return;
    const spec = request.spec;
    if (spec.kind === 'helm') {
      if (!spec.release_name) return;
      const holder = await this.jobs.activeHelmReleaseHolder(clusterId, namespace, spec.release_name);
      if (holder) throw conflict('spec.release_name', `release '${spec.release_name}'`, holder.name, namespace);
      return;
    }
    // The id is not known yet and names no claim; the spec's own checks ran at the edge.
    const claims = jobClaims({ id: '', name: request.name, jobType: request.job_type, spec, resources: request.resources });
    const [held] = await this.volumes.heldByActiveJobs(
      clusterId,
      namespace,
      claims.map((c) => c.claimName),
    );
    if (!held) return;
    const claim = claims.find((c) => c.claimName === held.claimName);
    const index = spec.kind === 'container' ? (spec.volumes ?? []).findIndex((v) => v.name === claim?.volumeName) : -1;
    const path = index >= 0 ? `spec.volumes[${index}].name` : request.resources.storage ? 'resources.storage' : 'name';
    throw conflict(path, `volume claim '${held.claimName}'`, held.jobName, namespace);
  }
}

function conflict(path: string, what: string, holder: string, namespace: string): AppError {
  const message = `${what} is used by the active job '${holder}' in namespace '${namespace}'; stop that job or choose another name`;
  return new AppError('conflict', `${path}: ${message}`, [{ path, message }]);
}
