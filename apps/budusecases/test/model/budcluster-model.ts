import { activeJobStatuses, jobStatusTransitions } from '@bud/contracts';
import type { JobStatus } from '@bud/contracts';

export interface ModelJob {
  id: string;
  key: string;
  componentId: string;
  run: number;
  revision: number;
  status: JobStatus;
  version: number;
  /** Cluster steps left before the job is admitted: the simulated driver's admit delay, in steps. */
  admitIn: number;
  /** In place (docs/design.md#in-place-update): the spec applied (a stand-in hash), its generation, the one rolled out. */
  specHash: number;
  generation: number;
  observedGeneration: number;
}

/** What budcluster publishes on every status change: delivered later, maybe twice, in any order. */
export interface ModelJobEvent {
  jobId: string;
  componentId: string;
  run: number;
  revision: number;
  version: number;
  status: JobStatus;
  rollout: { generation: number; observed_generation: number };
}

export const isActive = (status: JobStatus): boolean => activeJobStatuses.includes(status);

/**
 * budcluster's Job API as budusecases sees it, in memory. Every move goes through the real status
 * machine's table (libs/contracts), so the model cannot do what budcluster would refuse.
 */
export class BudclusterModel {
  readonly jobs = new Map<string, ModelJob>();
  readonly events: ModelJobEvent[] = [];
  private nextId = 1;

  constructor(private readonly admitDelay: () => number) {}

  /** POST /jobs: an existing idempotency key answers the job it already names. */
  create(key: string, componentId: string, run: number, revision: number, specHash = 0): ModelJob {
    const existing = [...this.jobs.values()].find((j) => j.key === key);
    if (existing) return { ...existing };
    const job: ModelJob = {
      id: `job-${this.nextId++}`,
      key,
      componentId,
      run,
      revision,
      status: 'pending',
      version: 1,
      admitIn: this.admitDelay(),
      specHash,
      generation: 1,
      observedGeneration: 0,
    };
    this.jobs.set(job.id, job);
    this.publish(job);
    return { ...job };
  }

  get(id: string): ModelJob | null {
    const job = this.jobs.get(id);
    return job ? { ...job } : null;
  }

  /** DELETE /jobs/{id}: cancels an active job (answering it), deletes a finished one, and a missing one is gone. */
  cancelOrDelete(id: string): { result: 'cancelled'; job: ModelJob } | { result: 'deleted' | 'gone' } {
    const job = this.jobs.get(id);
    if (!job) return { result: 'gone' };
    if (!isActive(job.status)) {
      this.jobs.delete(id);
      return { result: 'deleted' };
    }
    this.move(job, 'cancelled');
    return { result: 'cancelled', job: { ...job } };
  }

  /** POST /jobs/{id}/retry: only a failed or preempted job; null stands for budcluster's 409. */
  retry(id: string): ModelJob | null {
    const job = this.jobs.get(id);
    if (!job || (job.status !== 'failed' && job.status !== 'preempted')) return null;
    this.move(job, 'pending');
    return { ...job };
  }

  /**
   * PATCH /jobs/{id} {spec, resources}: a new spec bumps the generation (rolled out by a later tick); the same spec
   * changes nothing. 'conflict' stands for budcluster's 409 on a job that is not active, null for its 404.
   */
  patch(id: string, specHash: number): ModelJob | 'conflict' | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    if (!isActive(job.status)) return 'conflict';
    if (job.specHash !== specHash) {
      Object.assign(job, { specHash, generation: job.generation + 1, version: job.version + 1 });
      this.publish(job);
    }
    return { ...job };
  }

  list(): ModelJob[] {
    return [...this.jobs.values()].map((j) => ({ ...j }));
  }

  /** One step of the driver: every active job moves along pending → admitted → running once its delay is over. */
  tick(): boolean {
    let moved = false;
    for (const job of this.jobs.values()) {
      if (job.status === 'running' && job.observedGeneration < job.generation) {
        Object.assign(job, { observedGeneration: job.generation, version: job.version + 1 });
        this.publish(job);
        moved = true;
        continue;
      }
      if (job.admitIn > 0 && isActive(job.status)) {
        job.admitIn--;
        moved = true;
        continue;
      }
      const next: JobStatus | null =
        job.status === 'pending' || job.status === 'queued'
          ? 'admitted'
          : job.status === 'admitted'
            ? 'running'
            : job.status === 'preempted'
              ? 'queued'
              : null;
      if (next) {
        this.move(job, next);
        moved = true;
      }
    }
    return moved;
  }

  /** Whatever else the status machine allows a driver to do to a job (fail, preempt, re-queue), never a cancel. */
  fault(pick: number, choice: number): void {
    const jobs = [...this.jobs.values()];
    const job = jobs[pick % Math.max(jobs.length, 1)];
    if (!job) return;
    const options = jobStatusTransitions[job.status].filter((s) => s !== 'cancelled' && s !== 'succeeded');
    if (options.length > 0) this.move(job, options[choice % options.length]);
  }

  private move(job: ModelJob, to: JobStatus): void {
    if (!jobStatusTransitions[job.status].includes(to)) throw new Error(`model bug: ${job.status} → ${to} is not a legal job move`);
    job.status = to;
    job.version++;
    this.publish(job);
  }

  private publish(job: ModelJob): void {
    this.events.push({
      jobId: job.id,
      componentId: job.componentId,
      run: job.run,
      revision: job.revision,
      version: job.version,
      status: job.status,
      rollout: { generation: job.generation, observed_generation: job.observedGeneration },
    });
  }
}
