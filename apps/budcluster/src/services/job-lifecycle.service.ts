import { Inject, Injectable } from '@nestjs/common';
import type { JobOutputs, JobStatus } from '@bud/contracts';
import type { Tx } from '@bud/database';
import { AppError } from '@bud/errors';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import type { ObservedStatus } from '../domain/job-model';
import { healthAfter } from '../domain/job-health';
import { queueFieldsAfter } from '../domain/queue-fields';
import { assertTransition, isTerminal } from '../domain/job-status-machine';
import type { JobEntity } from '../entities';
import { JobRepository } from '../repositories/job.repository';
import { VolumeRepository } from '../repositories/volume.repository';
import { OutboxRepository } from '@bud/outbox';
import { JOB_EVENTS_TOPIC, PUBSUB_NAME, jobCloudEvent } from './job-events';
import { OutboxRelay } from '@bud/outbox';
import { CLOCK } from '@bud/ports';

export interface TransitionRequest {
  to: JobStatus;
  reason: string;
  message?: string | null;
  outputs?: JobOutputs;
}

/** Every status change of a job goes through here: machine check, history row and outbox row in one transaction. */
@Injectable()
export class JobLifecycleService {
  private readonly logger = new Logger('job-lifecycle');

  constructor(
    private readonly jobs: JobRepository,
    private readonly volumes: VolumeRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A move asked for through the API: an illegal one is a 409. */
  async transition(jobId: string, request: TransitionRequest): Promise<JobEntity> {
    const job = await this.jobs.transaction(async (tx) => {
      const current = await this.jobs.lockById(tx, jobId);
      if (!current) throw AppError.notFound('job', jobId);
      this.check(current, request.to);
      return this.write(tx, current, request);
    });
    this.relay.wake();
    return job;
  }

  /**
   * A state a driver observed: repeated or stale observations change nothing; illegal status moves are logged.
   * Health and rollout changes are recorded too (docs/design.md#job-health): one version and one event per change.
   * Queue position, flavor and workload name are recorded as reported, also without a status move
   * (docs/design.md#quotas): one version, no event (a position moves whenever the queue ahead does).
   */
  async observe(observed: ObservedStatus): Promise<void> {
    const changed = await this.jobs.transaction(async (tx) => {
      const current = await this.jobs.lockById(tx, observed.jobId);
      if (!current) return false;
      if (current.status !== observed.status) {
        if (this.allowed(current, observed.status)) {
          const request = { to: observed.status, reason: observed.reason, message: observed.message, outputs: observed.outputs };
          await this.write(tx, current, request, observed);
          return true;
        }
        this.logger.debug('ignored observed status', { job_id: current.id, from: current.status, to: observed.status });
      }
      const change = healthAfter(current, observed, false);
      const queue = queueFieldsAfter(current, observed, current.status, false);
      if (!change && !queue) return false;
      const now = new Date(this.clock.now());
      const next = await this.jobs.recordFields(tx, current.id, { ...change?.fields, ...queue }, now);
      if (!change) return false;
      await this.outbox.add(tx, PUBSUB_NAME, JOB_EVENTS_TOPIC, jobCloudEvent(next, current.status, now, change.kind), now);
      return true;
    });
    if (changed) this.relay.wake();
  }

  private allowed(job: JobEntity, to: JobStatus): boolean {
    try {
      this.check(job, to);
      return true;
    } catch (error) {
      if (error instanceof AppError) return false;
      throw error;
    }
  }

  private check(job: JobEntity, to: JobStatus): void {
    if (to === 'succeeded' && job.jobType === 'service')
      throw new AppError('invalid_transition', 'service jobs run until cancelled; they never succeed');
    assertTransition(job.status, to, { retryCount: job.retryCount, maxRetries: job.policy.max_retries });
  }

  private async write(tx: Tx, job: JobEntity, request: TransitionRequest, observed?: ObservedStatus): Promise<JobEntity> {
    const now = new Date(this.clock.now());
    const health = healthAfter(job, observed ?? { jobId: job.id, status: request.to, reason: request.reason }, true);
    const fields: Partial<JobEntity> = { ...health?.fields, ...queueFieldsAfter(job, observed ?? {}, request.to, true) };
    if (request.outputs) fields.outputs = request.outputs;
    if (request.to === 'queued') fields.queuedAt = now;
    if (request.to === 'running' && !job.startedAt) fields.startedAt = now;
    if (request.to === 'pending')
      // actual_cost stays: it is the running sum of the job's ledger across its runs (docs/design.md#metering).
      Object.assign(fields, { retryCount: job.retryCount + 1, startedAt: null, completedAt: null, queuedAt: null });
    if (isTerminal(request.to)) {
      // docs/design.md#volumes: stop (cancel) and the end of a job remove workloads only; the claims stay, detached.
      await this.volumes.detachJob(tx, job.id, now);
      fields.completedAt = now;
    }
    const next = await this.jobs.recordStatus(
      tx,
      job,
      { status: request.to, reason: request.reason, message: request.message ?? null, occurredAt: now },
      fields,
    );
    await this.outbox.add(tx, PUBSUB_NAME, JOB_EVENTS_TOPIC, jobCloudEvent(next, job.status, now), now);
    return next;
  }
}
