import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal, SecretBox } from '@bud/auth';
import { defaultClusterIsolation, priorityValues } from '@bud/contracts';
import type { CreateJobRequest, JobResponse, JobSpec, PatchJobRequest } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { checkHelmSpec, checkImageHost } from '@bud/workloads';
import { fileMountClashes } from '../domain/manifests/file-clashes';
import type { ClaimOwner } from '../domain/manifests/volumes';
import { namespaceRefusal, tenantNamespace } from '../domain/namespace-rules';
import { isTerminal } from '../domain/job-status-machine';
import { DriverRegistry } from '../drivers/driver-registry.service';
import type { ClusterEntity, JobEntity } from '../entities';
import { JobRepository } from '../repositories/job.repository';
import type { InsertedJob } from '../repositories/job.repository';
import { ClusterService } from './cluster.service';
import { requireJobAccess, requireSourceCreator } from './job-access';
import { JOB_EVENTS_TOPIC, PUBSUB_NAME, jobCloudEvent } from './job-events';
import { JobLifecycleService } from './job-lifecycle.service';
import { toJobModel } from '../entities/job-model.mapper';
import { toJobResponse } from './job.mapper';
import { OutboxRelay } from '@bud/outbox';
import { sealSecretEnv } from './secret-env';
import { newJobEntity } from './new-job';
import { estimatedCosts } from './job-cost';
import { JobUpdateService } from './job-update.service';
import { VolumeService } from './volume.service';
import { ObjectNameConflicts } from './object-name-conflicts.service';
import { NamespaceService } from './namespace.service';
import { BudgetService } from './budget.service';
import { CLOCK, SECRET_BOX } from '@bud/ports';

const PATCH_RETRIES = 5;

@Injectable()
export class JobService {
  private readonly logger = new Logger('job-service');

  constructor(
    private readonly jobs: JobRepository,
    private readonly clusters: ClusterService,
    private readonly lifecycle: JobLifecycleService,
    private readonly drivers: DriverRegistry,
    private readonly relay: OutboxRelay,
    private readonly updates: JobUpdateService,
    private readonly volumes: VolumeService,
    private readonly nameConflicts: ObjectNameConflicts,
    private readonly namespaces: NamespaceService,
    private readonly budgets: BudgetService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async create(principal: Principal, clusterId: string, request: CreateJobRequest): Promise<{ job: JobResponse; created: boolean }> {
    requireSourceCreator(principal, request.source_type);
    requireJobAccess(principal, request.source_type, 'manage');
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    // The cluster's own error text is for whoever runs the cluster (GET /clusters shows it to them), not for every tenant.
    if (cluster.status === 'unreachable')
      throw new AppError('upstream_unavailable', `cluster '${cluster.name}' is unreachable; retry when it answers again`);
    this.checkSafety(request.spec, {
      id: '',
      name: request.name,
      jobType: request.job_type,
      spec: request.spec,
      resources: request.resources,
    });
    const namespace = request.k8s_namespace ?? tenantNamespace(principal.tenantId);
    const ingress = (cluster.isolation ?? defaultClusterIsolation).ingress_namespaces;
    const refusal = namespaceRefusal(namespace, principal.tenantId, ingress);
    if (refusal) throw AppError.validation(`k8s_namespace ${refusal}`, [{ path: 'k8s_namespace', message: refusal }]);
    const costs = estimatedCosts(request.resources, request.policy, cluster.priceTable);
    const id = randomUUID();
    const { spec, sealed } = sealSecretEnv(request.spec, this.secrets);
    const entity = newJobEntity({ id, principal, cluster, request, namespace, costs, spec, sealed, now: new Date(this.clock.now()) });
    const event = jobCloudEvent(entity, null, entity.createdAt);
    // docs/design.md#job-creation: one round trip when the database has nothing to refuse (the namespace is the
    // tenant's already, no budget that refuses new work covers the job, no caller-named object can clash).
    const { job, created } =
      (this.nameConflicts.mayClash(request) ? null : await this.jobs.insertIfSettled(entity, event, PUBSUB_NAME, JOB_EVENTS_TOPIC)) ??
      (await this.checkedInsert(principal, cluster, request, entity, event));
    if (created) {
      this.relay.wake();
      // A lost volume row must not keep the job from its placement; the next apply or start records it again.
      await this.volumes
        .attach(job)
        .catch((error: unknown) => this.logger.warn('could not record volumes', { job_id: job.id, error: (error as Error).message }));
      this.place(cluster, job);
    }
    return { job: toJobResponse(job), created };
  }

  async get(principal: Principal, clusterId: string, jobId: string): Promise<JobResponse> {
    const job = await this.visibleJob(principal, clusterId, jobId, 'view');
    return toJobResponse(job, await this.jobs.eventsOf(job.id));
  }

  async patch(principal: Principal, clusterId: string, jobId: string, request: PatchJobRequest): Promise<JobResponse> {
    let job = await this.visibleJob(principal, clusterId, jobId, 'manage');
    if (request.spec !== undefined || request.resources !== undefined) {
      const cluster = await this.clusters.visibleCluster(principal, clusterId);
      if (request.spec) this.checkSafety(request.spec, { ...job, spec: request.spec });
      const updated = await this.updates.update(cluster, job.id, request, (current) => otherPatchFields(current, request));
      if (updated) return toJobResponse(updated);
      const anyOther = request.priority_class !== undefined || request.policy !== undefined || request.labels !== undefined;
      if (!anyOther) return toJobResponse((await this.jobs.findById(job.id)) ?? job);
      job = (await this.jobs.findById(job.id)) ?? job;
    }
    for (let attempt = 0; attempt < PATCH_RETRIES; attempt++) {
      if (request.version !== undefined && request.version !== job.version) {
        throw AppError.conflict(`the job is at version ${job.version}, not ${request.version}`);
      }
      const updated = await this.jobs.patch(job.id, job.version, otherPatchFields(job, request), new Date(this.clock.now()));
      if (updated) {
        if (updated.priorityClass !== job.priorityClass) await this.requeue(principal, updated);
        return toJobResponse(updated);
      }
      job = await this.visibleJob(principal, clusterId, jobId, 'manage');
    }
    throw AppError.conflict('the job kept changing; retry the patch');
  }

  /**
   * DELETE: an active job is cancelled and its objects removed (its volumes stay, detached); a terminal job's row is
   * deleted, and its volumes with it unless `keepData` leaves them retained (docs/design.md#volumes).
   */
  async cancel(principal: Principal, clusterId: string, jobId: string, keepData = false): Promise<{ job: JobResponse | null }> {
    const job = await this.visibleJob(principal, clusterId, jobId, 'manage');
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    if (isTerminal(job.status)) {
      await this.jobs.delete(job.id);
      await this.volumes.jobDeleted(cluster, job, keepData);
      return { job: null };
    }
    const cancelled = await this.lifecycle.transition(job.id, {
      to: 'cancelled',
      reason: 'Cancelled',
      message: `cancelled by ${principal.userId}`,
    });
    this.drivers
      .remove(cluster, toJobModel(cancelled))
      .catch((error: unknown) => this.logger.warn('cleanup failed', { job_id: job.id, error: (error as Error).message }));
    return { job: toJobResponse(cancelled) };
  }

  async retry(principal: Principal, clusterId: string, jobId: string): Promise<JobResponse> {
    const job = await this.visibleJob(principal, clusterId, jobId, 'manage');
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    if (job.status !== 'failed' && job.status !== 'preempted')
      throw new AppError('invalid_transition', `only failed or preempted jobs can be retried; this one is '${job.status}'`);
    // A retry runs the job again: new spend, judged by the budgets as a new job is.
    await this.budgets.admitJob(
      job.tenantId,
      job.projectId,
      { perHour: String(job.estimatedCostPerHour), bounded: job.estimatedCost === null ? null : String(job.estimatedCost) },
      async () => false,
      { what: 'the retry' },
    );
    const retried = await this.lifecycle.transition(job.id, {
      to: 'pending',
      reason: 'RetryRequested',
      message: `retry ${job.retryCount + 1} of ${job.policy.max_retries}`,
    });
    await this.volumes.attach(retried);
    this.place(cluster, retried);
    return toJobResponse(retried);
  }

  async visibleJob(principal: Principal, clusterId: string, jobId: string, action: 'view' | 'manage'): Promise<JobEntity> {
    const job = await this.jobs.findById(jobId);
    if (!job || job.tenantId !== principal.tenantId || job.clusterId !== clusterId) throw AppError.notFound('job', jobId);
    requireJobAccess(principal, job.sourceType, action);
    return job;
  }

  /**
   * The create path when the database must be asked first. Everything that can refuse the request on its own comes
   * before the claim, which holds a namespace for good.
   */
  private async checkedInsert(
    principal: Principal,
    cluster: ClusterEntity,
    request: CreateJobRequest,
    entity: JobEntity,
    event: object,
  ): Promise<InsertedJob> {
    // docs/design.md#budgets: a block_new budget refuses every new job that does not fit, a deployment's restart too;
    // a repeated create of a job that exists (its idempotency key) answers that job, as before.
    const key = request.idempotency_key;
    await this.budgets.admitJob(
      principal.tenantId,
      entity.projectId,
      { perHour: entity.estimatedCostPerHour, bounded: entity.estimatedCost },
      async () => key !== undefined && (await this.jobs.findByIdempotencyKey(principal.tenantId, key)) !== null,
    );
    await this.namespaces.claim(cluster, { name: entity.k8sNamespace, tenantId: principal.tenantId, projectId: entity.projectId });
    await this.nameConflicts.check(cluster.id, entity.k8sNamespace, principal.tenantId, request);
    return this.jobs.insert(entity, event, PUBSUB_NAME, JOB_EVENTS_TOPIC);
  }

  /** Unsafe charts and image hosts, and files that would hide one of the job's volumes: 422 naming the field. */
  private checkSafety(spec: JobSpec, owner: ClaimOwner): void {
    const details = [
      ...(spec.kind === 'helm' ? checkHelmSpec(spec) : spec.kind === 'container' ? checkImageHost(spec.image, 'spec.image') : []),
      ...fileMountClashes(owner),
    ];
    if (details.length > 0) throw AppError.validation(`the job spec is unsafe: ${details[0]?.path} ${details[0]?.message}`, details);
  }

  /**
   * A placed job's new priority class moves it in its queue now, not at the next resync (docs/design.md#quotas): the
   * driver applies it again (Kueue re-reads the priority label; the simulated queue re-sorts). A pending job is
   * placed with it anyway.
   */
  private async requeue(principal: Principal, job: JobEntity): Promise<void> {
    if (job.status === 'pending' || isTerminal(job.status)) return;
    const cluster = await this.clusters.visibleCluster(principal, job.clusterId);
    this.drivers
      .apply(cluster, toJobModel(job))
      .catch((error: unknown) =>
        this.logger.warn('priority change not applied; the resync applies it', { job_id: job.id, error: (error as Error).message }),
      );
  }

  /** Asynchronous placement; a driver that refuses the job fails it with the reason, so nothing hangs in pending. */
  private place(cluster: ClusterEntity, job: JobEntity): void {
    this.drivers.apply(cluster, toJobModel(job)).catch(async (error: unknown) => {
      this.logger.warn('placement failed', { job_id: job.id, cluster_id: cluster.id, error: (error as Error).message });
      await this.lifecycle
        .observe({ jobId: job.id, status: 'failed', reason: 'ApplyFailed', message: (error as Error).message })
        .catch((inner: unknown) =>
          this.logger.error('could not record placement failure', { job_id: job.id, error: (inner as Error).message }),
        );
    });
  }
}

/** The priority, policy and labels a patch asks for, over the job's current ones. */
function otherPatchFields(job: JobEntity, request: PatchJobRequest): Pick<JobEntity, 'priorityClass' | 'priority' | 'policy' | 'labels'> {
  const priorityClass = request.priority_class ?? job.priorityClass;
  return {
    priorityClass,
    priority: priorityValues[priorityClass],
    policy: { ...job.policy, ...request.policy },
    labels: request.labels ?? job.labels,
  };
}
