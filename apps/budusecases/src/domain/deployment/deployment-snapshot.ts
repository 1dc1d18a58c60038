import type { ComponentState, DeploymentState } from './deployment-state';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';

export function componentStates(components: DeploymentComponentRecord[]): ComponentState[] {
  return components.map((c) => ({
    id: c.id,
    status: c.status,
    dependsOn: c.dependsOn,
    jobId: c.jobId,
    jobStatus: c.jobStatus,
    removed: c.removed,
    health: c.health,
    healthMessage: c.healthMessage,
    unhealthySince: c.unhealthySince ? c.unhealthySince.getTime() : null,
  }));
}

export function deploymentState(deployment: DeploymentRecord, components: DeploymentComponentRecord[]): DeploymentState {
  return {
    desired: deployment.desiredState,
    status: deployment.status,
    onFailure: deployment.onFailure,
    components: componentStates(components),
  };
}
