import { Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { JobListQuery, JobResponse, Page } from '@bud/contracts';
import { cursorPosition, listFilters, pageFields } from '@bud/database';
import { JobListRepository } from '../repositories/job-list.repository';
import { ClusterService } from './cluster.service';
import { viewableSourceTypes } from './job-access';
import { toJobResponse } from './job.mapper';

/** GET /clusters/{id}/jobs, by page or by cursor (docs/design.md#lists-and-pagination). */
@Injectable()
export class JobListService {
  constructor(
    private readonly jobs: JobListRepository,
    private readonly clusters: ClusterService,
  ) {}

  async list(principal: Principal, clusterId: string, query: JobListQuery): Promise<Page<JobResponse>> {
    // The cluster is part of what a cursor was made under: another cluster's cursor is refused, not reinterpreted.
    const filters = listFilters({ ...query, cluster_id: clusterId });
    const after = cursorPosition(query, filters);
    await this.clusters.visibleCluster(principal, clusterId);
    const { items, last, total } = await this.jobs.list(principal.tenantId, clusterId, query, viewableSourceTypes(principal), after);
    return { items: items.map((job) => toJobResponse(job)), ...pageFields(query, after, items.length, last, total, filters) };
  }
}
