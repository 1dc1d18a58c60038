import type { JobStatus } from '@bud/contracts';
import { TENANT_ID_LABEL } from '../../domain/manifests';
import { isRecord, type ManagedObject } from './managed-object';
import type { ResourceKind } from './resource-kinds';
import { DEFAULT_FLAVOR, GPU_RESOURCE } from './kueue-objects';

/** Kueue's Workload: one per Job, one per pod of a Deployment; found by the labels Kueue copies (labelKeysToCopy). */
export const WORKLOAD: ResourceKind = { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'Workload', plural: 'workloads', primary: false };

const MAX_MESSAGE = 1000;

/** Where one Workload stands, read from its conditions. */
export interface WorkloadState {
  name: string;
  namespace: string;
  uid?: string;
  jobId: string;
  tenant: string;
  /** pending: waiting for quota; admitted: holds quota; evicting: evicted, still holding quota until its pods stop. */
  phase: 'pending' | 'admitted' | 'evicting' | 'finished';
  priority: number;
  /**
   * Its place in time in Kueue's BestEffortFIFO order after priority, epoch ms: its creation (second resolution), or
   * just after its preemption when a lender reclaimed quota it borrowed (Kueue's GetQueueOrderTimestamp).
   */
  queuedAt: number;
  /** Evicted by preemption since it was created (Evicted, Preempted or Requeued with reason Preempted). */
  preempted: boolean;
  /** Kueue's scheduler has looked at it (it has a QuotaReserved condition): only then does it say why it waits. */
  considered: boolean;
  reason: string;
  message?: string;
  flavor?: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
}

/** Reads a Workload's state from its conditions and admission; never throws. */
export function workloadState(object: ManagedObject, labels: Record<string, string>): WorkloadState {
  const conditions = conditionsOf(object.status);
  const find = (type: string) => conditions.find((c) => c.type === type);
  const reserved = find('QuotaReserved');
  const evicted = find('Evicted');
  const preemptedCondition = find('Preempted');
  const requeued = find('Requeued');
  const finished = find('Finished')?.status === 'True';
  const evictedNow = evicted?.status === 'True';
  const preempted =
    (evictedNow && evicted.reason === 'Preempted') || preemptedCondition?.status === 'True' || requeued?.reason === 'Preempted';
  const phase: WorkloadState['phase'] = finished
    ? 'finished'
    : reserved?.status === 'True'
      ? evictedNow
        ? 'evicting'
        : 'admitted'
      : 'pending';
  const priority = typeof object.spec.priority === 'number' ? object.spec.priority : 0;
  const reclaimed =
    preemptedCondition?.status === 'True' && preemptedCondition.reason === 'InCohortReclaimWhileBorrowing'
      ? preemptedCondition.lastTransitionTime
      : undefined;
  const queuedAt = reclaimed !== undefined ? reclaimed + 1 : (object.createdAt ?? 0);
  const base = {
    name: object.name,
    namespace: object.namespace,
    ...(object.uid ? { uid: object.uid } : {}),
    jobId: object.jobId,
    tenant: labels[TENANT_ID_LABEL] ?? '',
    phase,
    priority,
    queuedAt,
    preempted,
    considered: reserved !== undefined,
  };
  if (phase === 'admitted') return { ...base, reason: 'Admitted', message: clip(reserved?.message), flavor: flavorOf(object.status) };
  if (phase === 'evicting') {
    const why = preemptedCondition?.status === 'True' ? preemptedCondition : evicted;
    return {
      ...base,
      reason: evicted?.reason === 'Preempted' ? 'Preempted' : pascal(evicted?.reason, 'Evicted'),
      message: clip(why?.message),
    };
  }
  if (phase === 'finished') return { ...base, reason: 'Finished' };
  return { ...base, reason: pascal(reserved?.reason, 'Pending'), message: clip(reserved?.message ?? 'waiting for Kueue to consider it') };
}

/** What a job's Workloads say together (a Deployment has one per pod). */
export interface KueueSummary {
  status: Extract<JobStatus, 'queued' | 'admitted' | 'preempted'>;
  reason: string;
  message?: string;
  /** 1-based position in the tenant's queue (queued only). */
  position?: number;
  flavor?: string;
  workloadName: string;
  /** Queued again after a preemption. */
  preempted: boolean;
}

/**
 * The Workloads of the jobs this driver follows. Positions are derived here from the pending Workloads of each tenant
 * (one ClusterQueue per tenant): priority first, then the time they entered the queue, as Kueue's BestEffortFIFO orders
 * them. Kueue's own positions (LocalQueue/ClusterQueue status, the visibility API) are not read: the pending-workloads
 * visibility is off by default in v0.17 and its on-demand API server is another endpoint to secure.
 */
export class QueueBook {
  private readonly workloads = new Map<string, WorkloadState>();
  /** Workload uid → its job: names the preemptor in a victim's message. */
  private readonly jobOfUid = new Map<string, string>();

  /** Records a Workload; returns the tenant whose queue it may have changed. */
  upsert(state: WorkloadState): string {
    this.workloads.set(key(state), state);
    if (state.uid) this.jobOfUid.set(state.uid, state.jobId);
    return state.tenant;
  }

  remove(state: Pick<WorkloadState, 'namespace' | 'name' | 'uid' | 'tenant'>): string {
    this.workloads.delete(key(state));
    if (state.uid) this.jobOfUid.delete(state.uid);
    return state.tenant;
  }

  /** The jobs with Workloads in the tenant's queue. */
  jobsOfTenant(tenant: string): string[] {
    return [...new Set([...this.workloads.values()].filter((w) => w.tenant === tenant).map((w) => w.jobId))];
  }

  /** The pending Workloads of a tenant in admission order. */
  queueOf(tenant: string): WorkloadState[] {
    return [...this.workloads.values()]
      .filter((w) => w.tenant === tenant && w.phase === 'pending')
      .sort((a, b) => b.priority - a.priority || a.queuedAt - b.queuedAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  summary(jobId: string): KueueSummary | undefined {
    const own = [...this.workloads.values()].filter((w) => w.jobId === jobId && w.phase !== 'finished');
    if (own.length === 0) return undefined;
    const admitted = own.find((w) => w.phase === 'admitted');
    if (admitted) {
      return {
        status: 'admitted',
        reason: 'Admitted',
        message: `admitted by Kueue on flavor ${admitted.flavor ?? DEFAULT_FLAVOR}`,
        flavor: admitted.flavor,
        workloadName: admitted.name,
        preempted: false,
      };
    }
    const evicting = own.find((w) => w.phase === 'evicting');
    if (evicting) {
      return {
        status: 'preempted',
        reason: evicting.reason,
        message: this.naming(evicting.message),
        workloadName: evicting.name,
        preempted: true,
      };
    }
    const queue = this.queueOf(own[0]?.tenant ?? '');
    const index = queue.findIndex((w) => w.jobId === jobId);
    const first = index >= 0 ? queue[index] : own[0];
    // A Workload just made says nothing yet; its first word is Kueue's reason (the status message is kept from it).
    if (!first || !first.considered) return undefined;
    return {
      status: 'queued',
      reason: first.reason,
      message: first.message,
      ...(index >= 0 ? { position: index + 1 } : {}),
      workloadName: first.name,
      preempted: own.some((w) => w.preempted),
    };
  }

  /** Kueue names the preemptor by its Workload's UID; add the job it belongs to. */
  private naming(message: string | undefined): string | undefined {
    const uid = message ? /UID: ([0-9a-f-]{36})/.exec(message)?.[1] : undefined;
    const jobId = uid ? this.jobOfUid.get(uid) : undefined;
    return jobId && message ? clip(`${message} (job ${jobId})`) : message;
  }
}

function key(state: Pick<WorkloadState, 'namespace' | 'name'>): string {
  return `${state.namespace}/${state.name}`;
}

function flavorOf(status: Record<string, unknown>): string | undefined {
  const admission = isRecord(status.admission) ? status.admission : undefined;
  const assignments = Array.isArray(admission?.podSetAssignments) ? admission.podSetAssignments : [];
  const first: unknown = assignments[0];
  const flavors = isRecord(first) && isRecord(first.flavors) ? first.flavors : {};
  const gpu = flavors[GPU_RESOURCE] ?? flavors['cpu'];
  return typeof gpu === 'string' ? gpu : undefined;
}

function conditionsOf(status: Record<string, unknown>): Condition[] {
  const list = Array.isArray(status.conditions) ? (status.conditions as unknown[]) : [];
  return list.flatMap((entry): Condition[] => {
    if (!isRecord(entry) || typeof entry.type !== 'string' || typeof entry.status !== 'string') return [];
    const at = entry.lastTransitionTime;
    const ms = at instanceof Date ? at.getTime() : typeof at === 'string' ? Date.parse(at) : NaN;
    return [
      {
        type: entry.type,
        status: entry.status,
        ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}),
        ...(typeof entry.message === 'string' ? { message: entry.message } : {}),
        ...(Number.isFinite(ms) ? { lastTransitionTime: ms } : {}),
      },
    ];
  });
}

function clip(message: string | undefined): string | undefined {
  return message === undefined || message === '' ? undefined : message.slice(0, MAX_MESSAGE);
}

function pascal(candidate: string | undefined, fallback: string): string {
  return candidate && /^[A-Z][A-Za-z0-9]{0,99}$/.test(candidate) ? candidate : fallback;
}
