import type { JobStatus } from '@bud/contracts';
import type { ObservedStatus } from './job-model';

/** Where a job stands in its tenant's queue and what Kueue (or the simulated cluster) gave it (docs/design.md#quotas). */
export interface QueueFields {
  queuePosition: number | null;
  admittedFlavor: string | null;
  kueueWorkloadName: string | null;
}

/** Statuses in which a job holds no quota: the flavor it held (if any) is gone. */
const WAITING: readonly JobStatus[] = ['pending', 'queued', 'preempted'];

/**
 * The queue columns after an observation (or an API move, `observed` without queue fields), given the status the job
 * has after it and whether it moved there now. Returns only the columns that change, or null.
 * - queue_position is the reported one while queued and null in any other status;
 * - admitted_flavor is the reported one; a move back to waiting without one clears it, a finished job keeps it;
 * - kueue_workload_name is the reported one, else kept.
 */
export function queueFieldsAfter(
  job: QueueFields,
  observed: Pick<ObservedStatus, 'queuePosition' | 'admittedFlavor' | 'workloadName'>,
  status: JobStatus,
  statusMoved: boolean,
): Partial<QueueFields> | null {
  const next: QueueFields = { ...pick(job) };
  if (status !== 'queued') next.queuePosition = null;
  else if (observed.queuePosition !== undefined) next.queuePosition = observed.queuePosition;
  if (observed.admittedFlavor !== undefined) next.admittedFlavor = observed.admittedFlavor;
  else if (statusMoved && WAITING.includes(status)) next.admittedFlavor = null;
  if (observed.workloadName !== undefined) next.kueueWorkloadName = observed.workloadName;
  const changed: Partial<QueueFields> = {};
  for (const key of ['queuePosition', 'admittedFlavor', 'kueueWorkloadName'] as const)
    if (next[key] !== job[key]) Object.assign(changed, { [key]: next[key] });
  return Object.keys(changed).length > 0 ? changed : null;
}

function pick(job: QueueFields): QueueFields {
  return { queuePosition: job.queuePosition, admittedFlavor: job.admittedFlavor, kueueWorkloadName: job.kueueWorkloadName };
}
