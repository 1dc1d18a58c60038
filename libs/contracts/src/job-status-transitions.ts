import type { JobStatus } from './job';

/**
 * docs/design.md#job-status-machine: the only legal moves of a job's status. budcluster enforces it (and its database
 * trigger holds the same table); other services read it to model what a job can do next.
 */
export const jobStatusTransitions: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  pending: ['queued', 'admitted', 'running', 'failed', 'cancelled'],
  queued: ['admitted', 'failed', 'cancelled', 'preempted'],
  admitted: ['running', 'failed', 'cancelled', 'preempted'],
  running: ['succeeded', 'failed', 'cancelled', 'preempted'],
  preempted: ['pending', 'queued', 'failed', 'cancelled'],
  failed: ['pending'],
  succeeded: [],
  cancelled: [],
};

export const terminalJobStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
