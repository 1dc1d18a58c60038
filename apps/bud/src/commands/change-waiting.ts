import { setTimeout as delay } from 'node:timers/promises';
import type { ChangePlan, DeploymentResponse } from '@bud/contracts';
import { changeState, progressLines } from '../change-progress';
import { CommandFailed } from '../errors';
import { formatClock } from '../format/values';
import type { CommandContext } from './command';
import { timeoutSeconds } from './waiting';

const CHANGE_POLL_MS = 250;

/**
 * Reads the deployment until the change the plan announced is rolled out: prints each move of a
 * component's status or health, and answers the deployment as it is then. Fails when the change fails
 * or the deadline passes; a script asking for JSON still gets the last state on stdout.
 */
export async function waitForChange(context: CommandContext, plan: ChangePlan, before: DeploymentResponse): Promise<DeploymentResponse> {
  const seconds = timeoutSeconds(context);
  const deadline = context.now() + seconds * 1000;
  const seenUpdating = new Set<string>();
  let previous = before;
  for (;;) {
    const now = await context.usecases.getDeployment(before.id);
    for (const line of progressLines(previous, now, formatClock(new Date(context.now()).toISOString()))) context.output.progress(line);
    for (const c of now.components ?? []) if (c.status === 'updating') seenUpdating.add(c.id);
    previous = now;
    const state = changeState(plan, before, now, seenUpdating);
    if (state.kind === 'done') return now;
    if (state.kind === 'failed') return fail(context, now, state.reason);
    if (context.now() >= deadline)
      return fail(
        context,
        now,
        `${now.name} is still ${now.status} after ${seconds}s, waiting on ${state.on.join(', ')}; follow it with: bud deployments show ${now.name}`,
      );
    await delay(Math.min(CHANGE_POLL_MS, Math.max(0, deadline - context.now())));
  }
}

function fail(context: CommandContext, final: DeploymentResponse, reason: string): never {
  if (context.format === 'json') context.output.json(final);
  throw new CommandFailed(reason);
}
