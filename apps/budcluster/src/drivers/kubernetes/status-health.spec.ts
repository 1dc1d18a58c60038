import type { JobStatus } from '@bud/contracts';
import type { ObservedHealth, ObservedRollout } from '../../domain/job-model';
import { BATCH_JOB, DEPLOYMENT, HELM_RELEASE, type ResourceKind } from './resource-kinds';
import { type StatusContext, statusFromObject } from './status-from-objects';
import { condition, managed, type RawOptions } from '../../../test/support/kubernetes-fixtures';

// docs/design.md#job-health: what the kubernetes driver reports beside the status, from the objects it watches.

const newRsAvailable = condition('Progressing', 'True', 'NewReplicaSetAvailable');
const rsUpdated = condition('Progressing', 'True', 'ReplicaSetUpdated');
const available = condition('Available', 'True', 'MinimumReplicasAvailable');
const unavailable = condition('Available', 'False', 'MinimumReplicasUnavailable');
const deadline = condition('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "api-7c9" has timed out progressing.');

/** A Deployment as the controller reports it: `counts` = [replicas, updated, ready, available] of its status. */
function deployment(
  desired: number,
  counts: [number, number, number, number],
  conditions: Record<string, unknown>[],
  options: { generation?: number; observedGeneration?: number; jobGeneration?: number } = {},
): RawOptions {
  const [replicas, updatedReplicas, readyReplicas, availableReplicas] = counts;
  return {
    generation: options.generation ?? 2,
    ...(options.jobGeneration ? { annotations: { 'bud.ai/generation': String(options.jobGeneration) } } : {}),
    spec: { replicas: desired },
    status: {
      observedGeneration: options.observedGeneration ?? options.generation ?? 2,
      replicas,
      updatedReplicas,
      readyReplicas,
      availableReplicas,
      conditions,
    },
  };
}

interface HealthCase {
  name: string;
  kind: ResourceKind;
  object: RawOptions;
  context?: StatusContext;
  status: JobStatus;
  health?: Partial<ObservedHealth>;
  rollout?: Partial<ObservedRollout>;
}

const cases: HealthCase[] = [
  // Deployments
  {
    name: 'a fresh Deployment whose pod is not ready yet is admitted and progressing (Starting), not unhealthy',
    kind: DEPLOYMENT,
    object: deployment(1, [1, 1, 0, 0], [unavailable, condition('Progressing', 'True', 'NewReplicaSetCreated')], { generation: 1 }),
    status: 'admitted',
    health: { health: 'progressing', reason: 'Starting', message: '0/1 replicas ready' },
    rollout: { generation: 1, complete: false },
  },
  {
    name: 'a Deployment rolled out completely is running, healthy, and its rollout complete for the annotated generation',
    kind: DEPLOYMENT,
    object: deployment(2, [2, 2, 2, 2], [available, newRsAvailable], { jobGeneration: 3 }),
    status: 'running',
    health: { health: 'healthy', reason: 'Ready', message: '2/2 replicas ready' },
    rollout: { generation: 3, complete: true, replicas: 2, readyReplicas: 2, updatedReplicas: 2 },
  },
  {
    name: 'an update the controller has not observed yet is progressing with its rollout incomplete',
    kind: DEPLOYMENT,
    object: deployment(1, [1, 1, 1, 1], [available, newRsAvailable], { generation: 3, observedGeneration: 2, jobGeneration: 2 }),
    status: 'running',
    health: { health: 'progressing', reason: 'RollingUpdate' },
    rollout: { generation: 2, complete: false },
  },
  {
    name: 'a rolling update with the surge pod not ready yet stays running, progressing, the old replica serving',
    kind: DEPLOYMENT,
    object: deployment(1, [2, 1, 1, 1], [available, rsUpdated], { jobGeneration: 2 }),
    status: 'running',
    health: { health: 'progressing', reason: 'RollingUpdate', message: '1/1 replicas updated, 1 ready' },
    rollout: { generation: 2, complete: false, updatedReplicas: 1 },
  },
  {
    name: 'a rolling update whose old replicas are still being scaled down is not complete',
    kind: DEPLOYMENT,
    object: deployment(2, [3, 2, 3, 3], [available, rsUpdated], { jobGeneration: 2 }),
    status: 'running',
    health: { health: 'progressing' },
    rollout: { complete: false },
  },
  {
    name: 'a scale from 1 to 3 is progressing while the new replicas start, not unhealthy',
    kind: DEPLOYMENT,
    object: deployment(3, [3, 3, 1, 1], [unavailable, rsUpdated]),
    context: { wasRunning: true },
    status: 'running',
    health: { health: 'progressing', reason: 'RollingUpdate', message: '1/3 replicas ready' },
    rollout: { generation: 1, complete: false, replicas: 3, readyReplicas: 1 },
  },
  {
    name: 'a completed Deployment whose pod lost readiness is running and unhealthy (Unready, k/n replicas ready)',
    kind: DEPLOYMENT,
    object: deployment(1, [1, 1, 0, 0], [unavailable, newRsAvailable]),
    status: 'running',
    health: { health: 'unhealthy', reason: 'Unready', message: '0/1 replicas ready' },
    rollout: { complete: false },
  },
  {
    name: 'one of three replicas unready after a completed rollout is unhealthy with 2/3',
    kind: DEPLOYMENT,
    object: deployment(3, [3, 3, 2, 2], [unavailable, newRsAvailable]),
    context: { wasRunning: true },
    status: 'running',
    health: { health: 'unhealthy', reason: 'Unready', message: '2/3 replicas ready' },
  },
  {
    name: 'an update stuck past its progress deadline is unhealthy, not failed, while the old replicas serve',
    kind: DEPLOYMENT,
    object: deployment(1, [2, 1, 1, 1], [available, deadline], { jobGeneration: 2 }),
    status: 'running',
    health: { health: 'unhealthy', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "api-7c9" has timed out progressing.' },
    rollout: { generation: 2, complete: false },
  },
  {
    name: 'a progress deadline on a Deployment that was running is unhealthy even with no replica available',
    kind: DEPLOYMENT,
    object: deployment(1, [1, 1, 0, 0], [unavailable, deadline]),
    context: { wasRunning: true },
    status: 'running',
    health: { health: 'unhealthy', reason: 'ProgressDeadlineExceeded' },
  },
  {
    name: 'a job updated before it ever ran is not taken for running because of its generation',
    kind: DEPLOYMENT,
    object: deployment(1, [1, 1, 0, 0], [unavailable, rsUpdated], { jobGeneration: 2 }),
    status: 'admitted',
    health: { health: 'progressing', reason: 'Starting' },
    rollout: { generation: 2, complete: false },
  },
  {
    name: 'such a job past its progress deadline is unhealthy and admitted, not failed: the watchdog rolls it back',
    kind: DEPLOYMENT,
    object: deployment(1, [1, 1, 0, 0], [unavailable, deadline], { jobGeneration: 2 }),
    status: 'admitted',
    health: { health: 'unhealthy', reason: 'ProgressDeadlineExceeded' },
  },
  {
    name: 'a progress deadline on a Deployment that never served has failed (no health: the job is over)',
    kind: DEPLOYMENT,
    object: deployment(1, [1, 1, 0, 0], [unavailable, deadline], { generation: 1 }),
    status: 'failed',
  },
  {
    name: 'a replica failure on a running Deployment (quota on scale-up) is unhealthy, not failed',
    kind: DEPLOYMENT,
    object: deployment(3, [1, 1, 1, 1], [available, condition('ReplicaFailure', 'True', 'FailedCreate', 'exceeded quota')]),
    context: { wasRunning: true },
    status: 'running',
    health: { health: 'unhealthy', reason: 'ReplicaFailure', message: 'FailedCreate: exceeded quota' },
  },
  // batch Jobs
  {
    name: 'a batch Job whose pods are all ready is running and healthy',
    kind: BATCH_JOB,
    object: { spec: { parallelism: 1 }, status: { active: 1, ready: 1 } },
    status: 'running',
    health: { health: 'healthy', reason: 'Ready', message: '1/1 pods ready' },
    rollout: { generation: 1, complete: true, readyReplicas: 1 },
  },
  {
    name: 'a batch Job with an active pod not ready yet is progressing',
    kind: BATCH_JOB,
    object: { status: { active: 1, ready: 0 } },
    status: 'running',
    health: { health: 'progressing', reason: 'PodsNotReady', message: '0/1 pods ready' },
  },
  {
    name: 'a batch Job without the ready count takes its running pods as ready',
    kind: BATCH_JOB,
    object: { status: { active: 2 } },
    status: 'running',
    health: { health: 'healthy' },
  },
  {
    name: 'an unsuspended batch Job without pods is starting',
    kind: BATCH_JOB,
    object: { spec: { suspend: false } },
    status: 'admitted',
    health: { health: 'progressing', reason: 'Starting' },
    rollout: { complete: false },
  },
  // HelmReleases
  {
    name: 'a ready release of its current generation is healthy and complete for the annotated job generation',
    kind: HELM_RELEASE,
    object: {
      generation: 2,
      annotations: { 'bud.ai/generation': '2' },
      status: { observedGeneration: 2, conditions: [condition('Ready', 'True', 'UpgradeSucceeded')] },
    },
    status: 'running',
    health: { health: 'healthy', reason: 'Ready' },
    rollout: { generation: 2, complete: true },
  },
  {
    name: 'a values update not yet reconciled keeps a running release running, progressing',
    kind: HELM_RELEASE,
    object: {
      generation: 2,
      annotations: { 'bud.ai/generation': '2' },
      status: { observedGeneration: 1, conditions: [condition('Ready', 'True', 'InstallSucceeded')] },
    },
    context: { wasRunning: true },
    status: 'running',
    health: { health: 'progressing', reason: 'Reconciling' },
    rollout: { generation: 2, complete: false },
  },
  {
    name: 'an upgrade that failed on a running release is unhealthy, not failed',
    kind: HELM_RELEASE,
    object: {
      generation: 2,
      annotations: { 'bud.ai/generation': '2' },
      status: { observedGeneration: 2, upgradeFailures: 1, conditions: [condition('Ready', 'False', 'UpgradeFailed', 'timed out')] },
    },
    context: { wasRunning: true },
    status: 'running',
    health: { health: 'unhealthy', reason: 'UpgradeFailed', message: 'timed out' },
  },
  {
    name: 'an upgrade that failed before the release ever ran is unhealthy and still admitted: the watchdog decides, not Flux',
    kind: HELM_RELEASE,
    object: {
      generation: 2,
      annotations: { 'bud.ai/generation': '2' },
      status: { observedGeneration: 2, upgradeFailures: 1, conditions: [condition('Ready', 'False', 'UpgradeFailed', 'timed out')] },
    },
    status: 'admitted',
    health: { health: 'unhealthy', reason: 'UpgradeFailed' },
  },
  {
    name: 'a release installing for the first time is admitted and progressing',
    kind: HELM_RELEASE,
    object: { status: { conditions: [condition('Ready', 'Unknown', 'Progressing', 'Fetching chart')] } },
    status: 'admitted',
    health: { health: 'progressing', reason: 'Reconciling', message: 'Fetching chart' },
  },
];

describe('statusFromObject: health and rollout', () => {
  it.each(cases)('$name', ({ kind, object, context, status, health, rollout }) => {
    const derived = statusFromObject(managed(kind, object), context);
    expect(derived?.status).toBe(status);
    if (health) expect(derived?.health).toMatchObject(health);
    else expect(derived?.health).toBeUndefined();
    if (rollout) expect(derived?.rollout).toMatchObject(rollout);
  });

  it.each([
    ['absent', undefined, 1],
    ['a positive integer', '12', 12],
    ['zero', '0', 1],
    ['not a number', 'two', 1],
    ['absurdly large', '9'.repeat(40), 1],
  ])('reads the job generation from the annotation when it is %s', (_name, value, generation) => {
    const object = deployment(1, [1, 1, 1, 1], [available, newRsAvailable]);
    const raw = value === undefined ? object : { ...object, annotations: { 'bud.ai/generation': value } };
    expect(statusFromObject(managed(DEPLOYMENT, raw))?.rollout?.generation).toBe(generation);
  });
});
