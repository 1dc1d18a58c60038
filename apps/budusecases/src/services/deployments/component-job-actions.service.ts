import { Inject, Injectable } from '@nestjs/common';
import type { Tx } from '@bud/database';
import { activeJobStatuses } from '@bud/contracts';
import type { JobResponse } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import type { Action } from '../../domain/deployment/deployment-state';
import { componentStatusFromJob } from '../../domain/deployment/deployment-state';
import { jobHash } from '../../domain/deployment/job-hash';
import type { JobEventView } from '../../domain/deployment/job-event-fold';
import { foldJobEvent, jobBelongs, jobSourceId, parseJobSourceId } from '../../domain/deployment/job-event-fold';
import { componentOutputs } from '../../domain/deployment/component-outputs';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { BudclusterClient } from './budcluster.client';
import { CrashPoints } from '../crash-points';
import { DesiredJobs } from './desired-jobs.service';
import { DeploymentWriter } from './deployment-writer.service';
import type { ServiceTokenSigner } from '../tokens';
import { SERVICE_TOKEN_SIGNER } from '../tokens';
import { blankJob } from '../../domain/deployment/blank-job';

/**
 * The reconciler's per-component steps: each asks budcluster for one thing about a component's job and records the
 * answer, guarded so a write planned from a stale read is skipped. Every step is idempotent, so a crash anywhere
 * resumes where it stopped.
 */
@Injectable()
export class ComponentJobActions {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly budcluster: BudclusterClient,
    private readonly writer: DeploymentWriter,
    private readonly desiredJobs: DesiredJobs,
    @Inject(SERVICE_TOKEN_SIGNER) private readonly signToken: ServiceTokenSigner,
    private readonly crash: CrashPoints,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Takes one step the plan asked for; the next round plans again from what it left. */
  async perform(
    deployment: DeploymentRecord,
    components: DeploymentComponentRecord[],
    action: Action,
    token: string | undefined,
  ): Promise<void> {
    if (action.kind === 'delete_record') {
      // Earlier runs left finished jobs behind; the record goes only once budcluster holds none.
      const leftovers = await this.budcluster.jobsOfDeployment(token, deployment.clusterId, deployment.id);
      for (const job of leftovers) await this.budcluster.cancelOrDeleteJob(token, deployment.clusterId, job.id, deployment.keepData);
      if (leftovers.length > 0) return;
      this.crash.reached('delete-record.before');
      await this.whilePlanned(deployment, async (m) => {
        await this.writer.action(m, deployment, 'deployment deleted');
        await this.deployments.delete(m, deployment.id);
      });
      this.writer.committed(deployment.id);
      return;
    }
    const component = components.find((c) => c.id === action.componentId);
    if (!component) return;
    switch (action.kind) {
      case 'create_job':
        return this.createJob(deployment, components, component, token);
      case 'update_job':
        return this.updateJob(deployment, components, component, token);
      case 'remove_component':
        return this.removeComponent(deployment, component, token);
      case 'cancel_job': {
        // budcluster's DELETE also deletes a finished job, so look first: after a crash the cancel may already be done.
        const seen = await this.budcluster.getJob(token, deployment.clusterId, component.jobId!);
        const job =
          seen && activeJobStatuses.includes(seen.status)
            ? ((await this.budcluster.cancelJob(token, deployment.clusterId, seen.id)) ?? seen)
            : seen;
        this.crash.reached('cancel.after-request');
        if (job) await this.recordJob(deployment, component, job, 'job cancelled');
        else await this.recordJobGone(deployment, component);
        break;
      }
      case 'delete_job': {
        const result = await this.budcluster.cancelOrDeleteJob(token, deployment.clusterId, component.jobId!, deployment.keepData);
        this.crash.reached('delete-job.after-request');
        if (result !== 'cancelled')
          await this.whilePlanned(deployment, (m) =>
            this.writer.setComponentStatus(m, deployment, component, { status: 'deleting', jobId: null }, 'job deleted'),
          );
        break;
      }
      case 'mark_stopped':
        await this.whilePlanned(deployment, (m) =>
          this.writer.setComponentStatus(
            m,
            deployment,
            component,
            { status: deployment.desiredState === 'deleted' ? 'deleting' : 'stopped' },
            'never started',
          ),
        );
        break;
      default: {
        const unreachable: never = action;
        throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
      }
    }
    this.writer.committed(deployment.id);
  }

  /**
   * Runs a write made from `planned` only if start/stop/delete has not moved the deployment on since;
   * otherwise the next round plans again from fresh state. False when skipped.
   */
  whilePlanned(planned: DeploymentRecord, write: (manager: Tx) => Promise<unknown>): Promise<boolean> {
    return this.deployments.transaction(async (m) => {
      if (!(await this.deployments.stillPlannedAs(m, planned))) return false;
      await write(m);
      return true;
    });
  }

  /**
   * Records what budcluster answered about a component's job, as its event would have (by version, so
   * never a step back). A job that is not the component's (another run, an older revision) is a stray.
   */
  private async recordJob(
    planned: DeploymentRecord,
    component: DeploymentComponentRecord,
    job: JobResponse,
    message: string,
    recorded: Partial<DeploymentComponentRecord> = {},
  ): Promise<'recorded' | 'stray'> {
    const view = jobView(job, planned.run, component.revision);
    const outcome = await this.deployments.transaction(async (m) => {
      // Component first, as start and the event consumer lock it: once held, the run read next cannot move under us.
      const current = await this.deployments.lockComponent(m, planned.id, component.id);
      const now = current && (await this.deployments.findById(planned.id, m));
      if (!current || !now || !jobBelongs(current, view, now)) return 'stray' as const;
      const next = foldJobEvent({ ...current, ...recorded }, view, {
        run: now.run,
        desired: now.desiredState,
        now: new Date(this.clock.now()),
      });
      // An answer older than what events already folded records what we sent, but neither its stale outputs nor a status:
      // those events (the rollout's own among them) have said more since.
      const folded = next && { ...next, jobOutputs: job.outputs, outputs: componentOutputs(current, job.outputs) };
      const sent = Object.fromEntries(Object.entries(recorded).filter(([key]) => key !== 'status'));
      if (folded || Object.keys(sent).length > 0)
        await this.writer.setComponentStatus(
          m,
          now,
          current,
          { status: current.status, ...(folded ? recorded : sent), ...folded },
          message,
        );
      return 'recorded' as const;
    });
    this.writer.committed(planned.id);
    return outcome;
  }

  /** budcluster no longer holds the component's job (deleted by hand, or a repeat DELETE): nothing runs. */
  private async recordJobGone(planned: DeploymentRecord, component: DeploymentComponentRecord): Promise<void> {
    await this.deployments.transaction(async (m) => {
      const current = await this.deployments.lockComponent(m, planned.id, component.id);
      const now = current && (await this.deployments.findById(planned.id, m));
      if (!current || !now || now.run !== planned.run || current.jobId !== component.jobId) return;
      await this.writer.setComponentStatus(
        m,
        now,
        current,
        { status: componentStatusFromJob('cancelled', now.desiredState, current.status), jobStatus: 'cancelled' },
        'job gone',
      );
    });
    this.writer.committed(planned.id);
  }

  /**
   * Jobs of this deployment that no component records (a create whose record lost to a start or an
   * update, a previous run's jobs a start left behind) would run for good: cancel them. A stopped
   * deployment holds no live job at all.
   */
  async cancelStrays(deployment: DeploymentRecord, components: DeploymentComponentRecord[]): Promise<void> {
    const token = this.signToken ? await this.signToken(deployment.tenantId) : undefined;
    const recorded = new Set(deployment.desiredState === 'stopped' ? [] : components.map((c) => c.jobId));
    const jobs = await this.budcluster.jobsOfDeployment(token, deployment.clusterId, deployment.id);
    for (const job of jobs) {
      if (activeJobStatuses.includes(job.status) && !recorded.has(job.id))
        await this.budcluster.cancelJob(token, deployment.clusterId, job.id);
    }
  }

  /** Creates the component's job with its dependencies' outputs filled in; the idempotency key makes a repeat harmless. */
  private async createJob(
    deployment: DeploymentRecord,
    all: DeploymentComponentRecord[],
    component: DeploymentComponentRecord,
    token: string | undefined,
  ): Promise<void> {
    const body = this.desiredJobs.desiredJob(deployment, all, component);
    if (!body.ok) {
      await this.whilePlanned(deployment, (m) =>
        this.writer.setComponentStatus(
          m,
          deployment,
          component,
          { status: 'failed' },
          `cannot render the job: ${body.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
        ),
      );
      this.writer.committed(deployment.id);
      return;
    }
    const suffix = deployment.run > 1 ? `-run${deployment.run}` : '';
    this.crash.reached('create.before-request');
    const request = {
      ...body.value,
      source_id: jobSourceId(component.id, deployment.run, component.revision),
      idempotency_key: `usecase-${deployment.id}-${component.id}${suffix}${component.revision > 0 ? `-rev${component.revision}` : ''}`,
    };
    let job: JobResponse;
    try {
      job = await this.budcluster.createJob(token, deployment.clusterId, request);
    } catch (error) {
      // docs/design.md#object-names: budcluster refuses a second live holder of a claim or helm release name. A job an
      // earlier run of this component left running (a failed deployment started again) holds them: end it, then create.
      if (!(error instanceof AppError) || error.code !== 'conflict') throw error;
      if (!(await this.cancelEarlierJobs(deployment, component, request.source_id, token))) throw error;
      job = await this.budcluster.createJob(token, deployment.clusterId, request);
    }
    this.crash.reached('create.after-request');
    const applied = {
      appliedJobHash: jobHash(body.value, this.desiredJobs.hashKey(deployment)),
      generation: job.rollout?.generation ?? 1,
      replicas: body.value.resources.replicas,
    };
    // Recorded even if a stop came meanwhile: the plan then cancels it. Only a job another run or revision owns is cancelled here.
    if (
      (await this.recordJob(deployment, component, job, `job ${job.id} created`, applied)) === 'stray' &&
      activeJobStatuses.includes(job.status)
    ) {
      await this.budcluster.cancelJob(token, deployment.clusterId, job.id);
    }
    this.crash.reached('create.after-record');
    this.writer.committed(deployment.id);
  }

  /** Cancels the component's live jobs of other runs or revisions; false when it has none. */
  private async cancelEarlierJobs(
    deployment: DeploymentRecord,
    component: DeploymentComponentRecord,
    sourceId: string,
    token: string | undefined,
  ): Promise<boolean> {
    const earlier = (await this.budcluster.jobsOfDeployment(token, deployment.clusterId, deployment.id)).filter(
      (job) =>
        activeJobStatuses.includes(job.status) &&
        job.source_id !== sourceId &&
        parseJobSourceId(job.source_id)?.componentId === component.id,
    );
    for (const job of earlier) await this.budcluster.cancelJob(token, deployment.clusterId, job.id);
    return earlier.length > 0;
  }

  /**
   * docs/design.md#in-place-update: the job's new {spec, resources} patched in place; the component is `updating`
   * until a job event shows the cluster rolled the asked generation out. A change budcluster refuses (422) is
   * recorded as applied with the reason, so it is not asked again until the component's job changes once more.
   */
  private async updateJob(
    deployment: DeploymentRecord,
    all: DeploymentComponentRecord[],
    component: DeploymentComponentRecord,
    token: string | undefined,
  ): Promise<void> {
    const body = this.desiredJobs.desiredJob(deployment, all, component);
    if (!body.ok) return;
    const hash = jobHash(body.value, this.desiredJobs.hashKey(deployment));
    let job: JobResponse | null;
    try {
      job = await this.budcluster.patchJob(token, deployment.clusterId, component.jobId!, {
        spec: body.value.spec,
        resources: body.value.resources,
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      await this.whilePlanned(deployment, async (m) => {
        const current = await this.deployments.lockComponent(m, deployment.id, component.id);
        if (current?.jobId !== component.jobId) return;
        await this.writer.setComponentStatus(
          m,
          deployment,
          current,
          { status: current.status, appliedJobHash: hash },
          `update refused: ${error.message}`,
        );
      });
      this.writer.committed(deployment.id);
      return;
    }
    if (!job) return this.recordJobGone(deployment, component);
    const generation = job.rollout.generation;
    const rollingOut = job.rollout.observed_generation < generation;
    await this.recordJob(
      deployment,
      component,
      job,
      rollingOut ? `rolling out generation ${generation} in place` : (component.message ?? 'job unchanged'),
      {
        appliedJobHash: hash,
        generation,
        replicas: body.value.resources.replicas,
        ...(rollingOut && component.status === 'running' ? { status: 'updating' as const } : {}),
      },
    );
  }

  /** A component an update dropped: its (finished) job and its volumes go, then it is skipped. */
  private async removeComponent(
    deployment: DeploymentRecord,
    component: DeploymentComponentRecord,
    token: string | undefined,
  ): Promise<void> {
    if (component.jobId && (await this.budcluster.cancelOrDeleteJob(token, deployment.clusterId, component.jobId)) === 'cancelled') return;
    await this.whilePlanned(deployment, async (m) => {
      const current = await this.deployments.lockComponent(m, deployment.id, component.id);
      if (!current?.removed || current.jobId !== component.jobId) return;
      await this.writer.setComponentStatus(m, deployment, current, { status: 'skipped', ...blankJob() }, 'removed by update');
    });
  }
}

/** What the fold reads of budcluster's answer about a job. */
function jobView(job: JobResponse, run: number, revision: number): JobEventView {
  return {
    jobId: job.id,
    version: job.version,
    status: job.status,
    run,
    revision,
    ...(job.health ? { health: job.health, healthReason: job.health_reason, healthMessage: job.health_message } : {}),
    ...(job.rollout ? { rollout: job.rollout } : {}),
  };
}
