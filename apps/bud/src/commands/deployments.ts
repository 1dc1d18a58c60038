import type { DeploymentResponse } from '@bud/contracts';
import { renderDeployment, renderDeploymentList } from '../format/deployment';
import { resolveDeploymentId } from '../lookups';
import type { CommandContext, CommandSpec } from './command';
import { deploymentChangeCommands, printPlan } from './deployment-changes';
import { report, requested } from './deployment-report';
import { printPage } from './list-output';
import { cursorPageQuery, cursorPagingOptions } from './paging';
import { historySoFar, waitForDeletion, waitForStatus, waitOptions } from './waiting';

export const deploymentCommands: CommandSpec[] = [
  {
    words: ['deployments', 'list'],
    args: [],
    summary: 'List your deployments, newest first',
    options: cursorPagingOptions,
    async run(context) {
      const paging = cursorPageQuery(context.input);
      const answer = await context.usecases.listDeployments(paging);
      printPage(context, answer, 'deployments', (items) => renderDeploymentList(items, context.now()), paging.cursor);
    },
  },
  {
    words: ['deployments', 'show'],
    args: ['<id|name>'],
    summary: 'Show a deployment: status, parameters and each component',
    options: {},
    async run(context) {
      const deployment = await context.usecases.getDeployment(await resolveDeploymentId(context.usecases, context.input.positionals[0]));
      if (context.format === 'json') return context.output.json(deployment);
      context.output.out(renderDeployment(deployment, context.now()));
    },
  },
  ...deploymentChangeCommands,
  {
    words: ['deployments', 'stop'],
    args: ['<id|name>'],
    summary: 'Stop a deployment: its jobs are cancelled, dependents first; volumes are kept (--wait until stopped)',
    options: { 'dry-run': { type: 'boolean', description: 'print what stopping would remove; change nothing' }, ...waitOptions },
    async run(context) {
      if (context.input.boolean('dry-run')) {
        const named = context.input.positionals[0];
        return printPlan(context, await context.usecases.planStop(await resolveDeploymentId(context.usecases, named)), named);
      }
      await actAndWait(context, 'stopped', (id) => context.usecases.stopDeployment(id));
    },
  },
  {
    words: ['deployments', 'start'],
    args: ['<id|name>'],
    summary: 'Start a stopped or failed deployment again (--wait until running)',
    options: waitOptions,
    async run(context) {
      await actAndWait(context, 'running', (id) => context.usecases.startDeployment(id));
    },
  },
  {
    words: ['deployments', 'delete'],
    args: ['<id|name>'],
    summary: 'Delete a deployment: its jobs in reverse dependency order, its volumes unless --keep-data (--wait until gone)',
    details: [
      'Without --keep-data the volumes of the deployment (databases, caches) are destroyed; --dry-run lists them',
      'with their size and $/month first. Kept volumes stay listed per cluster and can be deleted later.',
    ].join('\n'),
    options: {
      'keep-data': { type: 'boolean', description: "keep the deployment's volumes" },
      'dry-run': { type: 'boolean', description: 'print the teardown plan and the data at risk; delete nothing' },
      ...waitOptions,
    },
    async run(context) {
      const named = context.input.positionals[0];
      const keepData = context.input.boolean('keep-data');
      const id = await resolveDeploymentId(context.usecases, named);
      if (context.input.boolean('dry-run')) return printPlan(context, await context.usecases.planDelete(id, keepData), named);
      const deleting = await context.usecases.deleteDeployment(id, keepData);
      const data = keepData ? 'its volumes are kept' : 'its volumes are destroyed';
      if (!context.input.boolean('wait')) return report(context, deleting, `${requested('Delete', deleting)}; ${data}`);
      context.output.progress(`Deleting ${deleting.name} (${deleting.id}); waiting for it to be gone:`);
      await waitForDeletion(context, deleting);
      report(context, deleting, `${deleting.name} is deleted; ${data}.`);
    },
  },
];

async function actAndWait(
  context: CommandContext,
  target: 'stopped' | 'running',
  act: (id: string) => Promise<DeploymentResponse>,
): Promise<void> {
  const id = await resolveDeploymentId(context.usecases, context.input.positionals[0]);
  const wait = context.input.boolean('wait');
  const seen = wait ? await historySoFar(context, id) : { afterEventId: '0', seenEventIds: [] };
  const accepted = await act(id);
  const verb = target === 'stopped' ? 'Stopping' : 'Starting';
  if (!wait) return report(context, accepted, requested(target === 'stopped' ? 'Stop' : 'Start', accepted));
  context.output.progress(`${verb} ${accepted.name} (${accepted.id}); waiting for it to be ${target}:`);
  const final = await waitForStatus(context, accepted, target, seen);
  report(context, final, `${final.name} is ${final.status}.`);
}
