import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { hasScope } from '@bud/auth';
import type { Page, VolumeListQuery, VolumeResponse } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { jobClaims } from '../domain/manifests/volumes';
import { DriverRegistry } from '../drivers/driver-registry.service';
import type { ClusterEntity, JobEntity, VolumeEntity } from '../entities';
import { toJobModel } from '../entities/job-model.mapper';
import { VolumeRepository } from '../repositories/volume.repository';
import { ClusterService } from './cluster.service';
import { NamespaceService } from './namespace.service';
import { toVolumeResponse } from './volume.mapper';

/**
 * docs/design.md#volumes: the claims budcluster made for jobs, kept beyond the jobs. Stop keeps them, delete destroys
 * them unless keep_data, and the namespace goes when nothing of the tenant is left in it.
 */
@Injectable()
export class VolumeService {
  private readonly logger = new Logger('volumes');

  constructor(
    private readonly volumes: VolumeRepository,
    private readonly clusters: ClusterService,
    private readonly drivers: DriverRegistry,
    private readonly namespaces: NamespaceService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The job's claims become attached to it: a claim of the same name (a component's next run) is the same row. */
  async attach(job: JobEntity): Promise<void> {
    const claims = jobClaims(toJobModel(job));
    if (claims.length === 0) return;
    await this.volumes.attach(
      claims.map((claim) => ({
        id: randomUUID(),
        clusterId: job.clusterId,
        tenantId: job.tenantId,
        namespace: job.k8sNamespace,
        claimName: claim.claimName,
        volumeName: claim.volumeName,
        jobName: job.name,
        jobId: job.id,
        usecaseDeploymentId: job.usecaseDeploymentId,
        component: job.labels['usecase-component'] ?? null,
        size: claim.size,
      })),
      new Date(this.clock.now()),
    );
  }

  /** A finished job's row is gone: its volumes are retained with keep_data, else destroyed; then maybe its namespace. */
  async jobDeleted(cluster: ClusterEntity, job: JobEntity, keepData: boolean): Promise<void> {
    const now = new Date(this.clock.now());
    if (keepData) await this.volumes.setStatusOfJob(job.id, ['attached', 'detached'], 'retained', now);
    else
      for (const volume of await this.volumes.setStatusOfJob(job.id, ['attached', 'detached'], 'deleting', now))
        await this.destroy(cluster, volume);
    await this.cleanUpNamespace(cluster, job.k8sNamespace);
  }

  async list(principal: Principal, clusterId: string, query: VolumeListQuery): Promise<Page<VolumeResponse>> {
    requireVolumeScope(principal, 'view');
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    // Tenant-scoped for everyone, as jobs are: a platform admin of another tenant neither reads nor destroys a tenant's data.
    const { items, total } = await this.volumes.list(cluster.id, principal.tenantId, query);
    const now = this.clock.now();
    return { items: items.map((v) => toVolumeResponse(v, cluster.priceTable, now)), total, page: query.page, page_size: query.page_size };
  }

  async get(principal: Principal, clusterId: string, volumeId: string): Promise<VolumeResponse> {
    requireVolumeScope(principal, 'view');
    const { cluster, volume } = await this.visible(principal, clusterId, volumeId);
    return toVolumeResponse(volume, cluster.priceTable, this.clock.now());
  }

  /** 409 while a job has it attached; otherwise the claim is deleted on the cluster and the row goes. */
  async delete(principal: Principal, clusterId: string, volumeId: string): Promise<void> {
    requireVolumeScope(principal, 'manage');
    const { cluster, volume } = await this.visible(principal, clusterId, volumeId);
    if (volume.status === 'attached')
      throw AppError.conflict(`volume ${volume.claimName} is attached to job ${volume.jobName}; stop or delete the job first`);
    const deleting = await this.volumes.markDeleting(volume.id, new Date(this.clock.now()));
    if (!deleting) throw AppError.conflict(`volume ${volume.claimName} was attached meanwhile`);
    await this.destroy(cluster, deleting);
    await this.cleanUpNamespace(cluster, volume.namespace);
  }

  private async visible(
    principal: Principal,
    clusterId: string,
    volumeId: string,
  ): Promise<{ cluster: ClusterEntity; volume: VolumeEntity }> {
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    const volume = await this.volumes.findById(volumeId);
    if (!volume || volume.clusterId !== cluster.id || volume.tenantId !== principal.tenantId) throw AppError.notFound('volume', volumeId);
    return { cluster, volume };
  }

  /**
   * The claim goes on the cluster, then the row. A replica that does not own the cluster, or a cluster that refuses
   * for now, leaves the row `deleting`: the owner's check deletes what is left (the job row may already be gone).
   */
  private async destroy(cluster: ClusterEntity, volume: VolumeEntity): Promise<void> {
    const model = {
      id: volume.id,
      clusterId: volume.clusterId,
      tenantId: volume.tenantId,
      namespace: volume.namespace,
      claimName: volume.claimName,
    };
    const deleted = await this.drivers.deleteVolume(cluster, model).catch((error: unknown) => {
      this.logger.warn('claim deletion failed; the owner retries', { volume_id: volume.id, error: (error as Error).message });
      return false;
    });
    if (deleted) await this.volumes.delete(volume.id);
  }

  private async cleanUpNamespace(cluster: ClusterEntity, namespace: string): Promise<void> {
    if (await this.volumes.namespaceInUse(cluster.id, namespace)) return;
    try {
      await this.drivers.deleteNamespace(cluster, namespace);
      // Its tenant no longer owns it (docs/design.md#namespaces); a namespace left on the cluster keeps its tenant label.
      await this.namespaces.forget(cluster, namespace);
    } catch (error) {
      this.logger.warn('namespace cleanup failed', { cluster_id: cluster.id, namespace, error: (error as Error).message });
    }
  }
}

function requireVolumeScope(principal: Principal, action: 'view' | 'manage'): void {
  if (!hasScope(principal, `job:${action}`) && !hasScope(principal, `usecase:${action}`))
    throw new AppError('forbidden', `this action needs the scope 'job:${action}' or 'usecase:${action}'`);
}
