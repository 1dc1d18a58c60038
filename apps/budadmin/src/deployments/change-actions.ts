import type { DeploymentComponentResponse, DeploymentStatus } from '@bud/contracts';
import { deploymentActionsAllowed } from '@bud/contracts';

/**
 * The UI offers update, scale and upgrade only on a deployment that has been placed and is not being
 * stopped or deleted (docs/design.md#deployment-update); stop, start and delete come from the contracts'
 * deploymentActionsAllowed, as the server decides them.
 */
const CHANGEABLE: ReadonlySet<DeploymentStatus> = new Set<DeploymentStatus>(['running', 'degraded', 'failed', 'updating']);

export interface DeploymentOffers {
  stop: boolean;
  start: boolean;
  delete: boolean;
  update: boolean;
  scale: boolean;
  upgrade: boolean;
}

export function deploymentOffers(status: DeploymentStatus, upgradeAvailable: string | null): DeploymentOffers {
  const changeable = CHANGEABLE.has(status);
  return { ...deploymentActionsAllowed(status), update: changeable, scale: changeable, upgrade: changeable && upgradeAvailable !== null };
}

/** A component scales while it is part of the deployment: not skipped by a condition or removed by an update. */
export function componentScalable(component: DeploymentComponentResponse): boolean {
  return component.status !== 'skipped' && component.status !== 'deleting';
}
