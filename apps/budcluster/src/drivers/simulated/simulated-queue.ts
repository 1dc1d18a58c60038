import { createHash } from 'node:crypto';
import { parseQuantity, priorityValues } from '@bud/contracts';
import type { AdmissionResult, AdmittedWorkload, QueuedWorkload, WorkloadDemand } from '../../domain/admission/admission-model';
import { admissionStep } from '../../domain/admission/admission-step';
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

  constructor(private inventory: Record<string, number>) {}

  setInventory(inventory: Record<string, number>): void {
    this.inventory = inventory;
  }

  setQuotas(quotas: ClusterQuotas): void {
    this.quotas = quotas;
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
   * A newer generation or priority: a waiting workload takes both (its place in the queue follows the priority); an
   * admitted one keeps its quota, now counted at the new demand (a rolling update is not queued again).
   */
  update(job: JobModel): void {
    const priority = priorityValues[job.priorityClass];
    const waiting = this.waiting.get(job.id);
    if (waiting) this.waiting.set(job.id, { ...waiting, priority, demand: demandOf(job) });
    const admitted = this.admitted.get(job.id) ?? this.uncounted.get(job.id);
    if (admitted) this.hold({ ...admitted, priority, demand: demandOf(job) });
  }

  /** The workload leaves the cluster (finished, failed, removed): its quota is free. */
  forget(jobId: string): void {
    this.waiting.delete(jobId);
    this.admitted.delete(jobId);
    this.uncounted.delete(jobId);
  }

  /** Admitted, so it holds (or needs no) quota. */
  holdsQuota(jobId: string): boolean {
    return this.admitted.has(jobId) || this.uncounted.has(jobId);
  }

  /** One admission step at `now`, applied to the books: admitted move over, victims wait again from `now`. */
  step(now: number): AdmissionResult {
    const result = admissionStep(
      { inventory: this.inventory, quotas: this.quotas, admitted: [...this.admitted.values()], waiting: [...this.waiting.values()] },
      now,
    );
    for (const { victimId } of result.preempt) {
      const victim = this.admitted.get(victimId);
      if (!victim) continue;
      this.admitted.delete(victimId);
      this.waiting.set(victimId, {
        id: victim.id,
        tenantId: victim.tenantId,
        priority: victim.priority,
        demand: victim.demand,
        queuedAt: now,
      });
    }
    for (const { workloadId } of result.admit) {
      const workload = this.waiting.get(workloadId);
      if (!workload) continue;
      this.waiting.delete(workloadId);
      this.hold({ ...workload, admittedAt: now });
    }
    return result;
  }

  /** Files an admitted workload by whether any quota counts what it holds. */
  private hold(workload: AdmittedWorkload): void {
    const quota = effectiveQuota(this.quotas, workload.tenantId);
    const counted =
      (workload.demand.product !== null && workload.demand.gpus > 0) ||
      (quota.cpuMillis !== null && workload.demand.cpuMillis > 0) ||
      (quota.memoryBytes !== null && workload.demand.memoryBytes > 0);
    (counted ? this.uncounted : this.admitted).delete(workload.id);
    (counted ? this.admitted : this.uncounted).set(workload.id, workload);
  }
}
