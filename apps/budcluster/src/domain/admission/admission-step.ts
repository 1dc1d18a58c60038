import type {
  Admission,
  AdmissionResult,
  AdmissionState,
  AdmittedWorkload,
  Preemption,
  PreemptionReason,
  QueueStanding,
  QueuedWorkload,
} from './admission-model';
import { AdmissionLedger } from './admission-ledger';
import type { Fit } from './admission-ledger';
import { DEFAULT_FLAVOR, gpuFlavorName } from './flavors';

/** Kueue's words for why a workload was preempted (its preemption message). */
const REASON_WORDS: Record<PreemptionReason, string> = {
  InClusterQueue: 'prioritization in the ClusterQueue',
  InCohortReclamation: 'reclamation within the cohort',
};

/** Queue order inside a tenant's ClusterQueue (BestEffortFIFO): priority desc, then queued time, then id for stability. */
export function queueOrder(a: QueuedWorkload, b: QueuedWorkload): number {
  return b.priority - a.priority || a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Victim order (Kueue's candidates ordering): other queues' borrowers first, then lowest priority, then most recently admitted. */
function victimOrder(preemptorTenant: string): (a: AdmittedWorkload, b: AdmittedWorkload) => number {
  const own = (workload: AdmittedWorkload) => (workload.tenantId === preemptorTenant ? 1 : 0);
  // Ties (admitted in one step) go to the later arrival, so the newest work is evicted first.
  return (a, b) =>
    own(a) - own(b) ||
    a.priority - b.priority ||
    b.admittedAt - a.admittedAt ||
    b.queuedAt - a.queuedAt ||
    (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

interface Choice {
  workload: QueuedWorkload;
  victims: AdmittedWorkload[];
  share: number;
}

/**
 * One scheduling pass of the cluster's cohort (docs/design.md#quotas), as Kueue's scheduler with fair sharing and
 * classical preemption would run it until nothing more is admitted: each tenant's queue offers its first workload that
 * fits or can preempt (BestEffortFIFO: one that cannot is passed over); of those, the tenant with the lowest weighted
 * share after admission goes first. A workload that does not fit may preempt lower-priority work of its own tenant, or,
 * when it stays within its nominal quota, reclaim that quota from other tenants' borrowing work. Victims go back to
 * their queues, queued again at `now`. Pure: the same state and time give the same result.
 */
export function admissionStep(state: AdmissionState, now: number): AdmissionResult {
  const tenants = new Set<string>();
  for (const quota of state.quotas.tenants) if (quota.tenantId !== null) tenants.add(quota.tenantId);
  for (const workload of [...state.admitted, ...state.waiting]) tenants.add(workload.tenantId);
  const ledger = new AdmissionLedger(state.inventory, state.quotas, tenants);
  const admitted = new Map<string, AdmittedWorkload>();
  for (const workload of state.admitted) {
    admitted.set(workload.id, workload);
    ledger.add(workload);
  }
  const queues = new Map<string, QueuedWorkload[]>();
  for (const workload of [...state.waiting].sort(queueOrder)) {
    const queue = queues.get(workload.tenantId) ?? [];
    queues.set(workload.tenantId, queue);
    queue.push(workload);
  }

  const admit: Admission[] = [];
  const preempt: Preemption[] = [];
  // Every admission takes a workload out of the queues, and preemption only evicts for strictly better claims, so
  // this ends well before the bound; the bound guards against a rule change that would let two workloads trade places.
  const bound = 2 * (state.admitted.length + state.waiting.length) + 1;
  for (let round = 0; round < bound; round++) {
    const choice = bestChoice(queues, ledger, admitted);
    if (!choice) break;
    const { workload, victims } = choice;
    for (const victim of victims) {
      admitted.delete(victim.id);
      ledger.remove(victim);
      const reason: PreemptionReason = victim.tenantId === workload.tenantId ? 'InClusterQueue' : 'InCohortReclamation';
      preempt.push({
        victimId: victim.id,
        byId: workload.id,
        reason,
        message: `Preempted to accommodate a workload (job ${workload.id}) due to ${REASON_WORDS[reason]}`,
      });
      const requeued: QueuedWorkload = {
        id: victim.id,
        tenantId: victim.tenantId,
        priority: victim.priority,
        demand: victim.demand,
        queuedAt: now,
      };
      const queue = queues.get(victim.tenantId) ?? [];
      queues.set(victim.tenantId, queue);
      queue.splice(insertionIndex(queue, requeued), 0, requeued);
    }
    const demand = ledger.demandOf(workload);
    const borrowed = ledger.borrowedFor(workload.tenantId, demand);
    const queue = queues.get(workload.tenantId) ?? [];
    queue.splice(queue.indexOf(workload), 1);
    admitted.set(workload.id, { ...workload, admittedAt: now });
    ledger.add(workload);
    const product = workload.demand.product;
    admit.push({
      workloadId: workload.id,
      flavor: product !== null && workload.demand.gpus > 0 ? gpuFlavorName(product) : DEFAULT_FLAVOR,
      borrowed,
    });
  }

  const positions = new Map<string, QueueStanding>();
  for (const queue of queues.values())
    queue.forEach((workload, index) => {
      const fit = ledger.fit(workload);
      positions.set(workload.id, { position: index + 1, reason: 'Pending', message: fit.message, neverFits: fit.neverFits });
    });
  return { admit, preempt, positions };
}

/** Each queue's first workload that fits or can preempt; of those, the lowest weighted share after admission. */
function bestChoice(
  queues: Map<string, QueuedWorkload[]>,
  ledger: AdmissionLedger,
  admitted: Map<string, AdmittedWorkload>,
): Choice | undefined {
  let best: Choice | undefined;
  for (const queue of queues.values()) {
    for (const workload of queue) {
      const fit = ledger.fit(workload);
      const victims = fit.fits ? [] : fit.neverFits ? undefined : victimsFor(workload, fit, ledger, admitted);
      if (!victims) continue;
      const choice = { workload, victims, share: ledger.weightedShare(workload.tenantId, ledger.demandOf(workload)) };
      if (!best || choice.share < best.share || (choice.share === best.share && queueOrder(choice.workload, best.workload) < 0))
        best = choice;
      break;
    }
  }
  return best;
}

/**
 * Kueue's classical preemption (withinClusterQueue: LowerPriority, reclaimWithinCohort: Any, borrowWithinCohort:
 * Never): the candidates are the tenant's own lower-priority work on the flavors it is short of, and, when the
 * workload stays within its nominal quota, other tenants' work while they borrow there. Candidates are taken in victim
 * order until the workload fits, then given back, latest first, wherever it still fits without them: the smallest set
 * in that order. Undefined when no set makes it fit.
 */
function victimsFor(
  workload: QueuedWorkload,
  fit: Fit,
  ledger: AdmissionLedger,
  admitted: Map<string, AdmittedWorkload>,
): AdmittedWorkload[] | undefined {
  const demand = ledger.demandOf(workload);
  const reclaims = ledger.quotaOf(workload.tenantId).cohort && ledger.withinNominal(workload.tenantId, demand);
  const shortOf = (candidate: AdmittedWorkload) => [...ledger.demandOf(candidate).keys()].some((key) => fit.short.has(key));
  const candidates = [...admitted.values()]
    .filter((candidate) => {
      if (!shortOf(candidate)) return false;
      if (candidate.tenantId === workload.tenantId) return candidate.priority < workload.priority;
      return reclaims && ledger.quotaOf(candidate.tenantId).cohort;
    })
    .sort(victimOrder(workload.tenantId));
  if (candidates.length === 0) return undefined;

  const trial = ledger.clone();
  const taken: AdmittedWorkload[] = [];
  const stillBorrows = (candidate: AdmittedWorkload) =>
    [...ledger.demandOf(candidate)].some(([key, { at }]) => fit.short.has(key) && trial.borrows(candidate.tenantId, key, at));
  let fits = false;
  for (const candidate of candidates) {
    // Another tenant's work is reclaimed only while that tenant still borrows what this workload is short of.
    if (candidate.tenantId !== workload.tenantId && !stillBorrows(candidate)) continue;
    trial.remove(candidate);
    taken.push(candidate);
    if (trial.fit(workload).fits) {
      fits = true;
      break;
    }
  }
  if (!fits) return undefined;
  for (let index = taken.length - 2; index >= 0; index--) {
    const candidate = taken[index];
    if (!candidate) continue;
    trial.add(candidate);
    if (trial.fit(workload).fits) taken.splice(index, 1);
    else trial.remove(candidate);
  }
  return taken;
}

function insertionIndex(queue: readonly QueuedWorkload[], workload: QueuedWorkload): number {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const at = queue[mid];
    if (at && queueOrder(at, workload) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
