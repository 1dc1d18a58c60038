import { renderTable } from '../format/table';
import { formatGpu } from '../format/values';
import type { CommandSpec } from './command';
import { printPage } from './list-output';
import { pageQuery, pagingOptions } from './paging';

export const componentCommands: CommandSpec[] = [
  {
    words: ['components', 'list'],
    args: [],
    summary: 'List the component registry: what templates are built from',
    options: pagingOptions,
    async run(context) {
      const answer = await context.usecases.listComponents(pageQuery(context.input));
      printPage(context, answer, 'components', (items) =>
        renderTable(
          ['id', 'name', 'category', 'type', 'version', 'default gpus'],
          items.map((c) => [c.id, c.name, c.category, c.deployment_type, c.version, formatGpu(c.default_gpu_count, c.default_gpu_type)]),
        ),
      );
    },
  },
];
