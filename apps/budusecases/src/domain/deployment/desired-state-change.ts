import type { DeploymentStatus } from '@bud/contracts';
import type { DesiredState } from './deployment-state';

/** What an API action does to a deployment as it is now (read under its row lock). */
export type Verdict = { kind: 'change' } | { kind: 'unchanged' } | { kind: 'conflict'; message: string };

export interface DeploymentNow {
  desired: DesiredState;
  status: DeploymentStatus;
}

const change: Verdict = { kind: 'change' };
const unchanged: Verdict = { kind: 'unchanged' };
const conflict = (message: string): Verdict => ({ kind: 'conflict', message });

/** Asking again for what is already under way is accepted: clients retry, and a burst of clicks is one intent. */
export function stopVerdict(now: DeploymentNow): Verdict {
  if (now.desired === 'deleted') return conflict('the deployment is being deleted');
  return now.desired === 'stopped' ? unchanged : change;
}

export function deleteVerdict(now: DeploymentNow): Verdict {
  return now.desired === 'deleted' ? unchanged : change;
}

/** A new run starts only from rest: a stopping deployment still holds jobs that the new run would lose track of. */
export function startVerdict(now: DeploymentNow): Verdict {
  const atRest = now.status === 'stopped' || (now.status === 'failed' && now.desired === 'running');
  if (now.desired === 'deleted' || !atRest)
    return conflict(
      `only stopped or failed deployments can be started; this one is ${now.desired === 'deleted' ? 'being deleted' : now.status}`,
    );
  return change;
}
