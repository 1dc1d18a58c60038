import type { DeploymentResponse } from '@bud/contracts';
import { renderDeployment, renderDeploymentList } from '../format/deployment';
import { resolveDeploymentId } from '../lookups';
import type { CommandContext, CommandSpec } from './command';
import { printPage } from './list-output';
import { pageQuery, pagingOptions } from './paging';
import { historySoFar, waitForDeletion, waitForStatus, waitOptions } from './waiting';

export const deploymentCommands: CommandSpec[] = [
  {
    words: ['deployments', 'list'],
    args: [],
    summary: 'List your deployments, newest first',
    options: pagingOptions,
    async run(context) {
      const answer = await context.usecases.listDeployments(pageQuery(context.input));
      printPage(context, answer, 'deployments', (items) => renderDeploymentList(items, context.now()));
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
  {
    words: ['deployments', 'stop'],
    args: ['<id|name>'],
    summary: 'Stop a deployment: its jobs are cancelled, dependents first (--wait until stopped)',
    options: waitOptions,
    async run(context) {
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
    summary: 'Delete a deployment: its jobs in reverse dependency order, then the record (--wait until gone)',
    options: waitOptions,
    async run(context) {
      const id = await resolveDeploymentId(context.usecases, context.input.positionals[0]);
      const deleting = await context.usecases.deleteDeployment(id);
      if (!context.input.boolean('wait')) return report(context, deleting, requested('Delete', deleting));
      context.output.progress(`Deleting ${deleting.name} (${deleting.id}); waiting for it to be gone:`);
      await waitForDeletion(context, deleting);
      report(context, deleting, `${deleting.name} is deleted.`);
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

/** The API accepts these actions at once (202) and carries them out in the background. */
function requested(action: string, d: DeploymentResponse): string {
  return `${action} requested for ${d.name} (${d.id}); follow it with: bud deployments show ${d.name}`;
}

function report(context: CommandContext, deployment: DeploymentResponse, sentence: string): void {
  if (context.format === 'json') context.output.json(deployment);
  else context.output.out(sentence);
}
