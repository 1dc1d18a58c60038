import type { CreateDeploymentRequest, DeploymentResponse } from '@bud/contracts';
import { renderComponents } from '../format/deployment';
import { renderPlan } from '../format/plan';
import { formatUsd } from '../format/values';
import { UsageError } from '../errors';
import { resolveClusterId } from '../lookups';
import { parseSetValues } from '../set-values';
import { commandUsageLine } from '../usage';
import type { CommandContext, CommandSpec } from './command';
import { timeoutSeconds, waitForStatus, waitOptions } from './waiting';

export const deployCommand: CommandSpec = {
  words: ['deploy'],
  args: ['<template>'],
  summary: 'Deploy a template on a cluster (--dry-run shows the plan and creates nothing)',
  details: [
    'Parameters: --set key=value, repeated. A value that parses as JSON keeps that type (gpu_count=2,',
    'tracing=true); anything else is a string. Quote JSON to force a string: --set \'tag="007"\'. A list parameter',
    'takes a JSON array: --set \'tools_enabled=["time","fetch"]\' (--set \'tools_enabled=[]\' for none).',
    '--dry-run prints the plan: waves, GPUs and $/hour per component, the total, whether the cluster has room and,',
    'when budgets cover the work, what it does to them (REFUSED when a block_new budget would be exceeded).',
    '--wait prints a line per component status change and exits 0 once the deployment runs, 1 if it fails',
    'or --timeout passes.',
  ].join('\n'),
  options: {
    cluster: { type: 'string', value: 'name|id', required: true, description: 'cluster to deploy on' },
    name: { type: 'string', value: 'name', required: true, description: 'deployment name: a DNS label of up to 40 characters' },
    set: { type: 'string', value: 'key=value', multiple: true, description: 'a template parameter' },
    'on-failure': {
      type: 'string',
      value: 'stop|rollback',
      description: 'when a component fails: stop where it is (default) or tear everything down',
    },
    'dry-run': { type: 'boolean', description: 'show the plan; create nothing' },
    ...waitOptions,
  },
  async run(context) {
    const clusterArg = context.input.requiredString('cluster');
    // What the command line alone can get wrong is reported before anything is asked of the platform.
    const parameters = parseSetValues(context.input.strings('set'));
    const onFailure = failurePolicy(context.input.string('on-failure'));
    const request: CreateDeploymentRequest = {
      template_id: context.input.positionals[0],
      name: context.input.requiredString('name'),
      cluster_id: await resolveClusterId(context.clusters, clusterArg),
      parameters,
      on_failure: onFailure,
    };
    if (context.input.boolean('dry-run')) {
      const plan = await context.usecases.planDeployment(request);
      if (context.format === 'json') return context.output.json(plan);
      return context.output.out(renderPlan(plan, { name: request.name, cluster: clusterArg }));
    }
    const created = await context.usecases.createDeployment(request);
    if (!context.input.boolean('wait')) return printCreated(context, created, clusterArg);
    context.output.progress(`Deploying ${describe(created, clusterArg)}; waiting up to ${timeoutSeconds(context)}s for it to run:`);
    const running = await waitForStatus(context, created, 'running', { afterEventId: '0', seenEventIds: [] });
    if (context.format === 'json') return context.output.json(running);
    context.output.out(
      `${running.name} is running: ${running.components?.length ?? 0} components, ${formatUsd(running.estimated_cost_per_hour)}/hour.`,
    );
    if (running.components) context.output.out(renderComponents(running.components));
  },
};

function failurePolicy(value: string | undefined): CreateDeploymentRequest['on_failure'] {
  if (value === undefined || value === 'stop' || value === 'rollback') return value ?? 'stop';
  throw new UsageError(`--on-failure must be stop or rollback, got '${value}'`, commandUsageLine(deployCommand));
}

function printCreated(context: CommandContext, created: DeploymentResponse, cluster: string): void {
  if (context.format === 'json') return context.output.json(created);
  context.output.out(
    `Created deployment ${describe(created, cluster)}: ${created.status}, ${formatUsd(created.estimated_cost_per_hour)}/hour.`,
  );
  if (created.components) context.output.out(renderComponents(created.components));
  context.output.out(`Follow it with: bud deployments show ${created.name}`);
}

function describe(d: DeploymentResponse, cluster: string): string {
  return `${d.name} (${d.id}) of ${d.template_id}@${d.template_version} on cluster ${cluster}`;
}
