import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { ScheduleResponse } from '@bud/contracts';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { buildSchedule, estimateStarts, GPU_HOLDING_STATUSES, GPU_WAITING_STATUSES } from '../domain/schedule';
import type { JobEntity } from '../entities/job.entity';
import { JobRepository } from '../repositories/job.repository';
import { QuotaRepository } from '../repositories/quota.repository';
import { toClusterQuotas } from './quota.mapper';
import { ClusterService } from './cluster.service';

@Injectable()
export class ScheduleService {
  constructor(
    private readonly clusters: ClusterService,
    private readonly jobs: JobRepository,
    private readonly quotas: QuotaRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async schedule(principal: Principal, clusterId: string, start: Date, end: Date): Promise<ScheduleResponse> {
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    // The caller's own jobs for the timeline; every tenant's for the GPU totals (docs/design.md#cluster-status).
    // Every tenant's active work and quotas too, for the estimated starts of the caller's queued jobs (docs/design.md#quotas).
    const [jobs, usage, active, quotaRows] = await Promise.all([
      this.jobs.overlapping(principal.tenantId, cluster.id, start, end),
      this.jobs.gpuUseOnCluster(cluster.id, GPU_HOLDING_STATUSES, GPU_WAITING_STATUSES),
      this.jobs.activeOnCluster(cluster.id),
      this.quotas.listOfCluster(cluster.id),
    ]);
    const starts = estimateStarts(
      new Date(this.clock.now()),
      cluster.gpuInventory,
      active.map((job) => ({
        id: job.id,
        tenantId: job.tenantId,
        status: job.status,
        gpuType: job.resources.gpu_type ?? null,
        gpuCount: gpusOf(job),
        priority: job.priority,
        createdAt: job.createdAt,
        queuedAt: job.queuedAt,
        startedAt: job.startedAt,
        maxRuntimeSeconds: job.policy.max_runtime_seconds,
      })),
      toClusterQuotas(quotaRows),
    );
    return buildSchedule(
      { start, end },
      cluster.gpuInventory,
      jobs.map((job) => ({
        id: job.id,
        name: job.name,
        status: job.status,
        jobType: job.jobType,
        gpuType: job.resources.gpu_type ?? null,
        gpuCount: gpusOf(job),
        createdAt: job.createdAt,
        queuedAt: job.queuedAt,
        startedAt: job.startedAt,
        completedAt: job.completedAt,
        maxRuntimeSeconds: job.policy.max_runtime_seconds,
        queuePosition: job.queuePosition,
      })),
      usage,
      starts,
    );
  }
}

const gpusOf = (job: JobEntity): number => job.resources.gpu_count * Math.max(job.resources.replicas, 1);
