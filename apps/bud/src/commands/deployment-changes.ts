import { MAX_REPLICAS } from '@bud/contracts';
import type { ChangePlan, DeploymentResponse } from '@bud/contracts';
import { planChangesSomething } from '../change-progress';
import { CommandFailed } from '../errors';
import { renderChangePlan } from '../format/change-plan';
import { renderComponents } from '../format/deployment';
import { resolveDeploymentId } from '../lookups';
import { parseSetValues } from '../set-values';
import { waitForChange } from './change-waiting';
import type { CommandContext, CommandSpec, OptionSpec } from './command';
import { report, requested } from './deployment-report';
import { timeoutSeconds, waitOptions } from './waiting';

const dryRunOption: Readonly<Record<string, OptionSpec>> = {
  'dry-run': { type: 'boolean', description: 'print the plan (changes, blast radius, cost, data at risk); change nothing' },
};

const CHANGE_DETAILS = [
  '--dry-run prints the plan: per component unchanged, scale, rolling, add or remove with the job fields that',
  'change; the dependents that restart and because of which output; $/hour before, after and the difference;',
  'GPUs; whether the cluster has room; and the volumes that would be destroyed.',
  '--wait prints each move of a component (status and health) and exits 0 once the change is rolled out and',
  'the deployment runs, 1 if it fails, is degraded, or --timeout passes.',
].join('\n');

export const deploymentChangeCommands: CommandSpec[] = [
  {
    words: ['deployments', 'update'],
    args: ['<id|name>'],
    summary: 'Change parameters in place: changed components roll without downtime (--dry-run shows the plan)',
    details: `Parameters: --set key=value, repeated, merged over the current values (typed as for bud deploy).\n${CHANGE_DETAILS}`,
    options: {
      set: { type: 'string', value: 'key=value', multiple: true, required: true, description: 'a new parameter value' },
      ...dryRunOption,
      ...waitOptions,
    },
    async run(context) {
      // What the command line alone can get wrong is reported before anything is asked of the platform.
      const parameters = parseSetValues(context.input.strings('set'));
      await change(context, {
        verb: 'Update',
        plan: (id) => context.usecases.planUpdate(id, parameters),
        apply: (id) => context.usecases.updateDeployment(id, parameters),
      });
    },
  },
  {
    words: ['deployments', 'scale'],
    args: ['<id|name>', '<component>'],
    summary: "Set a component's replicas; a replicas-only change restarts nothing (--dry-run shows the plan)",
    details: CHANGE_DETAILS,
    options: {
      replicas: {
        type: 'string',
        value: 'count',
        required: true,
        integer: { min: 0, max: MAX_REPLICAS },
        description: `replicas of the component, 0 to ${MAX_REPLICAS}`,
      },
      ...dryRunOption,
      ...waitOptions,
    },
    async run(context) {
      const component = context.input.positionals[1];
      const request = { replicas: context.input.integer('replicas', 1) };
      await change(context, {
        verb: 'Scale',
        plan: (id) => context.usecases.planScale(id, component, request),
        apply: (id) => context.usecases.scaleComponent(id, component, request),
      });
    },
  },
  {
    words: ['deployments', 'upgrade'],
    args: ['<id|name>'],
    summary: 'Move a deployment to the newest version of its template in place (--dry-run shows the plan)',
    details: `Optional --set key=value pairs give parameter values for the new version.\n${CHANGE_DETAILS}`,
    options: {
      set: { type: 'string', value: 'key=value', multiple: true, description: 'a parameter value for the new version' },
      ...dryRunOption,
      ...waitOptions,
    },
    async run(context) {
      const parameters = parseSetValues(context.input.strings('set'));
      await change(context, {
        verb: 'Upgrade',
        plan: (id) => context.usecases.planUpgrade(id, parameters),
        apply: (id) => context.usecases.upgradeDeployment(id, parameters),
      });
    },
  },
];

interface Change {
  verb: string;
  plan(id: string): Promise<ChangePlan>;
  apply(id: string): Promise<DeploymentResponse>;
}

/**
 * --dry-run: the plan only. --wait: the plan first as well, since it names the components whose rollout
 * the wait follows; then the change, then each move until it is rolled out.
 */
async function change(context: CommandContext, spec: Change): Promise<void> {
  const named = context.input.positionals[0];
  const id = await resolveDeploymentId(context.usecases, named);
  if (context.input.boolean('dry-run')) return printPlan(context, await spec.plan(id), named);
  if (!context.input.boolean('wait')) {
    const accepted = await spec.apply(id);
    return report(context, accepted, requested(spec.verb, accepted));
  }
  const before = await context.usecases.getDeployment(id);
  const plan = await spec.plan(id);
  const accepted = await spec.apply(id);
  if (!planChangesSomething(plan)) return report(context, accepted, `${accepted.name}: nothing to roll out, every component is unchanged.`);
  const changing = plan.components.filter((c) => c.change !== 'unchanged').map((c) => `${c.id} (${c.change})`);
  context.output.progress(
    `${spec.verb} of ${accepted.name} (${accepted.id}): ${changing.join(', ')}; waiting up to ${timeoutSeconds(context)}s:`,
  );
  const final = await waitForChange(context, plan, before);
  if (context.format === 'json') context.output.json(final);
  else {
    context.output.out(`${final.name} is ${final.status}${final.status_message ? ` (${final.status_message})` : ''}.`);
    if (final.components) context.output.out(renderComponents(final.components));
  }
  if (final.status === 'degraded')
    throw new CommandFailed(
      `the change is rolled out but ${final.name} is degraded${final.status_message ? `: ${final.status_message}` : ''}`,
    );
}

export function printPlan(context: CommandContext, plan: ChangePlan, name: string): void {
  if (context.format === 'json') context.output.json(plan);
  else context.output.out(renderChangePlan(plan, name));
}
