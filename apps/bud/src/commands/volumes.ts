import { volumeStatuses } from '@bud/contracts';
import type { VolumeStatus } from '@bud/contracts';
import { UsageError } from '../errors';
import { renderTable } from '../format/table';
import { formatAge, formatUsd, orDash } from '../format/values';
import { resolveClusterId, resolveDeploymentId } from '../lookups';
import { commandUsageLine } from '../usage';
import type { CommandSpec } from './command';
import { printPage } from './list-output';
import { pageQuery, pagingOptions } from './paging';

const clusterOption = { type: 'string', value: 'name|id', required: true, description: 'the cluster' } as const;

/** docs/design.md#volumes: claims outlive their jobs; a deployment deleted with --keep-data leaves its volumes here. */
export const volumeCommands: CommandSpec[] = [
  {
    words: ['volumes', 'list'],
    args: [],
    summary: "List a cluster's volumes (kept data among them) with size, status, $/month and age",
    options: {
      cluster: clusterOption,
      status: { type: 'string', value: volumeStatuses.join('|'), description: 'only volumes in this status' },
      deployment: { type: 'string', value: 'id|name', description: "only this deployment's volumes" },
      ...pagingOptions,
    },
    async run(context) {
      const status = volumeStatus(context.input.string('status'));
      const clusterId = await resolveClusterId(context.clusters, context.input.requiredString('cluster'));
      const deployment = context.input.string('deployment');
      const answer = await context.clusters.listVolumes(clusterId, {
        ...pageQuery(context.input),
        status,
        usecase_deployment_id: deployment === undefined ? undefined : await resolveDeploymentId(context.usecases, deployment),
      });
      printPage(context, answer, 'volumes', (items) =>
        renderTable(
          ['id', 'claim', 'component', { header: 'size', align: 'right' }, 'status', { header: '$/month', align: 'right' }, 'age'],
          items.map((v) => [
            v.id,
            `${v.namespace}/${v.claim_name}`,
            orDash(v.component),
            v.size,
            v.status,
            formatUsd(v.estimated_cost_per_month),
            formatAge(v.created_at, context.now()),
          ]),
        ),
      );
    },
  },
  {
    words: ['volumes', 'delete'],
    args: ['<id>'],
    summary: 'Destroy a volume and the data on it (refused while a job holds it)',
    options: { cluster: clusterOption },
    async run(context) {
      const id = context.input.positionals[0];
      const clusterId = await resolveClusterId(context.clusters, context.input.requiredString('cluster'));
      await context.clusters.deleteVolume(clusterId, id);
      if (context.format === 'json') context.output.json({ id, deleted: true });
      else context.output.out(`Volume ${id} is deleted.`);
    },
  },
];

function volumeStatus(value: string | undefined): VolumeStatus | undefined {
  if (value === undefined) return undefined;
  const known = volumeStatuses.find((s) => s === value);
  if (known) return known;
  throw new UsageError(`--status must be one of ${volumeStatuses.join(', ')}, got '${value}'`, commandUsageLine(volumeCommands[0]));
}
