import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { Tx } from '@bud/database';
import { activeJobStatuses, terminalJobStatuses } from '@bud/contracts';
import type { JobResponse } from '@bud/contracts';
import type { SecretBox } from '@bud/auth';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import type { Action } from '../../domain/deployment/deployment-state';
import { aggregateStatus, componentStatusFromJob, planActions } from '../../domain/deployment/deployment-state';
import type { JobEventView } from '../../domain/deployment/job-event-fold';
import { foldJobEvent, jobBelongs, jobSourceId } from '../../domain/deployment/job-event-fold';
import { completeJob } from '../../domain/resolver';
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
        const state = deploymentState(deployment, components);
        const status = aggregateStatus(state);
        if (status !== deployment.status) {
          if (!(await this.whilePlanned(deployment, (m) => this.writer.setDeploymentStatus(m, deployment, status, null)))) continue;
          this.crash.reached('reconcile.status-written');
          this.writer.committed(id);
          settledNow = status === 'running' || status === 'failed';
        }
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
      for (const job of leftovers) await this.budcluster.cancelOrDeleteJob(token, deployment.clusterId, job.id);
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
      case 'replace_job': {
        // An update changed this component: its old job goes, then create_job starts the new one.
        const job = await this.budcluster.getJob(token, deployment.clusterId, component.jobId!);
        if (job && !terminalJobStatuses.includes(job.status)) await this.budcluster.cancelOrDeleteJob(token, deployment.clusterId, job.id);
        await this.whilePlanned(deployment, async (m) => {
          const current = await this.deployments.lockComponent(m, deployment.id, component.id);
          if (current?.jobId !== component.jobId) return;
          await this.deployments.updateComponent(
            m,
            deployment.id,
            component.id,
            { jobId: null, jobStatus: null, jobVersion: 0, jobOutputs: {} },
            new Date(this.clock.now()),
          );
          await this.writer.action(m, deployment, `old job ${component.jobId} replaced`, component.id);
        });
        break;
      }
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
        const result = await this.budcluster.cancelOrDeleteJob(token, deployment.clusterId, component.jobId!);
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
  ): Promise<'recorded' | 'stray'> {
    const view: JobEventView = { jobId: job.id, version: job.version, status: job.status, run: planned.run, revision: component.revision };
    const outcome = await this.deployments.transaction(async (m) => {
      // Component first, as start and the event consumer lock it: once held, the run read next cannot move under us.
      const current = await this.deployments.lockComponent(m, planned.id, component.id);
      const now = current && (await this.deployments.findById(planned.id, m));
      if (!current || !now || !jobBelongs(current, view, now)) return 'stray' as const;
      const next = foldJobEvent(current, view, { run: now.run, desired: now.desiredState });
      if (next)
        await this.writer.setComponentStatus(
          m,
          now,
          current,
          { ...next, jobOutputs: job.outputs, outputs: componentOutputs(current, job.outputs) },
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
    const outputs = Object.fromEntries(all.filter((c) => component.dependsOn.includes(c.id)).map((c) => [c.id, c.outputs]));
    const body = completeJob(component.planned, {
      parameters: { ...deployment.parameters, ...openSecrets(this.secrets, deployment.secretParameters) },
      context: deployment.resolveContext,
      outputs,
    });
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
    // Recorded even if a stop came meanwhile: the plan then cancels it. Only a job another run or revision owns is cancelled here.
    if ((await this.recordJob(deployment, component, job, `job ${job.id} created`)) === 'stray' && activeJobStatuses.includes(job.status)) {
      await this.budcluster.cancelJob(token, deployment.clusterId, job.id);
    }
    this.crash.reached('create.after-record');
    this.writer.committed(deployment.id);
  }
}
