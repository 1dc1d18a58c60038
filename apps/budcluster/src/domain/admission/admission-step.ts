import type {
  Admission,
  AdmissionResult,
  AdmissionState,
  AdmittedWorkload,
  Preemption,
  PreemptionMode,
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
  InCohortFairSharing: 'Fair Sharing within the cohort',
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
  victims: Victim[];
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
  const ledger = new AdmissionLedger(state.inventory, state.quotas);
  const admitted = new Map<string, AdmittedWorkload>();
  for (const workload of state.admitted) {
    admitted.set(workload.id, workload);
    ledger.add(workload);
  }
  return admitOn(ledger, admitted, state.waiting, now, state.preemption);
}

/**
 * The same step over books its caller keeps from step to step (the simulated cluster's queue): `ledger` holds the
 * usage of `admitted`, and both are updated in place — admitted workloads in, victims out — so a step costs what
 * waits, not what runs.
 */
export function admitOn(
  ledger: AdmissionLedger,
  admitted: Map<string, AdmittedWorkload>,
  waiting: readonly QueuedWorkload[],
  now: number,
  preemption: PreemptionMode = 'classical',
): AdmissionResult {
  const victimsFor = preemption === 'fair-sharing' ? fairVictims : classicalVictims;
  ledger.beginStep(waiting);
  const queues = new Map<string, QueuedWorkload[]>();
  for (const workload of [...waiting].sort(queueOrder)) {
    const queue = queues.get(workload.tenantId) ?? [];
    queues.set(workload.tenantId, queue);
    queue.push(workload);
  }

  const admit: Admission[] = [];
  const preempt: Preemption[] = [];
  const index = new AdmittedIndex(admitted);
  // Workloads found unable to start in this step stay so while only admissions follow (usage only grows); a
  // preemption frees quota, so it clears them.
  const blocked = new Set<string>();
  // Every admission takes a workload out of the queues, and preemption only evicts for strictly better claims, so
  // this ends well before the bound; the bound guards against a rule change that would let two workloads trade places.
  const bound = 2 * (admitted.size + waiting.length) + 1;
  for (let round = 0; round < bound; round++) {
    const choice = bestChoice(queues, ledger, index, blocked, victimsFor);
    if (!choice) break;
    const { workload, victims } = choice;
    if (victims.length > 0) blocked.clear();
    for (const { victim, reason } of victims) {
      index.delete(victim);
      ledger.remove(victim);
      preempt.push({
        victimId: victim.id,
        victim,
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
    const admittedNow = { ...workload, admittedAt: now };
    index.set(admittedNow);
    ledger.add(admittedNow);
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
  index: AdmittedIndex,
  blocked: Set<string>,
  victimsFor: typeof classicalVictims,
): Choice | undefined {
  let best: Choice | undefined;
  for (const queue of queues.values()) {
    for (const workload of queue) {
      if (blocked.has(workload.id)) continue;
      const fit = ledger.fit(workload);
      const victims = fit.fits ? [] : fit.neverFits ? undefined : victimsFor(workload, fit, ledger, index);
      if (!victims) {
        blocked.add(workload.id);
        continue;
      }
      const choice = { workload, victims, share: ledger.weightedShare(workload.tenantId, ledger.demandOf(workload)) };
      if (!best || choice.share < best.share || (choice.share === best.share && queueOrder(choice.workload, best.workload) < 0))
        best = choice;
      break;
    }
  }
  return best;
}

/** The admitted workloads, also by tenant (built on first need: a step where everything fits never needs it). */
class AdmittedIndex {
  private byTenant: Map<string, Map<string, AdmittedWorkload>> | undefined;

  constructor(private readonly admitted: Map<string, AdmittedWorkload>) {}

  set(workload: AdmittedWorkload): void {
    this.admitted.set(workload.id, workload);
    if (!this.byTenant) return;
    const own = this.byTenant.get(workload.tenantId) ?? new Map<string, AdmittedWorkload>();
    this.byTenant.set(workload.tenantId, own);
    own.set(workload.id, workload);
  }

  delete(workload: AdmittedWorkload): void {
    this.admitted.delete(workload.id);
    this.byTenant?.get(workload.tenantId)?.delete(workload.id);
  }

  /** Admitted workloads per tenant. */
  tenants(): Map<string, Map<string, AdmittedWorkload>> {
    if (!this.byTenant) {
      this.byTenant = new Map();
      for (const workload of this.admitted.values()) {
        const own = this.byTenant.get(workload.tenantId) ?? new Map<string, AdmittedWorkload>();
        this.byTenant.set(workload.tenantId, own);
        own.set(workload.id, workload);
      }
    }
    return this.byTenant;
  }
}

/** A victim and why it goes. */
interface Victim {
  victim: AdmittedWorkload;
  reason: PreemptionReason;
}

const NOTHING = new Map() as ReturnType<AdmissionLedger['demandOf']>;

/**
 * Kueue's preemption with fair sharing on (its `fairPreemptions`; the ClusterQueues say withinClusterQueue:
 * LowerPriority, reclaimWithinCohort: Any). Candidates, only work on the flavors the workload is short of: its own
 * tenant's lower-priority work, and any work of another tenant while that tenant borrows there. The tenant queues are
 * visited highest weighted share first (the preemptor's own included, borrowing or not), each giving its first
 * candidate in victim order:
 * - the preemptor's own work goes (`InClusterQueue`);
 * - while the preemptor stays within its nominal quota, another tenant's goes (`InCohortReclamation`);
 * - otherwise another tenant's goes if the preemptor's share with the workload is at most that tenant's share without
 *   it (`InCohortFairSharing`); candidates refused are tried once more, one per tenant, if the preemptor's share is
 *   below that tenant's share as it stands.
 * Until the workload fits; then each victim is given back, latest first, wherever it still fits without evicting it.
 * Undefined when nothing makes it fit.
 */
function fairVictims(workload: QueuedWorkload, fit: Fit, ledger: AdmissionLedger, index: AdmittedIndex): Victim[] | undefined {
  const tenant = workload.tenantId;
  const demand = ledger.demandOf(workload);
  const inCohort = ledger.quotaOf(tenant).cohort;
  const shortOf = (candidate: AdmittedWorkload) => [...ledger.demandOf(candidate).keys()].some((key) => fit.short.has(key));
  const borrowsShort = (books: AdmissionLedger, tenantId: string) =>
    [...fit.short].some((key) => {
      const at = demand.get(key)?.at;
      return at !== undefined && books.borrows(tenantId, key, at);
    });
  const order = victimOrder(tenant);
  const candidates = new Map<string, AdmittedWorkload[]>();
  for (const [tenantId, own] of index.tenants()) {
    const list: AdmittedWorkload[] = [];
    if (tenantId === tenant) {
      for (const candidate of own.values()) if (candidate.priority < workload.priority && shortOf(candidate)) list.push(candidate);
    } else if (inCohort && ledger.quotaOf(tenantId).cohort && borrowsShort(ledger, tenantId)) {
      for (const candidate of own.values()) if (shortOf(candidate)) list.push(candidate);
    }
    if (list.length > 0) candidates.set(tenantId, list.sort(order));
  }
  if (candidates.size === 0) return undefined;

  const withinNominal = ledger.withinNominal(tenant, demand);
  // Shares are those with the workload admitted (Kueue simulates its usage first).
  const trial = ledger.clone();
  trial.add(workload);
  const fits = () => {
    trial.remove(workload);
    const fitsNow = trial.fit(workload).fits;
    trial.add(workload);
    return fitsNow;
  };
  const share = (tenantId: string) => trial.weightedShare(tenantId, NOTHING);
  const taken: Victim[] = [];
  const take = (victim: AdmittedWorkload, reason: PreemptionReason) => {
    trial.remove(victim);
    taken.push({ victim, reason });
    return fits();
  };
  /** The tenant queue to take from next: highest share; the preemptor's own even when not borrowing. */
  const nextTarget = (lists: Map<string, AdmittedWorkload[]>, dropped: Set<string>): string | undefined => {
    let best: string | undefined;
    let bestShare = -Infinity;
    for (const [tenantId, list] of lists) {
      const first = list[0];
      if (dropped.has(tenantId) || !first || (tenantId !== tenant && !borrowsShort(trial, tenantId))) {
        dropped.add(tenantId);
        continue;
      }
      const current = share(tenantId);
      const bestFirst = best === undefined ? undefined : lists.get(best)?.[0];
      if (current > bestShare || (current === bestShare && bestFirst !== undefined && order(first, bestFirst) < 0)) {
        best = tenantId;
        bestShare = current;
      }
    }
    return best;
  };

  let done = false;
  const retry = new Map<string, AdmittedWorkload[]>();
  const dropped = new Set<string>();
  for (let target = nextTarget(candidates, dropped); target !== undefined && !done; target = nextTarget(candidates, dropped)) {
    const list = candidates.get(target) ?? [];
    if (target === tenant || withinNominal) {
      const victim = list.shift();
      if (victim) done = take(victim, target === tenant ? 'InClusterQueue' : 'InCohortReclamation');
      continue;
    }
    const preemptorShare = share(tenant);
    for (let victim = list.shift(); victim !== undefined; victim = list.shift()) {
      trial.remove(victim);
      const targetShare = share(target);
      trial.add(victim);
      if (preemptorShare <= targetShare) {
        done = take(victim, 'InCohortFairSharing');
        // Shares moved: choose the target again.
        break;
      }
      retry.set(target, [...(retry.get(target) ?? []), victim]);
    }
  }
  const droppedAgain = new Set<string>();
  for (let target = nextTarget(retry, droppedAgain); target !== undefined && !done; target = nextTarget(retry, droppedAgain)) {
    const victim = retry.get(target)?.[0];
    if (victim && share(tenant) < share(target)) done = take(victim, 'InCohortFairSharing');
    droppedAgain.add(target);
  }
  if (!done) return undefined;

  trial.remove(workload);
  for (let position = taken.length - 2; position >= 0; position--) {
    const entry = taken[position];
    if (!entry) continue;
    trial.add(entry.victim);
    if (trial.fit(workload).fits) taken.splice(position, 1);
    else trial.remove(entry.victim);
  }
  return taken;
}

/**
 * Kueue's classical preemption (withinClusterQueue: LowerPriority, reclaimWithinCohort: Any, borrowWithinCohort:
 * Never): the candidates are the tenant's own lower-priority work on the flavors it is short of, and, when the
 * workload stays within its nominal quota, other tenants' work while they borrow there. Candidates are taken in victim
 * order until the workload fits, then given back, latest first, wherever it still fits without them: the smallest set
 * in that order. Undefined when no set makes it fit.
 */
function classicalVictims(workload: QueuedWorkload, fit: Fit, ledger: AdmissionLedger, index: AdmittedIndex): Victim[] | undefined {
  const demand = ledger.demandOf(workload);
  const reclaims = ledger.quotaOf(workload.tenantId).cohort && ledger.withinNominal(workload.tenantId, demand);
  const shortOf = (candidate: AdmittedWorkload) => [...ledger.demandOf(candidate).keys()].some((key) => fit.short.has(key));
  const candidates: AdmittedWorkload[] = [];
  for (const [tenantId, own] of index.tenants()) {
    if (tenantId === workload.tenantId) {
      for (const candidate of own.values()) if (candidate.priority < workload.priority && shortOf(candidate)) candidates.push(candidate);
      continue;
    }
    if (!reclaims || !ledger.quotaOf(tenantId).cohort) continue;
    // Only a tenant that borrows what this workload is short of can be reclaimed from.
    const borrows = [...fit.short].some((key) => {
      const at = demand.get(key)?.at;
      return at !== undefined && ledger.borrows(tenantId, key, at);
    });
    if (borrows) for (const candidate of own.values()) if (shortOf(candidate)) candidates.push(candidate);
  }
  candidates.sort(victimOrder(workload.tenantId));
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
  return taken.map((victim) => ({ victim, reason: victim.tenantId === workload.tenantId ? 'InClusterQueue' : 'InCohortReclamation' }));
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
