import { jobStatuses } from '@bud/contracts';
import type { JobStatus } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { assertTransition, canTransition, isTerminal } from './job-status-machine';

// The table of docs/design.md#job-status-machine, written out independently of the implementation's table.
const legal = new Set([
  'pending>queued',
  'pending>admitted',
  'pending>running',
  'pending>failed',
  'pending>cancelled',
  'queued>admitted',
  'queued>failed',
  'queued>cancelled',
  'queued>preempted',
  'admitted>running',
  'admitted>failed',
  'admitted>cancelled',
  'admitted>preempted',
  'running>succeeded',
  'running>failed',
  'running>cancelled',
  'running>preempted',
  'preempted>pending',
  'preempted>queued',
  'preempted>failed',
  'preempted>cancelled',
  'failed>pending',
]);

const allPairs: Array<[JobStatus, JobStatus]> = jobStatuses.flatMap((from) => jobStatuses.map((to): [JobStatus, JobStatus] => [from, to]));

describe('job status machine', () => {
  it.each(allPairs)('%s → %s is allowed only when docs/design.md#job-status-machine lists it', (from, to) => {
    const expected = legal.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(expected);
    const attempt = () => assertTransition(from, to, { retryCount: 0, maxRetries: 3 });
    if (expected) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_transition' }));
  });

  it('refuses to retry a failed job that has used its whole retry budget', () => {
    expect(() => assertTransition('failed', 'pending', { retryCount: 3, maxRetries: 3 })).toThrow(AppError);
    expect(() => assertTransition('failed', 'pending', { retryCount: 2, maxRetries: 3 })).not.toThrow();
  });

  it('knows the terminal states', () => {
    expect(jobStatuses.filter(isTerminal)).toEqual(['succeeded', 'failed', 'cancelled']);
  });
});
