import { Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { ScheduleResponse } from '@bud/contracts';
import { buildSchedule, GPU_HOLDING_STATUSES, GPU_WAITING_STATUSES } from '../domain/schedule';
import { JobRepository } from '../repositories/job.repository';
import { ClusterService } from './cluster.service';

@Injectable()
export class ScheduleService {
  constructor(
    private readonly clusters: ClusterService,
    private readonly jobs: JobRepository,
  ) {}

  async schedule(principal: Principal, clusterId: string, start: Date, end: Date): Promise<ScheduleResponse> {
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    // The caller's own jobs for the timeline; every tenant's for the GPU totals (docs/design.md#cluster-status).
    const [jobs, usage] = await Promise.all([
      this.jobs.overlapping(principal.tenantId, cluster.id, start, end),
      this.jobs.gpuUseOnCluster(cluster.id, GPU_HOLDING_STATUSES, GPU_WAITING_STATUSES),
    ]);
    return buildSchedule(
      { start, end },
      cluster.gpuInventory,
      jobs.map((job) => ({
        id: job.id,
        name: job.name,
        status: job.status,
        jobType: job.jobType,
        gpuType: job.resources.gpu_type ?? null,
        gpuCount: job.resources.gpu_count * Math.max(job.resources.replicas, 1),
        createdAt: job.createdAt,
        queuedAt: job.queuedAt,
        startedAt: job.startedAt,
        completedAt: job.completedAt,
        maxRuntimeSeconds: job.policy.max_runtime_seconds,
      })),
      usage,
    );
  }
}
