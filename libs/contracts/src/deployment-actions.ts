import type { ComponentStatus, DeploymentStatus } from './deployment';

/** What a deployment wants; its status says how far it has got. */
export type DeploymentDesiredState = 'running' | 'stopped' | 'deleted';
export type DeploymentAction = 'stop' | 'start' | 'delete';
/** `unchanged`: asking again for what is already under way is accepted, since clients retry and a burst of clicks is one intent. */
export type DeploymentActionOutcome = 'change' | 'unchanged' | 'refused';

export interface DeploymentAsItIs {
  status: DeploymentStatus;
  desired: DeploymentDesiredState;
}

/**
 * What stop, start or delete does to a deployment as it is now. The server decides by it under the
 * deployment's row lock; the UI offers the actions that would change something.
 */
export function deploymentActionOutcome(action: DeploymentAction, now: DeploymentAsItIs): DeploymentActionOutcome {
  switch (action) {
    case 'stop':
      if (now.desired === 'deleted') return 'refused';
      return now.desired === 'stopped' ? 'unchanged' : 'change';
    case 'delete':
      return now.desired === 'deleted' ? 'unchanged' : 'change';
    case 'start':
      // A new run starts only from rest: a stopping deployment still holds jobs that the new run would lose track of.
      return now.desired !== 'deleted' && (now.status === 'stopped' || (now.status === 'failed' && now.desired === 'running'))
        ? 'change'
        : 'refused';
    default: {
      const unreachable: never = action;
      throw new Error(`unknown deployment action ${String(unreachable)}`);
    }
  }
}

/** A failed component is retried only while its deployment wants to run. */
export function componentRetryAllowed(component: ComponentStatus, desired: DeploymentDesiredState): boolean {
  return component === 'failed' && desired === 'running';
}

/**
 * What a deployment wants, read from its status alone (the wire shows no desired state): a deleting
 * deployment wants to be gone, a stopping or stopped one to rest, any other to run.
 */
export function desiredStateShownBy(status: DeploymentStatus): DeploymentDesiredState {
  if (status === 'deleting') return 'deleted';
  return status === 'stopping' || status === 'stopped' ? 'stopped' : 'running';
}

export type DeploymentActionsAllowed = Record<DeploymentAction, boolean>;

/** The actions that would change this deployment; `desired` defaults to what its status shows. */
export function deploymentActionsAllowed(
  status: DeploymentStatus,
  desired: DeploymentDesiredState = desiredStateShownBy(status),
): DeploymentActionsAllowed {
  const changes = (action: DeploymentAction) => deploymentActionOutcome(action, { status, desired }) === 'change';
  return { stop: changes('stop'), start: changes('start'), delete: changes('delete') };
}
