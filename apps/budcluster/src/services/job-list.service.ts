import { Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { JobListQuery, JobResponse, Page } from '@bud/contracts';
import { cursorAfter, cursorPosition, listFilters } from '@bud/database';
import type { ListTotal } from '@bud/database';
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
    const filters = listFilters(query);
    const after = cursorPosition(query, filters);
    await this.clusters.visibleCluster(principal, clusterId);
    const { items, last, total } = await this.jobs.list(principal.tenantId, clusterId, query, viewableSourceTypes(principal), after);
    // Rows before and on this page are known to exist; on an offset page that ends the list, they are all of it.
    const seen = (after ? 0 : (query.page - 1) * query.page_size) + items.length;
    const { total: counted, kind }: ListTotal =
      !after && !last && (items.length > 0 || query.page === 1)
        ? { total: seen, kind: 'exact' }
        : total.kind === 'estimate'
          ? { total: Math.max(total.total, seen + (last ? 1 : 0)), kind: 'estimate' }
          : total;
    return {
      items: items.map((job) => toJobResponse(job)),
      total: counted,
      page: query.page,
      page_size: query.page_size,
      total_kind: kind,
      next_cursor: last ? cursorAfter(last, filters) : null,
      ...(kind === 'capped' ? { total_capped: true } : {}),
    };
  }
}
