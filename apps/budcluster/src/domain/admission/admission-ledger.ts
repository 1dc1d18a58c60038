import type { ClusterQuotas, TenantQuota } from '../quota-model';
import { effectiveQuota, gpuQuotaOf } from '../quota-model';
import type { QueuedWorkload } from './admission-model';
import { DEFAULT_FLAVOR, GPU_RESOURCE, gpuFlavorName, quantityString } from './flavors';

/** One resource of one flavor, as Kueue keeps quota: `gpu-h100-80gb` × `nvidia.com/gpu`, `default` × `cpu`. */
export interface FlavorResource {
  flavor: string;
  resource: string;
  /** The GPU product of a GPU flavor; null for CPU and memory. */
  product: string | null;
  /** `<flavor>/<resource>`. */
  key: string;
}

/** What a workload holds of each flavor-resource its tenant's quota counts. */
export type Usage = Map<string, { at: FlavorResource; amount: number }>;

/** Why a workload does not fit now (Kueue's flavor assigner message), and whether it ever can. */
export interface Fit {
  fits: boolean;
  neverFits: boolean;
  /** The flavor-resources it is short of, by key. */
  short: Set<string>;
  message: string;
}

/**
 * Demands already worked out, per workload value and the quota they were counted under: a workload's demand is the
 * same in every step while neither changes, and the ledger adds up every admitted workload in every step.
 */
const demands = new WeakMap<QueuedWorkload, { quota: TenantQuota; usage: Usage }>();

/**
 * The cohort's books: each tenant's ClusterQueue usage per flavor-resource, what the cohort holds in total (the
 * tenants' nominal quotas plus the `bud-pool` queue that lends the unassigned inventory), and the fit rules of Kueue's
 * flavor assigner over them (docs/design.md#quotas). Mutable, cheap to clone for a preemption trial.
 */
export class AdmissionLedger {
  private readonly usage = new Map<string, Map<string, number>>();
  private readonly cohortUsage = new Map<string, number>();
  private readonly capacity = new Map<string, number>();
  /** Each tenant's effective quota, looked up once. */
  private readonly effective = new Map<string, TenantQuota>();
  /** Every flavor-resource seen, by key (shared by clones: it only grows). */
  private readonly resources: Map<string, FlavorResource>;
  /** Admitted workloads per tenant. */
  private readonly members = new Map<string, number>();
  /** The tenants with a ClusterQueue in this step: a quota row, admitted or waiting work (see beginStep). */
  private tenants = new Set<string>();

  constructor(
    private readonly inventory: Record<string, number>,
    private readonly quotas: ClusterQuotas,
    resources?: Map<string, FlavorResource>,
  ) {
    this.resources = resources ?? new Map<string, FlavorResource>();
  }

  /**
   * Fixes the step's ClusterQueues — tenants with a quota row, admitted work, or work waiting — so the cohort's
   * capacity (which the tenants' nominal quotas shape) holds for the whole step, preemption trials included.
   */
  beginStep(waiting: Iterable<QueuedWorkload>): void {
    const tenants = new Set<string>();
    for (const quota of this.quotas.tenants) if (quota.tenantId !== null) tenants.add(quota.tenantId);
    for (const [tenant, count] of this.members) if (count > 0) tenants.add(tenant);
    for (const workload of waiting) tenants.add(workload.tenantId);
    if (tenants.size !== this.tenants.size || [...tenants].some((tenant) => !this.tenants.has(tenant))) this.capacity.clear();
    this.tenants = tenants;
  }

  clone(): AdmissionLedger {
    const copy = new AdmissionLedger(this.inventory, this.quotas, this.resources);
    copy.tenants = this.tenants;
    for (const [tenant, count] of this.members) copy.members.set(tenant, count);
    for (const [tenant, usage] of this.usage) copy.usage.set(tenant, new Map(usage));
    for (const [key, amount] of this.cohortUsage) copy.cohortUsage.set(key, amount);
    for (const [key, amount] of this.capacity) copy.capacity.set(key, amount);
    return copy;
  }

  quotaOf(tenantId: string): TenantQuota {
    let quota = this.effective.get(tenantId);
    if (!quota) {
      quota = effectiveQuota(this.quotas, tenantId);
      this.effective.set(tenantId, quota);
    }
    return quota;
  }

  /** The flavor-resources a workload's quota counts: its GPUs always, CPU and memory only where the tenant is limited. */
  demandOf(workload: QueuedWorkload): Usage {
    const quota = this.quotaOf(workload.tenantId);
    const known = demands.get(workload);
    if (known?.quota === quota) {
      for (const [key, { at }] of known.usage) if (!this.resources.has(key)) this.resources.set(key, at);
      return known.usage;
    }
    const demand: Usage = new Map();
    const add = (flavor: string, resource: string, product: string | null, amount: number) => {
      if (amount <= 0) return;
      const key = `${flavor}/${resource}`;
      const at = this.resources.get(key) ?? { flavor, resource, product, key };
      demand.set(key, { at, amount });
      this.resources.set(key, at);
    };
    const { product } = workload.demand;
    if (product !== null) add(gpuFlavorName(product), GPU_RESOURCE, product, workload.demand.gpus);
    if (quota.cpuMillis) add(DEFAULT_FLAVOR, 'cpu', null, workload.demand.cpuMillis);
    if (quota.memoryBytes) add(DEFAULT_FLAVOR, 'memory', null, workload.demand.memoryBytes);
    demands.set(workload, { quota, usage: demand });
    return demand;
  }

  add(workload: QueuedWorkload, sign: 1 | -1 = 1): void {
    const inCohort = this.quotaOf(workload.tenantId).cohort;
    const usage = this.usage.get(workload.tenantId) ?? new Map<string, number>();
    this.usage.set(workload.tenantId, usage);
    this.members.set(workload.tenantId, (this.members.get(workload.tenantId) ?? 0) + sign);
    for (const [key, { amount }] of this.demandOf(workload)) {
      usage.set(key, (usage.get(key) ?? 0) + sign * amount);
      if (inCohort) this.cohortUsage.set(key, (this.cohortUsage.get(key) ?? 0) + sign * amount);
    }
  }

  remove(workload: QueuedWorkload): void {
    this.add(workload, -1);
  }

  usageOf(tenantId: string, key: string): number {
    return this.usage.get(tenantId)?.get(key) ?? 0;
  }

  /** The tenant's nominal quota and borrowing limit (null: unlimited) of a flavor-resource. */
  quotaFor(tenantId: string, at: FlavorResource): { nominal: number; borrowingLimit: number | null } {
    const quota = this.quotaOf(tenantId);
    const limit = (value: { nominal: number; borrowingLimit: number | null }) => ({
      nominal: value.nominal,
      borrowingLimit: quota.cohort ? value.borrowingLimit : 0,
    });
    if (at.product !== null) return limit(gpuQuotaOf(quota, at.product));
    const resource = at.resource === 'cpu' ? quota.cpuMillis : quota.memoryBytes;
    return resource ? limit(resource) : { nominal: Infinity, borrowingLimit: 0 };
  }

  /**
   * What the cohort holds of a flavor-resource: the nominal quotas of its ClusterQueues plus the pool (the inventory
   * no tenant was given, never below 0). CPU and memory have no inventory in the model: only tenants' limits bound them.
   */
  cohortCapacity(at: FlavorResource): number {
    const key = at.key;
    const known = this.capacity.get(key);
    if (known !== undefined) return known;
    let capacity = Infinity;
    const { product } = at;
    if (product !== null) {
      let assigned = 0;
      let lent = 0;
      for (const tenant of this.tenants) {
        const quota = this.quotaOf(tenant);
        const nominal = gpuQuotaOf(quota, product).nominal;
        assigned += nominal;
        if (quota.cohort) lent += nominal;
      }
      capacity = lent + Math.max(0, (this.inventory[product] ?? 0) - assigned);
    }
    this.capacity.set(key, capacity);
    return capacity;
  }

  /** Kueue's Available: the tenant's room under its borrowing limit, bounded by what the cohort has unused. */
  available(tenantId: string, at: FlavorResource): number {
    const key = at.key;
    const { nominal, borrowingLimit } = this.quotaFor(tenantId, at);
    const own = nominal + (borrowingLimit ?? Infinity) - this.usageOf(tenantId, key);
    if (!this.quotaOf(tenantId).cohort) return nominal - this.usageOf(tenantId, key);
    return Math.max(0, Math.min(own, this.cohortCapacity(at) - (this.cohortUsage.get(key) ?? 0)));
  }

  /** Kueue's PotentialAvailable: the most the tenant could ever hold, were everything else to finish. */
  maxCapacity(tenantId: string, at: FlavorResource): number {
    const { nominal, borrowingLimit } = this.quotaFor(tenantId, at);
    if (!this.quotaOf(tenantId).cohort) return nominal;
    return Math.min(nominal + (borrowingLimit ?? Infinity), this.cohortCapacity(at));
  }

  /** Whether the workload fits now; if not, the message of Kueue's flavor assigner for its pod set `main`. */
  fit(workload: QueuedWorkload): Fit {
    const reasons: string[] = [];
    const short = new Set<string>();
    let neverFits = false;
    for (const [key, { at, amount }] of this.demandOf(workload)) {
      const max = this.maxCapacity(workload.tenantId, at);
      const available = this.available(workload.tenantId, at);
      const quantity = (value: number) => quantityString(at.resource, value);
      if (amount > max) {
        neverFits = true;
        short.add(key);
        reasons.push(
          `insufficient quota for ${at.resource} in flavor ${at.flavor}, previously considered podsets requests (0) + current podset request (${quantity(amount)}) > maximum capacity (${quantity(max)})`,
        );
      } else if (amount > available) {
        short.add(key);
        reasons.push(`insufficient unused quota for ${at.resource} in flavor ${at.flavor}, ${quantity(amount - available)} more needed`);
      }
    }
    const fits = reasons.length === 0;
    return { fits, neverFits, short, message: fits ? '' : `couldn't assign flavors to pod set main: ${reasons.join(', ')}` };
  }

  /** Whether the tenant, after admitting `extra`, holds no more than its nominal quota of every flavor-resource of it. */
  withinNominal(tenantId: string, extra: Usage): boolean {
    for (const [key, { at, amount }] of extra) if (this.usageOf(tenantId, key) + amount > this.quotaFor(tenantId, at).nominal) return false;
    return true;
  }

  /** Whether the tenant holds more than its nominal quota of the flavor-resource (it borrows from the cohort). */
  borrows(tenantId: string, key: string, at: FlavorResource): boolean {
    return this.usageOf(tenantId, key) > this.quotaFor(tenantId, at).nominal;
  }

  /** GPUs the tenant would borrow for a workload's demand: the growth of its usage beyond its nominal quota. */
  borrowedFor(tenantId: string, extra: Usage): number {
    let borrowed = 0;
    for (const [key, { at, amount }] of extra) {
      if (at.product === null) continue;
      const { nominal } = this.quotaFor(tenantId, at);
      const before = this.usageOf(tenantId, key);
      borrowed += Math.max(0, before + amount - nominal) - Math.max(0, before - nominal);
    }
    return borrowed;
  }

  /**
   * Fair sharing's dominant resource share (Kueue's DRS), with `extra` admitted: over GPU resources, the borrowed share
   * of what the cohort lends, divided by the tenant's weight. 0 for a tenant within its quota or outside the cohort.
   */
  weightedShare(tenantId: string, extra: Usage): number {
    const quota = this.quotaOf(tenantId);
    if (!quota.cohort) return 0;
    let dominant = 0;
    const keys = new Set([...(this.usage.get(tenantId)?.keys() ?? []), ...extra.keys()]);
    for (const key of keys) {
      const at = extra.get(key)?.at ?? this.resources.get(key);
      if (at?.product === undefined || at.product === null) continue;
      const lendable = this.cohortCapacity(at);
      if (lendable <= 0) continue;
      const borrowed = this.usageOf(tenantId, key) + (extra.get(key)?.amount ?? 0) - this.quotaFor(tenantId, at).nominal;
      dominant = Math.max(dominant, borrowed / lendable);
    }
    return dominant / quota.weight;
  }
}
