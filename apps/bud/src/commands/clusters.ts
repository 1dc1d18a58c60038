import { renderTable } from '../format/table';
import { formatGpuInventory } from '../format/values';
import type { CommandSpec } from './command';
import { printPage } from './list-output';
import { pageQuery, pagingOptions } from './paging';

export const clusterCommands: CommandSpec[] = [
  {
    words: ['clusters', 'list'],
    args: [],
    summary: 'List the clusters you can deploy on (yours and shared ones)',
    options: pagingOptions,
    async run(context) {
      const answer = await context.clusters.listClusters(pageQuery(context.input));
      printPage(context, answer, 'clusters', (items) =>
        renderTable(
          ['name', 'id', 'type', 'status', 'shared', 'gpus'],
          items.map((c) => [c.name, c.id, c.type, c.status, c.tenant_id === null ? 'yes' : 'no', formatGpuInventory(c.gpu_inventory)]),
        ),
      );
    },
  },
];
