import { BATCH_JOB, DEPLOYMENT } from './resource-kinds';
import { available, type StatusCase, statusCases } from '../../../test/support/status-from-objects.cases';
import { statusFromObject } from './status-from-objects';
import { condition, managed } from '../../../test/support/kubernetes-fixtures';

const batchJobCases: StatusCase[] = [
  // batch Jobs
  {
    name: 'a complete job has succeeded',
    kind: BATCH_JOB,
    object: { status: { succeeded: 1, conditions: [condition('SuccessCriteriaMet', 'True'), condition('Complete', 'True')] } },
    status: 'succeeded',
    reason: 'Completed',
  },
  {
    name: 'a failed job takes its reason from the condition',
    kind: BATCH_JOB,
    object: {
      status: {
        failed: 4,
        conditions: [condition('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')],
      },
    },
    status: 'failed',
    reason: 'BackoffLimitExceeded',
  },
  {
    name: 'a job past its deadline fails with DeadlineExceeded',
    kind: BATCH_JOB,
    object: { status: { conditions: [condition('Failed', 'True', 'DeadlineExceeded')] } },
    status: 'failed',
    reason: 'DeadlineExceeded',
  },
  {
    name: 'a failed job with a non-PascalCase reason gets JobFailed',
    kind: BATCH_JOB,
    object: { status: { conditions: [condition('Failed', 'True', 'some reason')] } },
    status: 'failed',
    reason: 'JobFailed',
  },
  {
    name: 'a suspended job (Kueue holding it) is queued',
    kind: BATCH_JOB,
    object: { spec: { suspend: true }, status: { conditions: [condition('Suspended', 'True', 'JobSuspended')] } },
    status: 'queued',
    reason: 'Suspended',
  },
  {
    name: 'a job with active pods is running',
    kind: BATCH_JOB,
    object: { spec: { suspend: false }, status: { active: 2 } },
    status: 'running',
    reason: 'Active',
  },
  {
    name: 'an unsuspended job without pods yet is admitted',
    kind: BATCH_JOB,
    object: { spec: { suspend: false }, status: {} },
    status: 'admitted',
    reason: 'Starting',
  },
];

describe('statusFromObject', () => {
  it.each([...statusCases, ...batchJobCases])('$name', ({ kind, object, status, reason }) => {
    expect(statusFromObject(managed(kind, object))).toMatchObject({ status, reason });
  });

  it('carries the condition message, bounded in length', () => {
    const derived = statusFromObject(
      managed(BATCH_JOB, { status: { conditions: [condition('Failed', 'True', 'BackoffLimitExceeded', 'x'.repeat(5000))] } }),
    );
    expect(derived?.message).toHaveLength(1000);
  });

  it('ignores condition entries of the wrong shape', () => {
    const derived = statusFromObject(
      managed(DEPLOYMENT, { status: { observedGeneration: 1, readyReplicas: 1, conditions: [null, 'Available', { type: 7 }, available] } }),
    );
    expect(derived).toMatchObject({ status: 'running' });
  });

  it('gives no status for kinds that do not carry one', () => {
    expect(statusFromObject(managed({ apiVersion: 'v1', kind: 'Service', plural: 'services', primary: false }))).toBeNull();
  });
});
