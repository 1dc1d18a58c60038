import type { JobStatus } from '@bud/contracts';
import type { ObservedStatus } from './job-model';
import { queueFieldsAfter } from './queue-fields';
import type { QueueFields } from './queue-fields';

type Reported = Pick<ObservedStatus, 'queuePosition' | 'admittedFlavor' | 'workloadName'>;
const row = (fields: Partial<QueueFields> = {}): QueueFields => ({
  queuePosition: null,
  admittedFlavor: null,
  kueueWorkloadName: null,
  ...fields,
});

describe('queueFieldsAfter', () => {
  it.each<[string, QueueFields, Reported, JobStatus, boolean, Partial<QueueFields> | null]>([
    ['a queued job gets its reported position', row(), { queuePosition: 3 }, 'queued', true, { queuePosition: 3 }],
    [
      'a position moving while the status stays queued is recorded',
      row({ queuePosition: 3 }),
      { queuePosition: 2 },
      'queued',
      false,
      { queuePosition: 2 },
    ],
    ['the same position again changes nothing', row({ queuePosition: 2 }), { queuePosition: 2 }, 'queued', false, null],
    ['a queued report without a position keeps the one recorded', row({ queuePosition: 2 }), {}, 'queued', false, null],
    [
      'a move out of queued clears the position',
      row({ queuePosition: 1 }),
      { admittedFlavor: 'gpu-a100' },
      'admitted',
      true,
      { queuePosition: null, admittedFlavor: 'gpu-a100' },
    ],
    ['a position reported for a job that is not queued is not recorded', row(), { queuePosition: 4 }, 'running', false, null],
    [
      'a cancel (an API move, nothing reported) clears the position',
      row({ queuePosition: 5 }),
      {},
      'cancelled',
      true,
      { queuePosition: null },
    ],
    ['preemption clears the flavor held', row({ admittedFlavor: 'gpu-a100' }), {}, 'preempted', true, { admittedFlavor: null }],
    [
      'requeued: position given, flavor gone',
      row({ admittedFlavor: 'gpu-a100' }),
      { queuePosition: 1 },
      'queued',
      true,
      { queuePosition: 1, admittedFlavor: null },
    ],
    ['a finished job keeps the flavor it ran on', row({ admittedFlavor: 'gpu-a100' }), {}, 'succeeded', true, null],
    ['running keeps the flavor when none is reported', row({ admittedFlavor: 'gpu-a100' }), {}, 'running', true, null],
    [
      'the workload name is recorded once reported',
      row(),
      { workloadName: 'job-train-1a2b3' },
      'queued',
      false,
      { kueueWorkloadName: 'job-train-1a2b3' },
    ],
    ['the workload name is kept when not reported', row({ kueueWorkloadName: 'job-x-00000' }), {}, 'running', true, null],
    [
      'a null workload name clears it',
      row({ kueueWorkloadName: 'job-x-00000' }),
      { workloadName: null },
      'pending',
      true,
      { kueueWorkloadName: null },
    ],
  ])('%s', (_, job, reported, status, moved, expected) => {
    expect(queueFieldsAfter(job, reported, status, moved)).toEqual(expected);
  });
});
