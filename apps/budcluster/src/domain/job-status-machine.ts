import { jobStatusTransitions, terminalJobStatuses } from '@bud/contracts';
import type { JobStatus } from '@bud/contracts';
import { AppError } from '@bud/errors';

/** docs/design.md#job-status-machine: the only legal moves (the table lives in contracts). SERVICE jobs never succeed; the lifecycle enforces that separately. */
export const allowedTransitions = jobStatusTransitions;

export function isTerminal(status: JobStatus): boolean {
  return terminalJobStatuses.includes(status);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return allowedTransitions[from].includes(to);
}

export interface RetryBudget {
  retryCount: number;
  maxRetries: number;
}

/** Throws 409 `invalid_transition` for an illegal move; a failed job is retried only within its budget. */
export function assertTransition(from: JobStatus, to: JobStatus, budget: RetryBudget): void {
  if (!canTransition(from, to)) {
    throw new AppError('invalid_transition', `a job cannot move from '${from}' to '${to}'`);
  }
  if (from === 'failed' && to === 'pending' && budget.retryCount >= budget.maxRetries) {
    throw new AppError('invalid_transition', `the job has used all ${budget.maxRetries} retries`);
  }
}
