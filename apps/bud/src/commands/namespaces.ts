import { renderTable } from '../format/table';
import { formatAge, orDash } from '../format/values';
import { resolveClusterId } from '../lookups';
import type { CommandSpec } from './command';
import { printPage } from './list-output';
import { pageQuery, pagingOptions } from './paging';

/** docs/design.md#namespaces: the namespaces budcluster manages for your tenant on a cluster, and what isolates them. */
export const namespaceCommands: CommandSpec[] = [
  {
    words: ['namespaces', 'list'],
    args: [],
    summary: "List your tenant's namespaces on a cluster with their pod security and isolation objects",
    options: {
      cluster: { type: 'string', value: 'name|id', required: true, description: 'the cluster' },
      ...pagingOptions,
    },
    async run(context) {
      const clusterId = await resolveClusterId(context.clusters, context.input.requiredString('cluster'));
      const answer = await context.clusters.listNamespaces(clusterId, pageQuery(context.input));
      printPage(context, answer, 'namespaces', (items) =>
        renderTable(
          ['name', 'project', 'pod security', 'objects', 'age'],
          items.map((n) => [
            n.name,
            orDash(n.project_id),
            `enforce ${n.pod_security.enforce}, warn ${n.pod_security.warn}`,
            n.objects.map((o) => `${o.kind}/${o.name}`).join(', '),
            formatAge(n.created_at, context.now()),
          ]),
        ),
      );
    },
  },
];
