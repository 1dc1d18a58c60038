import type { DeploymentComponentRecord } from '../../entities/records';

/** A component's job fields when it has no job: before its first, after a removal or a skip. */
export function blankJob(): Pick<
  DeploymentComponentRecord,
  | 'jobId'
  | 'jobStatus'
  | 'jobVersion'
  | 'jobOutputs'
  | 'outputs'
  | 'health'
  | 'healthMessage'
  | 'unhealthySince'
  | 'generation'
  | 'appliedJobHash'
> {
  return {
    jobId: null,
    jobStatus: null,
    jobVersion: 0,
    jobOutputs: {},
    outputs: {},
    health: null,
    healthMessage: null,
    unhealthySince: null,
    generation: null,
    appliedJobHash: null,
  };
}
