import { deploymentActionOutcome } from '@bud/contracts';
import type { DeploymentAction, DeploymentAsItIs } from '@bud/contracts';

/** What an API action does to a deployment as it is now (read under its row lock). */
export type Verdict = { kind: 'change' } | { kind: 'unchanged' } | { kind: 'conflict'; message: string };

export type DeploymentNow = DeploymentAsItIs;

/** The contracts' rule (which the UI offers buttons by), with the message a refusal answers. */
function verdict(action: DeploymentAction, now: DeploymentNow, refusal: () => string): Verdict {
  const outcome = deploymentActionOutcome(action, now);
  return outcome === 'refused' ? { kind: 'conflict', message: refusal() } : { kind: outcome };
}

export function stopVerdict(now: DeploymentNow): Verdict {
  return verdict('stop', now, () => 'the deployment is being deleted');
}

export function deleteVerdict(now: DeploymentNow): Verdict {
  return verdict('delete', now, () => 'the deployment is already being deleted');
}

export function startVerdict(now: DeploymentNow): Verdict {
  return verdict(
    'start',
    now,
    () => `only stopped or failed deployments can be started; this one is ${now.desired === 'deleted' ? 'being deleted' : now.status}`,
  );
}
