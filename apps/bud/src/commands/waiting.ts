import { setTimeout as delay } from 'node:timers/promises';
import type { DeploymentResponse } from '@bud/contracts';
import { ApiError, CommandFailed } from '../errors';
import { EventLines } from '../format/events';
import { formatClock } from '../format/values';
import type { WaitTarget } from '../progress';
import { followDeployment } from '../progress';
import type { CommandContext, OptionSpec } from './command';

export const DEFAULT_TIMEOUT_SECONDS = 600;
const DELETION_POLL_MS = 500;

export const waitOptions: Readonly<Record<string, OptionSpec>> = {
  wait: { type: 'boolean', description: 'follow progress until done; exit 1 if it fails' },
  timeout: {
    type: 'string',
    value: 'seconds',
    integer: { min: 1, max: 7 * 86_400 },
    description: `how long --wait waits before exiting 1 (default ${DEFAULT_TIMEOUT_SECONDS})`,
  },
};

export function timeoutSeconds(context: CommandContext): number {
  return context.input.integer('timeout', DEFAULT_TIMEOUT_SECONDS);
}

export interface SeenHistory {
  afterEventId: string;
  seenEventIds: string[];
}

/** The events so far: a wait after an action follows only what the action caused. */
export async function historySoFar(context: CommandContext, deploymentId: string): Promise<SeenHistory> {
  const history = await context.usecases.deploymentHistory(deploymentId);
  return { afterEventId: history.at(-1)?.id ?? '0', seenEventIds: history.map((e) => e.id) };
}

/**
 * Prints each status change until the deployment reaches `target` and returns it then. Otherwise
 * fails; a script asking for JSON still gets the final state on stdout.
 */
export async function waitForStatus(
  context: CommandContext,
  deployment: DeploymentResponse,
  target: WaitTarget,
  seen: SeenHistory,
): Promise<DeploymentResponse> {
  const seconds = timeoutSeconds(context);
  const lines = new EventLines(deployment.name, deployment.components?.map((c) => c.id) ?? []);
  const outcome = await followDeployment(context.usecases, deployment.id, {
    target,
    afterEventId: seen.afterEventId,
    seenEventIds: seen.seenEventIds,
    deadline: Date.now() + seconds * 1000,
    onEvent: (event) => context.output.progress(lines.line(event)),
  });
  const final = await context.usecases.getDeployment(deployment.id);
  if (outcome.kind === 'reached') return final;
  if (context.format === 'json') context.output.json(final);
  const failures = (final.components ?? []).filter((c) => c.status === 'failed').map((c) => `\n  ${c.id}: ${c.message ?? 'failed'}`);
  if (outcome.kind === 'timed_out') {
    throw new CommandFailed(
      `${deployment.name} is still ${final.status} after ${seconds}s (it was to be ${target}); follow it with: bud deployments show ${deployment.name}${failures.join('')}`,
    );
  }
  throw new CommandFailed(
    `${deployment.name} is ${final.status}, not ${target}${final.status_message ? `: ${final.status_message}` : ''}${failures.join('')}`,
  );
}

/** Polls until the deployment is gone (404); the record goes only after every job is deleted. */
export async function waitForDeletion(context: CommandContext, deployment: DeploymentResponse): Promise<void> {
  const seconds = timeoutSeconds(context);
  const deadline = context.now() + seconds * 1000;
  let lastStatus = '';
  for (;;) {
    try {
      const current = await context.usecases.getDeployment(deployment.id);
      if (current.status !== lastStatus)
        context.output.progress(`  ${formatClock(new Date(context.now()).toISOString())}  ${deployment.name}  ${current.status}`);
      lastStatus = current.status;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return;
      throw error;
    }
    if (context.now() >= deadline)
      throw new CommandFailed(`${deployment.name} is still ${lastStatus} after ${seconds}s; it was being deleted`);
    await delay(Math.min(DELETION_POLL_MS, Math.max(0, deadline - context.now())));
  }
}
