import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { Tx } from '@bud/database';
import { activeJobStatuses } from '@bud/contracts';
import type { CreateJobRequest, JobResponse } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { SecretBox } from '@bud/auth';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import type { Action } from '../../domain/deployment/deployment-state';
import type { DeploymentState } from '../../domain/deployment/deployment-state';
import {
  aggregateStatus,
  componentStatusFromJob,
  deploymentStatusMessage,
  nextHealthDeadline,
  planActions,
} from '../../domain/deployment/deployment-state';
import { jobHash } from '../../domain/deployment/job-hash';
import type { JobEventView } from '../../domain/deployment/job-event-fold';
import { foldJobEvent, jobBelongs, jobSourceId } from '../../domain/deployment/job-event-fold';
import { completeJob } from '../../domain/resolver';
import type { Result } from '../../domain/resolver';
import { componentOutputs } from '../../domain/deployment/component-outputs';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { BudclusterClient } from './budcluster.client';
import { deploymentState } from '../../domain/deployment/deployment-snapshot';
import { CrashPoints } from '../crash-points';
import { openSecrets } from './deployment-secrets';
import { DeploymentWriter } from './deployment-writer.service';
import type { ReconcilerSettings, ServiceTokenSigner } from '../tokens';
import { RECONCILER_SETTINGS, SERVICE_TOKEN_SIGNER } from '../tokens';

const MAX_CONCURRENT = 8;
const MAX_ROUNDS = 20;

/**
 * Level-triggered: reads what a deployment wants and has, and acts until they agree. Woken by job
 * events and actions, and by a periodic tick; a lease keeps replicas from acting on one deployment
 * at once. Every step is idempotent, so a crash anywhere resumes where it stopped.
 */
@Injectable()
export class Reconciler implements BeforeApplicationShutdown {
  private readonly logger = new Logger('reconciler');
  private readonly queued = new Set<string>();
  private readonly again = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer?: unknown;
  private running = false;
  /** Wakes at the end of a component's unhealthy grace period, one per deployment (the earliest). */
  private readonly healthWakes = new Map<string, { at: number; timer: unknown }>();

  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly budcluster: BudclusterClient,
    private readonly writer: DeploymentWriter,
    @Inject(RECONCILER_SETTINGS) private readonly settings: ReconcilerSettings,
    @Inject(SERVICE_TOKEN_SIGNER) private readonly signToken: ServiceTokenSigner,
    private readonly crash: CrashPoints,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  start(): void {
    this.running = true;
    const tick = () => {
      this.deployments.unsettled(500).then(
        (ids) => ids.forEach((id) => this.wake(id)),
        (error: unknown) => this.logger.warn('tick failed', { error: (error as Error).message }),
      );
      if (this.running) this.timer = this.clock.setTimeout(tick, this.settings.tickMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    for (const wake of this.healthWakes.values()) this.clock.clearTimeout(wake.timer);
    this.healthWakes.clear();
    this.queued.clear();
    await Promise.allSettled(this.inFlight.values());
  }

  /** Nest closes the app on a signal too: stop before the DataSource is destroyed (TypeOrmModule's shutdown hook). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  wake(deploymentId: string): void {
    if (!this.running) return;
    if (this.inFlight.has(deploymentId)) {
      this.again.add(deploymentId);
      return;
    }
    this.queued.add(deploymentId);
    this.pump();
  }

  private pump(): void {
    for (const id of this.queued) {
      if (this.inFlight.size >= MAX_CONCURRENT) return;
      this.queued.delete(id);
      const work = this.reconcile(id)
        .catch((error: unknown) => this.logger.warn('reconcile failed; will retry', { deployment_id: id, error: (error as Error).message }))
        .finally(() => {
          this.inFlight.delete(id);
          if (this.again.delete(id) && this.running) this.queued.add(id);
          this.pump();
        });
      this.inFlight.set(id, work);
    }
  }

  async reconcile(id: string): Promise<void> {
    if (!(await this.deployments.acquireLease(id, this.settings.instanceId, this.settings.leaseMs))) return;
    this.crash.reached('reconcile.lease-acquired');
    try {
      let settledNow = false;
      for (let round = 0; round < MAX_ROUNDS && this.running; round++) {
        const snapshot = await this.deployments.snapshot(id);
        if (!snapshot) return;
        const { deployment, components } = snapshot;
        const state = this.stateOf(deployment, components);
        const status = aggregateStatus(state);
        const message = deploymentStatusMessage(state, status);
        if (status !== deployment.status || (status === 'degraded' && message !== deployment.statusMessage)) {
          if (!(await this.whilePlanned(deployment, (m) => this.writer.setDeploymentStatus(m, deployment, status, message)))) continue;
          this.crash.reached('reconcile.status-written');
          this.writer.committed(id);
          settledNow = status === 'running' || status === 'failed';
        }
        this.wakeAtHealthDeadline(id, nextHealthDeadline(state));
        const actions = planActions(state);
        if (actions.length === 0) {
          if (deployment.desiredState === 'stopped' || settledNow) await this.cancelStrays(deployment, components);
          return;
        }
        const token = this.signToken ? await this.signToken(deployment.tenantId) : undefined;
        await Promise.all(actions.map((action) => this.perform(deployment, components, action, token)));
      }
    } finally {
      await this.deployments.releaseLease(id, this.settings.instanceId);
    }
  }

  private async perform(
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
  private whilePlanned(planned: DeploymentRecord, write: (manager: Tx) => Promise<unknown>): Promise<boolean> {
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
  private async cancelStrays(deployment: DeploymentRecord, components: DeploymentComponentRecord[]): Promise<void> {
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
    const body = this.desiredJob(deployment, all, component);
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
    const job = await this.budcluster.createJob(token, deployment.clusterId, {
      ...body.value,
      source_id: jobSourceId(component.id, deployment.run, component.revision),
      idempotency_key: `usecase-${deployment.id}-${component.id}${suffix}${component.revision > 0 ? `-rev${component.revision}` : ''}`,
    });
    this.crash.reached('create.after-request');
    const applied = {
      appliedJobHash: jobHash(body.value, this.hashKey(deployment)),
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
    const body = this.desiredJob(deployment, all, component);
    if (!body.ok) return;
    const hash = jobHash(body.value, this.hashKey(deployment));
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
      await this.writer.setComponentStatus(
        m,
        deployment,
        current,
        {
          status: 'skipped',
          jobId: null,
          jobStatus: null,
          jobVersion: 0,
          jobOutputs: {},
          outputs: {},
          health: null,
          healthMessage: null,
          unhealthySince: null,
          generation: null,
          appliedJobHash: null,
        },
        'removed by update',
      );
    });
  }

  /** The job a component should run now: its plan with the deployment's parameters and its dependencies' outputs. */
  private desiredJob(
    deployment: DeploymentRecord,
    all: DeploymentComponentRecord[],
    component: DeploymentComponentRecord,
  ): Result<CreateJobRequest> {
    const outputs = Object.fromEntries(all.filter((c) => component.dependsOn.includes(c.id)).map((c) => [c.id, c.outputs]));
    return completeJob(component.planned, {
      parameters: { ...deployment.parameters, ...openSecrets(this.secrets, deployment.secretParameters) },
      context: deployment.resolveContext,
      outputs,
    });
  }

  /** The planning view, with which running components are due an in-place update (their job hash moved). */
  private stateOf(deployment: DeploymentRecord, components: DeploymentComponentRecord[]): DeploymentState {
    const state = deploymentState(deployment, components);
    const byId = new Map(components.map((c) => [c.id, c]));
    return {
      ...state,
      now: this.clock.now(),
      degradedGraceMs: this.settings.degradedGraceMs,
      components: state.components.map((c) => {
        const record = byId.get(c.id)!;
        if (deployment.desiredState !== 'running' || record.removed || record.jobId === null) return c;
        if (record.status !== 'running' && record.status !== 'updating') return c;
        const desired = this.desiredJob(deployment, components, record);
        return desired.ok && jobHash(desired.value, this.hashKey(deployment)) !== record.appliedJobHash ? { ...c, updateDue: true } : c;
      }),
    };
  }

  /** The deployment's digest key; none when it predates keys, or when SECRETS_KEY changed (its jobs are then patched once, as no-ops). */
  private hashKey(deployment: DeploymentRecord): Buffer | undefined {
    if (!deployment.jobHashKey) return undefined;
    try {
      return Buffer.from(this.secrets.open(deployment.jobHashKey), 'hex');
    } catch {
      return undefined;
    }
  }

  private wakeAtHealthDeadline(id: string, at: number | null): void {
    const scheduled = this.healthWakes.get(id);
    if (at === null || (scheduled && scheduled.at <= at && scheduled.at > this.clock.now())) return;
    if (scheduled) this.clock.clearTimeout(scheduled.timer);
    const timer = this.clock.setTimeout(
      () => {
        this.healthWakes.delete(id);
        this.wake(id);
      },
      Math.max(0, at - this.clock.now()),
    );
    this.healthWakes.set(id, { at, timer });
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
