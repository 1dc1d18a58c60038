import { Inject, Injectable } from '@nestjs/common';
import { jobResourcesSchema, mergeResources } from '@bud/contracts';
import type { JobResources, JobResourcesPatch, PatchJobRequest } from '@bud/contracts';
import type { SecretBox } from '@bud/auth';
import { AppError } from '@bud/errors';
import { Logger } from '@bud/logging';
import { OutboxRelay, OutboxRepository } from '@bud/outbox';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import type { Tx } from '@bud/database';
import { canonicalJson } from '@bud/workloads';
import { inPlaceUpdateIssues, rolloutOverdue } from '../domain/in-place-update';
import { isTerminal } from '../domain/job-status-machine';
import { DriverRegistry } from '../drivers/driver-registry.service';
import type { ClusterEntity, JobEntity } from '../entities';
import { toJobModel } from '../entities/job-model.mapper';
import { ClusterRepository } from '../repositories/cluster.repository';
import { JobRepository } from '../repositories/job.repository';
import { formatMicros, usdMicros } from '../domain/budget';
import { BudgetService } from './budget.service';
import { estimatedCosts } from './job-cost';
import { JOB_EVENTS_TOPIC, PUBSUB_NAME, jobCloudEvent } from './job-events';
import { openSecretEnv, resealSecretEnv } from './secret-env';
import { VolumeService } from './volume.service';

/**
 * docs/design.md#in-place-update: a service job's spec/resources change as a new generation of the same job, applied
 * in place by its driver; one that does not become ready in time goes back to the last good generation.
 */
@Injectable()
export class JobUpdateService {
  private readonly logger = new Logger('job-update');

  constructor(
    private readonly jobs: JobRepository,
    private readonly clusters: ClusterRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly drivers: DriverRegistry,
    private readonly volumes: VolumeService,
    private readonly budgets: BudgetService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  /**
   * Writes the new generation (with any priority/policy/labels of the same patch) in one transaction with its outbox
   * event, then has the driver apply it. Equal to what the job runs: nothing changes (same version and generation).
   * Null when the spec and resources are unchanged, so the caller patches the other fields as usual.
   */
  async update(
    cluster: ClusterEntity,
    jobId: string,
    request: PatchJobRequest,
    othersOf: (current: JobEntity) => Partial<JobEntity>,
  ): Promise<JobEntity | null> {
    const written = await this.jobs.transaction(async (tx) => {
      const job = await this.jobs.lockById(tx, jobId);
      if (!job) throw AppError.notFound('job', jobId);
      if (request.version !== undefined && request.version !== job.version)
        throw AppError.conflict(`the job is at version ${job.version}, not ${request.version}`);
      const spec = request.spec ?? job.spec;
      const resources = request.resources ? mergedResources(job.resources, request.resources) : job.resources;
      // What can never change in place (a batch job's spec, a kind) is said first, whatever the job's status: the
      // answer must not depend on whether a short job has finished by the time the request arrives.
      const issues = inPlaceUpdateIssues(job, spec, resources);
      if (issues.length > 0) {
        const [first] = issues;
        throw AppError.validation(`the job cannot change in place: ${first?.path} ${first?.message}`, issues);
      }
      if (isTerminal(job.status)) throw AppError.conflict(`the job is ${job.status}; only an active job changes in place`);
      const stored = openSecretEnv(job.secretEnvSealed, this.secrets);
      const sealed = request.spec
        ? resealSecretEnv(request.spec, job.secretEnvSealed, this.secrets)
        : { spec: job.spec, sealed: job.secretEnvSealed, values: stored };
      const sameSecrets = canonicalJson(sealed.values) === canonicalJson(stored);
      const unchanged =
        sameSecrets && canonicalJson({ spec: sealed.spec, resources }) === canonicalJson({ spec: job.spec, resources: job.resources });
      if (unchanged) return null;
      const now = new Date(this.clock.now());
      const others = othersOf(job);
      const policy = others.policy ?? job.policy;
      const costs = estimatedCosts(resources, policy, cluster.priceTable);
      await this.admitAddedCost(tx, job, costs);
      const lastGood =
        job.observedGeneration >= job.generation
          ? {
              lastGoodGeneration: job.generation,
              lastGoodSpec: job.spec,
              lastGoodResources: job.resources,
              lastGoodSecretEnvSealed: job.secretEnvSealed,
            }
          : {};
      const next = await this.jobs.recordFields(
        tx,
        job.id,
        {
          ...others,
          ...lastGood,
          ...costs,
          spec: sealed.spec,
          resources,
          // Sealing again draws a new IV: equal values keep the stored text, so drivers see no change.
          secretEnvSealed: sameSecrets ? job.secretEnvSealed : sealed.sealed,
          generation: job.generation + 1,
          rolloutStartedAt: now,
          health: 'progressing',
          healthReason: 'RollingUpdate',
          healthMessage: `rolling out generation ${job.generation + 1}`,
        },
        now,
      );
      await this.outbox.add(tx, PUBSUB_NAME, JOB_EVENTS_TOPIC, jobCloudEvent(next, job.status, now, 'rollout'), now);
      return next;
    });
    if (!written) return null;
    this.relay.wake();
    await this.volumes.attach(written);
    this.reapply(cluster, written);
    return written;
  }

  /**
   * docs/design.md#budgets: a change that raises the job's $/hour (more replicas, GPUs, memory) is new spend; the
   * budgets covering the job judge what it adds (new − old $/hour), as they judge a new job. The old rate already
   * counts as running work while the job holds resources.
   */
  private async admitAddedCost(
    tx: Tx,
    job: JobEntity,
    costs: { estimatedCostPerHour: string; estimatedCost: string | null },
  ): Promise<void> {
    const added = usdMicros(costs.estimatedCostPerHour) - usdMicros(String(job.estimatedCostPerHour));
    if (added <= 0n) return;
    const addedBounded = costs.estimatedCost === null ? null : usdMicros(costs.estimatedCost) - usdMicros(String(job.estimatedCost ?? '0'));
    await this.budgets.admitJob(
      job.tenantId,
      job.projectId,
      { perHour: formatMicros(added), bounded: addedBounded === null ? null : formatMicros(addedBounded > 0n ? addedBounded : 0n) },
      async () => false,
      { tx, what: 'the change' },
    );
  }

  /**
   * The rollback watchdog's move (docs/design.md#in-place-update): the last good spec as a new generation; the status
   * stays, the status message, a history row and a `bud.job.rollout` event say what happened. False when the job
   * no longer needs it (rolled out meanwhile, or changed again).
   */
  async rollBack(jobId: string): Promise<boolean> {
    // Read before the transaction: an embedded database has one connection, which the transaction holds.
    const seen = await this.jobs.findById(jobId);
    const cluster = seen ? await this.clusters.findById(seen.clusterId) : null;
    if (!cluster) return false;
    const result = await this.jobs.transaction(async (tx) => {
      const job = await this.jobs.lockById(tx, jobId);
      const now = new Date(this.clock.now());
      if (!job || !rolloutOverdue(job, now.getTime())) return null;
      const timeout = job.policy.readiness_timeout_seconds ?? 600;
      if (job.lastGoodSpec === null || job.lastGoodResources === null || job.lastGoodGeneration === null) {
        // Nothing ever rolled out completely, so there is nothing to go back to: say so and stop watching.
        const next = await this.jobs.recordFields(
          tx,
          job.id,
          {
            rolloutStartedAt: null,
            health: 'unhealthy',
            healthReason: 'RolloutTimedOut',
            healthMessage: `generation ${job.generation} was not ready within ${timeout}s and no earlier generation was ready to roll back to`,
          },
          now,
        );
        await this.outbox.add(tx, PUBSUB_NAME, JOB_EVENTS_TOPIC, jobCloudEvent(next, job.status, now, 'health'), now);
        return null;
      }
      const message = `generation ${job.generation} was not ready within ${timeout}s; rolled back to the spec of generation ${job.lastGoodGeneration}`;
      const next = await this.jobs.recordStatus(
        tx,
        job,
        { status: job.status, reason: 'RolledBack', message, occurredAt: now },
        {
          ...estimatedCosts(job.lastGoodResources, job.policy, cluster.priceTable),
          spec: job.lastGoodSpec,
          resources: job.lastGoodResources,
          secretEnvSealed: job.lastGoodSecretEnvSealed,
          generation: job.generation + 1,
          // The last good spec is not watched again: rolling it back would change nothing.
          rolloutStartedAt: null,
          health: 'progressing',
          healthReason: 'RolledBack',
          healthMessage: message,
        },
      );
      await this.outbox.add(tx, PUBSUB_NAME, JOB_EVENTS_TOPIC, jobCloudEvent(next, job.status, now, 'rollout'), now);
      return { cluster, job: next };
    });
    if (!result) return false;
    this.logger.info('rolled back', { job_id: jobId, generation: result.job.generation });
    this.relay.wake();
    this.reapply(result.cluster, result.job);
    return true;
  }

  /** After commit: a driver that cannot apply leaves the rollout to the watchdog, it does not fail a running job. */
  private reapply(cluster: ClusterEntity, job: JobEntity): void {
    this.drivers
      .apply(cluster, toJobModel(job))
      .catch((error: unknown) =>
        this.logger.warn('in-place apply failed', { job_id: job.id, generation: job.generation, error: (error as Error).message }),
      );
  }
}

/** The job's resources with the patch merged over them (RFC 7386); a result that is not valid `resources` is a 422. */
function mergedResources(current: JobResources, patch: JobResourcesPatch): JobResources {
  const merged = jobResourcesSchema.safeParse(mergeResources(current, patch));
  if (merged.success) return merged.data;
  const details = merged.error.issues.map((issue) => ({ path: ['resources', ...issue.path].join('.'), message: issue.message }));
  throw AppError.validation(`the job cannot change in place: ${details[0]?.path} ${details[0]?.message}`, details);
}
