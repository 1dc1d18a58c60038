import { createHash } from 'node:crypto';
import { parseQuantity, priorityValues } from '@bud/contracts';
import type { AdmissionResult, AdmittedWorkload, QueuedWorkload, WorkloadDemand } from '../../domain/admission/admission-model';
import { AdmissionLedger } from '../../domain/admission/admission-ledger';
import { admitOn } from '../../domain/admission/admission-step';
import type { JobModel } from '../../domain/job-model';
import { BUILT_IN_CLUSTER_QUOTAS, effectiveQuota } from '../../domain/quota-model';
import type { ClusterQuotas } from '../../domain/quota-model';

/** What a job holds once admitted: its GPUs, CPU and memory requests over all replicas (at least one). */
export function demandOf(job: JobModel): WorkloadDemand {
  const replicas = Math.max(job.resources.replicas, 1);
  const gpus = job.resources.gpu_count * replicas;
  return {
    product: gpus > 0 ? (job.resources.gpu_type ?? null) : null,
    gpus,
    cpuMillis: Math.round(parseQuantity(job.resources.cpu_request) * 1000) * replicas,
    memoryBytes: Math.round(parseQuantity(job.resources.memory_request)) * replicas,
  };
}

/** The simulated Workload's name, as Kueue names a Job's: `job-<object name>-<5 hex>` (from the job id, so stable). */
export function workloadNameOf(job: JobModel): string {
  return `job-${job.resourceName}-${createHash('sha256').update(job.id).digest('hex').slice(0, 5)}`;
}

/**
 * The simulated cluster's Kueue: the cohort's workloads, waiting or holding quota, and the quotas and inventory they
 * are admitted under; every change is followed by one admission step (docs/design.md#quotas).
 */
export class SimulatedQueue {
  private readonly waiting = new Map<string, QueuedWorkload>();
  /** Admitted work that holds some quota: GPUs, or CPU/memory of a tenant limited in them. */
  private readonly admitted = new Map<string, AdmittedWorkload>();
  /**
   * Admitted work that holds nothing any quota counts (CPU-only work of unlimited tenants): it can neither block nor
   * be preempted, so the admission step need not see it — a cluster of many services stays cheap to schedule.
   */
  private readonly uncounted = new Map<string, AdmittedWorkload>();
  private quotas: ClusterQuotas = BUILT_IN_CLUSTER_QUOTAS;
  /** The usage of `admitted`, kept from step to step; built again after the quotas or the inventory change. */
  private ledger: AdmissionLedger | undefined;

  constructor(private inventory: Record<string, number>) {}

  setInventory(inventory: Record<string, number>): void {
    this.inventory = inventory;
    this.ledger = undefined;
  }

  setQuotas(quotas: ClusterQuotas): void {
    this.quotas = quotas;
    this.ledger = undefined;
    for (const workload of [...this.admitted.values(), ...this.uncounted.values()]) this.hold(workload);
  }

  /** A new workload joins its tenant's queue at `now`. */
  enqueue(job: JobModel, now: number): void {
    this.waiting.set(job.id, {
      id: job.id,
      tenantId: job.tenantId,
      priority: priorityValues[job.priorityClass],
      demand: demandOf(job),
      queuedAt: now,
    });
  }

  /**
   * A workload that held quota before this driver started (a restart): booked as admitted without a fit check, as
   * Kueue keeps an admitted Workload's reservation — a quota lowered meanwhile evicts nothing.
   */
  restore(job: JobModel, now: number): void {
    this.hold({
      id: job.id,
      tenantId: job.tenantId,
      priority: priorityValues[job.priorityClass],
      demand: demandOf(job),
      queuedAt: now,
      admittedAt: now,
    });
  }

  /**
   * A newer generation or priority: a waiting workload takes both (its place in the queue follows the priority); an
   * admitted one keeps its quota (a rolling update is not queued again), counted at the new demand when that fits
   * now — else at the demand it was admitted with: a scale-up is never granted past the quota or the inventory (on
   * Kubernetes, Kueue keeps the extra pods gated).
   */
  update(job: JobModel): void {
    const priority = priorityValues[job.priorityClass];
    const demand = demandOf(job);
    const waiting = this.waiting.get(job.id);
    if (waiting) this.waiting.set(job.id, { ...waiting, priority, demand });
    const admitted = this.admitted.get(job.id) ?? this.uncounted.get(job.id);
    if (!admitted) return;
    this.release(admitted);
    const grown = { ...admitted, priority, demand };
    this.hold(this.counts(grown) && !this.books().fit(grown).fits ? { ...admitted, priority } : grown);
  }

  /** The workload leaves the cluster (finished, failed, removed): its quota is free. */
  forget(jobId: string): void {
    this.waiting.delete(jobId);
    const admitted = this.admitted.get(jobId) ?? this.uncounted.get(jobId);
    if (admitted) this.release(admitted);
  }

  /** Admitted, so it holds (or needs no) quota. */
  holdsQuota(jobId: string): boolean {
    return this.admitted.has(jobId) || this.uncounted.has(jobId);
  }

  /** One admission step at `now`, applied to the books: admitted move over, victims wait again from `now`. */
  step(now: number): AdmissionResult {
    // Nothing waits: admitted work is never evicted but for waiting work (a lowered quota evicts nothing).
    if (this.waiting.size === 0) return { admit: [], preempt: [], positions: new Map() };
    const result = admitOn(this.books(), this.admitted, [...this.waiting.values()], now);
    for (const { victim } of result.preempt)
      this.waiting.set(victim.id, {
        id: victim.id,
        tenantId: victim.tenantId,
        priority: victim.priority,
        demand: victim.demand,
        queuedAt: now,
      });
    for (const { workloadId } of result.admit) {
      this.waiting.delete(workloadId);
      const workload = this.admitted.get(workloadId);
      if (workload && !this.counts(workload)) {
        this.release(workload);
        this.hold(workload);
      }
    }
    return result;
  }

  private books(): AdmissionLedger {
    if (!this.ledger) {
      this.ledger = new AdmissionLedger(this.inventory, this.quotas);
      for (const workload of this.admitted.values()) this.ledger.add(workload);
    }
    return this.ledger;
  }

  private counts(workload: AdmittedWorkload): boolean {
    const quota = effectiveQuota(this.quotas, workload.tenantId);
    return (
      (workload.demand.product !== null && workload.demand.gpus > 0) ||
      (quota.cpuMillis !== null && workload.demand.cpuMillis > 0) ||
      (quota.memoryBytes !== null && workload.demand.memoryBytes > 0)
    );
  }

  /** Files an admitted workload by whether any quota counts what it holds (and books what it holds). */
  private hold(workload: AdmittedWorkload): void {
    const counted = this.counts(workload);
    if (counted && !this.admitted.has(workload.id)) this.ledger?.add(workload);
    if (!counted && this.admitted.has(workload.id)) this.ledger?.remove(this.admitted.get(workload.id) ?? workload);
    (counted ? this.uncounted : this.admitted).delete(workload.id);
    (counted ? this.admitted : this.uncounted).set(workload.id, workload);
  }

  private release(workload: AdmittedWorkload): void {
    if (this.admitted.delete(workload.id)) this.ledger?.remove(workload);
    this.uncounted.delete(workload.id);
  }
}
