import { Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { JobListQuery, JobResponse, Page } from '@bud/contracts';
import { JobListRepository } from '../repositories/job-list.repository';
import { ClusterService } from './cluster.service';
import { viewableSourceTypes } from './job-access';
import { toJobResponse } from './job.mapper';

/** GET /clusters/{id}/jobs (docs/design.md#lists-and-pagination). */
@Injectable()
export class JobListService {
  constructor(
    private readonly jobs: JobListRepository,
    private readonly clusters: ClusterService,
  ) {}

  async list(principal: Principal, clusterId: string, query: JobListQuery): Promise<Page<JobResponse>> {
    await this.clusters.visibleCluster(principal, clusterId);
    const { items, total, totalCapped } = await this.jobs.list(principal.tenantId, clusterId, query, viewableSourceTypes(principal));
    return {
      items: items.map((job) => toJobResponse(job)),
      total,
      page: query.page,
      page_size: query.page_size,
      ...(totalCapped ? { total_capped: true } : {}),
    };
  }
}
