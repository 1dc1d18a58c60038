import type { JobModel } from '../../domain/job-model';
import type { ManagedObject } from './managed-object';
import { planReconcile, type ReconcileInput } from './reconcile-plan';
import { BATCH_JOB, DEPLOYMENT, HELM_RELEASE, MANAGED_KINDS, PVC } from './resource-kinds';
import { condition, helmSpec, makeJob, managed } from '../../../test/support/kubernetes-fixtures';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const OLD = '2025-06-01T10:00:00Z';
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const running = (jobId: string): ManagedObject =>
  managed(DEPLOYMENT, {
    jobId,
    creationTimestamp: OLD,
    spec: { replicas: 1 },
    status: { observedGeneration: 1, readyReplicas: 1, conditions: [condition('Available', 'True')] },
  });
const service = (jobId: string): ManagedObject =>
  managed({ apiVersion: 'v1', kind: 'Service', plural: 'services', primary: false }, { jobId, creationTimestamp: OLD });

function plan(activeJobs: JobModel[], objects: ManagedObject[], overrides: Partial<ReconcileInput> = {}) {
  return planReconcile({ activeJobs, objects, allActiveJobs: true, now: NOW, graceMs: 120_000, appliedAt: () => undefined, ...overrides });
}

describe('planReconcile', () => {
  it('leaves a job alone when its object agrees with its row', () => {
    expect(plan([makeJob({ id: A, status: 'running' })], [running(A), service(A)])).toEqual({
      place: [],
      missing: [],
      stale: [],
      orphans: [],
      reprioritize: [],
    });
  });

  it("sets a job's Kueue priority class again when its object carries another one (its priority_class was changed)", () => {
    const labelled = (priority: string): ManagedObject => ({ ...running(A), kueuePriorityClass: priority });
    const job = makeJob({ id: A, status: 'running', priorityClass: 'high' });
    expect(plan([job], [labelled('bud-low')]).reprioritize.map((r) => [r.job.id, r.object.kueuePriorityClass])).toEqual([[A, 'bud-low']]);
    expect(plan([job], [labelled('bud-high')]).reprioritize).toEqual([]);
    // Without Kueue the object has no such label.
    expect(plan([job], [running(A)]).reprioritize).toEqual([]);
  });

  it('marks a job past pending whose status-bearing object is gone as missing, even if its Service remains', () => {
    expect(plan([makeJob({ id: A, status: 'running' })], [service(A)]).missing.map((j) => j.id)).toEqual([A]);
  });

  it('places a pending job with nothing on the cluster instead of failing it', () => {
    const result = plan([makeJob({ id: A, status: 'pending' })], []);
    expect(result.place.map((j) => j.id)).toEqual([A]);
    expect(result.missing).toEqual([]);
  });

  it('spares a job applied moments ago whose objects the list has not caught up with', () => {
    const result = plan([makeJob({ id: A, status: 'admitted' }), makeJob({ id: B, status: 'pending' })], [], {
      appliedAt: () => NOW - 1_000,
    });
    expect(result).toEqual({ place: [], missing: [], stale: [], orphans: [], reprioritize: [] });
  });

  it('re-reports a status the row missed', () => {
    const result = plan([makeJob({ id: A, status: 'admitted' })], [running(A)]);
    expect(result.stale).toEqual([
      { job: expect.objectContaining({ id: A }), derived: expect.objectContaining({ status: 'running', reason: 'Available' }) },
    ]);
  });

  it('does not count a helm chart Deployment as the helm job object', () => {
    const chartDeployment = managed(DEPLOYMENT, { jobId: A, labels: { 'helm.toolkit.fluxcd.io/name': 'chat-api' } });
    expect(plan([makeJob({ id: A, status: 'running' }, helmSpec)], [chartDeployment]).missing).toHaveLength(1);
    expect(
      plan(
        [makeJob({ id: A, status: 'running' }, helmSpec)],
        [managed(HELM_RELEASE, { jobId: A, status: { conditions: [condition('Ready', 'True')] } })],
      ).missing,
    ).toHaveLength(0);
  });

  it('deletes every object of a job that is not active', () => {
    const orphans = plan([makeJob({ id: A })], [running(A), running(B), service(B)]).orphans;
    expect(orphans.map((o) => `${o.jobId}/${o.kind.kind}`)).toEqual([`${B}/Deployment`, `${B}/Service`]);
  });

  it('deletes no orphans when the caller gave only some of the active jobs', () => {
    expect(plan([makeJob({ id: A })], [running(B)], { allActiveJobs: false }).orphans).toEqual([]);
  });

  it('never deletes a claim (docs/design.md#volumes): reconcile does not list claims, and spares one given anyway', () => {
    expect(MANAGED_KINDS).not.toContain(PVC);
    const claim = managed(PVC, { jobId: B, creationTimestamp: OLD, labels: { 'bud.ai/volume': 'chat-api-data' } });
    expect(claim.volumeClaim).toBe(true);
    expect(plan([], [claim]).orphans).toEqual([]);
  });

  it('takes a rollout of a running job for what it is, not for a status the row missed', () => {
    const rolling = managed(DEPLOYMENT, {
      jobId: A,
      creationTimestamp: OLD,
      spec: { replicas: 1 },
      status: { observedGeneration: 1, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [] },
    });
    expect(plan([makeJob({ id: A, status: 'running' })], [rolling]).stale).toEqual([]);
  });

  it('spares young objects, chart-installed objects and objects already terminating', () => {
    const young = managed(BATCH_JOB, { jobId: B, creationTimestamp: new Date(NOW - 30_000).toISOString() });
    const chartOwned = managed(DEPLOYMENT, { jobId: B, creationTimestamp: OLD, annotations: { 'meta.helm.sh/release-name': 'x' } });
    const terminating = managed(DEPLOYMENT, { jobId: B, creationTimestamp: OLD, deletionTimestamp: OLD });
    expect(plan([], [young, chartOwned, terminating]).orphans).toEqual([]);
  });
});
