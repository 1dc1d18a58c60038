import type { JobStatus } from '@bud/contracts';
import { condition, type RawOptions } from './kubernetes-fixtures';
import { DEPLOYMENT, HELM_RELEASE, type ResourceKind } from '../../src/drivers/kubernetes/resource-kinds';

/** Table rows for status-from-objects.spec.ts: an object as the API server reports it, and the status it means. */
export interface StatusCase {
  name: string;
  kind: ResourceKind;
  object: RawOptions;
  status: JobStatus;
  reason: string;
}

export const available = condition('Available', 'True', 'MinimumReplicasAvailable');
const progressing = condition('Progressing', 'True', 'NewReplicaSetAvailable');

export const statusCases: StatusCase[] = [
  // Deployments
  {
    name: 'a deployment with every replica ready and its generation observed is running',
    kind: DEPLOYMENT,
    object: { spec: { replicas: 2 }, status: { observedGeneration: 1, readyReplicas: 2, conditions: [available, progressing] } },
    status: 'running',
    reason: 'Available',
  },
  {
    name: 'an available deployment short of replicas is still admitted',
    kind: DEPLOYMENT,
    object: { spec: { replicas: 3 }, status: { observedGeneration: 1, readyReplicas: 2, conditions: [available] } },
    status: 'admitted',
    reason: 'Progressing',
  },
  {
    name: 'an available deployment whose new generation is not yet observed is admitted',
    kind: DEPLOYMENT,
    object: { generation: 4, spec: { replicas: 1 }, status: { observedGeneration: 3, readyReplicas: 1, conditions: [available] } },
    status: 'admitted',
    reason: 'Progressing',
  },
  {
    name: 'a deployment without replicas field defaults to one desired replica',
    kind: DEPLOYMENT,
    object: { status: { observedGeneration: 1, readyReplicas: 1, conditions: [available] } },
    status: 'running',
    reason: 'Available',
  },
  {
    name: 'a deployment scaled to zero is running once available',
    kind: DEPLOYMENT,
    object: { spec: { replicas: 0 }, status: { observedGeneration: 1, conditions: [available] } },
    status: 'running',
    reason: 'Available',
  },
  { name: 'a fresh deployment with no status is admitted', kind: DEPLOYMENT, object: {}, status: 'admitted', reason: 'Progressing' },
  {
    name: 'a deployment past its progress deadline has failed',
    kind: DEPLOYMENT,
    object: {
      status: { conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "x" has timed out progressing.')] },
    },
    status: 'failed',
    reason: 'ProgressDeadlineExceeded',
  },
  {
    name: 'a deployment that cannot create pods has failed',
    kind: DEPLOYMENT,
    object: { status: { conditions: [condition('ReplicaFailure', 'True', 'FailedCreate', 'pods "x" is forbidden: exceeded quota')] } },
    status: 'failed',
    reason: 'ReplicaFailure',
  },
  {
    name: 'a resolved replica failure does not fail the deployment',
    kind: DEPLOYMENT,
    object: { status: { observedGeneration: 1, readyReplicas: 1, conditions: [available, condition('ReplicaFailure', 'False')] } },
    status: 'running',
    reason: 'Available',
  },
  {
    name: 'a deployment with readyReplicas of the wrong type is not running',
    kind: DEPLOYMENT,
    object: { spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: '1', conditions: [available] } },
    status: 'admitted',
    reason: 'Progressing',
  },
  // HelmReleases
  {
    name: 'a ready release is running',
    kind: HELM_RELEASE,
    object: { status: { observedGeneration: 1, conditions: [condition('Ready', 'True', 'InstallSucceeded')] } },
    status: 'running',
    reason: 'Ready',
  },
  {
    name: 'a ready condition from an older generation is not trusted',
    kind: HELM_RELEASE,
    object: { generation: 2, status: { observedGeneration: 1, conditions: [condition('Ready', 'True', 'InstallSucceeded')] } },
    status: 'admitted',
    reason: 'Reconciling',
  },
  {
    name: 'a stalled release has failed with the stall reason',
    kind: HELM_RELEASE,
    object: { status: { conditions: [condition('Ready', 'False', 'InstallFailed'), condition('Stalled', 'True', 'RetriesExceeded')] } },
    status: 'failed',
    reason: 'RetriesExceeded',
  },
  {
    name: 'an install failure with retries left is still admitted',
    kind: HELM_RELEASE,
    object: {
      spec: { install: { remediation: { retries: 3 } } },
      status: { installFailures: 1, conditions: [condition('Ready', 'False', 'InstallFailed')] },
    },
    status: 'admitted',
    reason: 'Reconciling',
  },
  {
    name: 'an install failure after remediation is exhausted has failed',
    kind: HELM_RELEASE,
    object: {
      spec: { install: { remediation: { retries: 3 } } },
      status: { installFailures: 4, conditions: [condition('Ready', 'False', 'InstallFailed')] },
    },
    status: 'failed',
    reason: 'InstallFailed',
  },
  {
    name: 'an upgrade failure without remediation has failed',
    kind: HELM_RELEASE,
    object: { status: { upgradeFailures: 1, conditions: [condition('Ready', 'False', 'UpgradeFailed')] } },
    status: 'failed',
    reason: 'UpgradeFailed',
  },
  {
    name: 'retries of -1 remediate forever',
    kind: HELM_RELEASE,
    object: {
      spec: { upgrade: { remediation: { retries: -1 } } },
      status: { upgradeFailures: 9, conditions: [condition('Ready', 'False', 'UpgradeFailed')] },
    },
    status: 'admitted',
    reason: 'Reconciling',
  },
  {
    name: 'a release still fetching its chart is admitted',
    kind: HELM_RELEASE,
    object: { status: { conditions: [condition('Ready', 'Unknown', 'Progressing')] } },
    status: 'admitted',
    reason: 'Reconciling',
  },
];
