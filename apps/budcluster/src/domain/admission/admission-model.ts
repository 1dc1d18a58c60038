import type { ClusterQuotas } from '../quota-model';

/**
 * The admission rules' inputs and outputs (docs/design.md#quotas): plain values on both drivers' terms, so the same
 * rules can be table-tested without a cluster. Times are milliseconds on the injected clock.
 */

/** What a workload holds once admitted: one GPU product (or none), plus CPU and memory (counted only where limited). */
export interface WorkloadDemand {
  /** The GPU product as in the cluster's gpu_inventory; null for CPU-only work. */
  product: string | null;
  /** GPUs in total over all replicas. */
  gpus: number;
  cpuMillis: number;
  memoryBytes: number;
}

export interface QueuedWorkload {
  id: string;
  tenantId: string;
  /** priorityValues of the job's priority class: higher goes first and may preempt lower. */
  priority: number;
  demand: WorkloadDemand;
  /** When it entered its queue (again, after an eviction): FIFO within a priority. */
  queuedAt: number;
}

export interface AdmittedWorkload extends QueuedWorkload {
  admittedAt: number;
}

/**
 * How a workload that does not fit finds victims: `classical` (the agreed rules, docs/design.md#quotas) or Kueue's
 * `fair-sharing` preemption, which Kueue runs instead whenever fairSharing is enabled in its configuration.
 */
export type PreemptionMode = 'classical' | 'fair-sharing';

export interface AdmissionState {
  /** GPUs per product on the cluster. */
  inventory: Record<string, number>;
  /** Default: classical. */
  preemption?: PreemptionMode;
  quotas: ClusterQuotas;
  admitted: readonly AdmittedWorkload[];
  waiting: readonly QueuedWorkload[];
}

export interface Admission {
  workloadId: string;
  /** `gpu-<product>` for GPU work, `default` for the rest (docs/design.md#quotas). */
  flavor: string;
  /** GPUs taken beyond the tenant's nominal quota, from what the cohort lends. */
  borrowed: number;
}

/** Kueue's preemption reasons: within the preemptor's own queue by priority, a lender reclaiming its quota, fair sharing. */
export type PreemptionReason = 'InClusterQueue' | 'InCohortReclamation' | 'InCohortFairSharing';

export interface Preemption {
  victimId: string;
  /** The victim as it was admitted (it waits again from the step's time). */
  victim: AdmittedWorkload;
  /** The workload admitted in the victim's place. */
  byId: string;
  reason: PreemptionReason;
  /** Kueue-like: names the preemptor and why. */
  message: string;
}

/** Where a workload still waiting stands, and why it waits (the message of Kueue's QuotaReserved=False condition). */
export interface QueueStanding {
  /** 1-based within its tenant's queue (priority desc, queued time asc). */
  position: number;
  reason: 'Pending';
  message: string;
  /** It can never fit under the tenant's quota and the cohort, whatever finishes. */
  neverFits: boolean;
}

export interface AdmissionResult {
  /** In the order they were decided. */
  admit: Admission[];
  preempt: Preemption[];
  /** Every workload still waiting, by id. */
  positions: Map<string, QueueStanding>;
}
