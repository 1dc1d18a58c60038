import type { JobResponse } from '@bud/contracts';
import { renderTable } from '../format/table';
import { formatAge, formatGpu, formatUsd } from '../format/values';
import { resolveClusterId } from '../lookups';
import type { CommandSpec } from './command';
import { printPage } from './list-output';
import { cursorPageQuery, cursorPagingOptions } from './paging';

/** Where a waiting job stands in its tenant's queue (`#2`), or the flavor an admitted one got (docs/design.md#quotas). */
export function queueCell(job: Pick<JobResponse, 'queue_position' | 'admitted_flavor'>): string {
  if (job.queue_position !== null) return `#${job.queue_position}`;
  return job.admitted_flavor ?? '-';
}

export const jobCommands: CommandSpec[] = [
  {
    words: ['jobs', 'list'],
    args: [],
    summary: "List a cluster's jobs, newest first",
    options: {
      cluster: { type: 'string', value: 'name|id', required: true, description: 'the cluster' },
      status: {
        type: 'string',
        value: 'status',
        multiple: true,
        description:
          'only jobs in this status: pending, queued, admitted, running, succeeded, failed, cancelled or preempted; also comma-separated',
      },
      ...cursorPagingOptions,
    },
    async run(context) {
      const clusterId = await resolveClusterId(context.clusters, context.input.requiredString('cluster'));
      const status = context.input
        .strings('status')
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean);
      const paging = cursorPageQuery(context.input);
      const answer = await context.clusters.listJobs(clusterId, { ...paging, ...(status.length > 0 ? { status } : {}) });
      printPage(
        context,
        answer,
        'jobs',
        (items) =>
          renderTable(
            ['name', 'id', 'status', 'queue', 'type', 'source', 'gpus', { header: '$/hour', align: 'right' }, 'age'],
            items.map((j) => [
              j.name,
              j.id,
              j.status,
              queueCell(j),
              j.job_type,
              j.source_id ? `${j.source_type}:${j.source_id}` : j.source_type,
              formatGpu(j.resources.gpu_count * j.resources.replicas, j.resources.gpu_type),
              formatUsd(j.estimated_cost_per_hour),
              formatAge(j.created_at, context.now()),
            ]),
          ),
        paging.cursor,
      );
    },
  },
];
