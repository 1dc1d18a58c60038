import type { JobStatus } from '@bud/contracts';
import type { ObservedStatus } from '../../domain/job-model';
import { isTerminal } from '../../domain/job-status-machine';
import type { KueueSummary } from './kueue-workloads';

/** What a suspended Job alone says (status-from-objects). */
const SUSPENDED = 'Suspended';

/**
 * A job's status under Kueue (docs/design.md#quotas, "On Kubernetes"): the job's object says whether it runs or
 * finished; its Workloads say whether it waits for quota (queued, with position and reason), holds quota (admitted,
 * with the flavor) or was evicted (preempted). A job that ran and is queued again after an eviction is reported
 * preempted first, so the status machine sees preempted → queued even when the watch coalesced the two.
 *
 * `fromObject` is what the job's object alone says (undefined before its first event); `last` the status last reported;
 * `kueue` whether the cluster runs Kueue.
 */
export function statusUnderKueue(
  jobId: string,
  fromObject: Omit<ObservedStatus, 'jobId'> | undefined,
  summary: KueueSummary | undefined,
  last: JobStatus | undefined,
  kueue = true,
): ObservedStatus[] {
  const observed = combined(jobId, fromObject, summary, last, kueue);
  const final = observed[observed.length - 1];
  // Under Kueue nothing runs before it is admitted: when the watch shows the pods running before the Workload's
  // admission was seen, the job still passes through admitted (with the flavor when known).
  if (kueue && final?.status === 'running' && observed.length === 1 && (last === undefined || last === 'pending' || last === 'queued')) {
    const flavor = summary?.status === 'admitted' ? (summary.flavor ?? null) : undefined;
    return [
      {
        jobId,
        status: 'admitted',
        reason: 'Admitted',
        message: 'admitted by Kueue',
        ...(flavor !== undefined ? { admittedFlavor: flavor } : {}),
        ...(summary ? { workloadName: summary.workloadName, queuePosition: null } : {}),
      },
      final,
    ];
  }
  return observed;
}

function combined(
  jobId: string,
  fromObject: Omit<ObservedStatus, 'jobId'> | undefined,
  summary: KueueSummary | undefined,
  last: JobStatus | undefined,
  kueue: boolean,
): ObservedStatus[] {
  if (!summary) {
    // A Job is suspended only for Kueue: its Workload, about to be made, says why it waits (reason, position).
    if (fromObject?.status === 'queued' && fromObject.reason === SUSPENDED) return [];
    // Under Kueue a Deployment's gated pods (or a Job just unsuspended) are not yet admitted work: the Workload says
    // whether they wait or hold quota. Reporting `admitted` first would make a later `queued` an illegal move.
    if (kueue && (fromObject?.status === 'queued' || fromObject?.status === 'admitted')) return [];
    return fromObject ? [{ jobId, ...fromObject }] : [];
  }
  const workloadName = summary.workloadName;
  if (fromObject && isTerminal(fromObject.status)) return [{ jobId, ...fromObject, workloadName, queuePosition: null }];
  const preempted: ObservedStatus = {
    jobId,
    status: 'preempted',
    reason: 'Preempted',
    ...(summary.message ? { message: summary.message } : {}),
    workloadName,
    queuePosition: null,
    admittedFlavor: null,
  };
  if (summary.status === 'preempted') return [preempted];
  const ran = last === 'admitted' || last === 'running';
  if (summary.status === 'queued') {
    // A service keeps serving while a surge pod waits for quota.
    if (fromObject?.status === 'running' && !summary.preempted) return [{ jobId, ...fromObject, workloadName, queuePosition: null }];
    const queued: ObservedStatus = {
      jobId,
      status: 'queued',
      reason: summary.reason,
      ...(summary.message ? { message: summary.message } : {}),
      queuePosition: summary.position ?? null,
      admittedFlavor: null,
      workloadName,
    };
    return ran && summary.preempted ? [preempted, queued] : [queued];
  }
  // Admitted: the object tells whether its pods run yet.
  const admittedFlavor = summary.flavor ?? null;
  if (fromObject?.status === 'running') return [{ jobId, ...fromObject, workloadName, admittedFlavor, queuePosition: null }];
  const starting = fromObject?.status === 'admitted' ? fromObject : undefined;
  return [
    {
      jobId,
      ...(starting ?? {}),
      status: 'admitted',
      reason: starting?.reason ?? summary.reason,
      ...(summary.message ? { message: summary.message } : {}),
      workloadName,
      admittedFlavor,
      queuePosition: null,
    },
  ];
}
