import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import type { DeploymentState } from '../../domain/deployment/deployment-state';
import { aggregateStatus, deploymentStatusMessage, nextHealthDeadline, planActions } from '../../domain/deployment/deployment-state';
import { jobHash } from '../../domain/deployment/job-hash';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { deploymentState } from '../../domain/deployment/deployment-snapshot';
import { CrashPoints } from '../crash-points';
import { ComponentJobActions } from './component-job-actions.service';
import { DesiredJobs } from './desired-jobs.service';
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
    private readonly writer: DeploymentWriter,
    private readonly jobActions: ComponentJobActions,
    private readonly desiredJobs: DesiredJobs,
    @Inject(RECONCILER_SETTINGS) private readonly settings: ReconcilerSettings,
    @Inject(SERVICE_TOKEN_SIGNER) private readonly signToken: ServiceTokenSigner,
    private readonly crash: CrashPoints,
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
          if (!(await this.jobActions.whilePlanned(deployment, (m) => this.writer.setDeploymentStatus(m, deployment, status, message))))
            continue;
          this.crash.reached('reconcile.status-written');
          this.writer.committed(id);
          settledNow = status === 'running' || status === 'failed';
        }
        this.wakeAtHealthDeadline(id, nextHealthDeadline(state));
        const actions = planActions(state);
        if (actions.length === 0) {
          if (deployment.desiredState === 'stopped' || settledNow) await this.jobActions.cancelStrays(deployment, components);
          return;
        }
        const token = this.signToken ? await this.signToken(deployment.tenantId) : undefined;
        await Promise.all(actions.map((action) => this.jobActions.perform(deployment, components, action, token)));
      }
    } finally {
      await this.deployments.releaseLease(id, this.settings.instanceId);
    }
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
        const desired = this.desiredJobs.desiredJob(deployment, components, record);
        return desired.ok && jobHash(desired.value, this.desiredJobs.hashKey(deployment)) !== record.appliedJobHash
          ? { ...c, updateDue: true }
          : c;
      }),
    };
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
