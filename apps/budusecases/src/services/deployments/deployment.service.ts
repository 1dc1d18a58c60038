import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { cursorPosition, listFilters, pageFields } from '@bud/database';
import type { Tx } from '@bud/database';
import type { SecretBox } from '@bud/auth';
import type { Principal } from '@bud/auth';
import { requireScope } from '@bud/auth';
import type {
  BudgetVerdict,
  ChangePlan,
  CreateDeploymentRequest,
  DeploymentListQuery,
  DeploymentPlan,
  DeploymentResponse,
  Page,
  PlannedComponent,
  ScaleComponentRequest,
  UpdateDeploymentRequest,
  UpgradeDeploymentRequest,
} from '@bud/contracts';
import { componentRetryAllowed } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import type { DeploymentNow, Verdict } from '../../domain/deployment/desired-state-change';
import { deleteVerdict, startVerdict, stopVerdict } from '../../domain/deployment/desired-state-change';
import { foldJobEvent } from '../../domain/deployment/job-event-fold';
import { withQuotaVerdict } from '../../domain/resolver';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { BudclusterClient } from './budcluster.client';
import { CrashPoints } from '../crash-points';
import { DeploymentPlanner } from './deployment-planner.service';
import { sealSecrets } from './deployment-secrets';
import { ChangePreviewService } from './change-preview.service';
import type { DeploymentChange } from './deployment-change';
import { DeploymentChangePlanner } from './deployment-change-planner.service';
import { DeploymentUpdater } from './deployment-updater.service';
import { DeploymentWriter } from './deployment-writer.service';
import { toComponentResponses, toDeploymentResponse } from './deployment.mapper';
import { Reconciler } from './reconciler.service';
import type { ServiceTokenSigner } from '../tokens';
import { SERVICE_TOKEN_SIGNER } from '../tokens';

@Injectable()
export class DeploymentService {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly planner: DeploymentPlanner,
    private readonly writer: DeploymentWriter,
    private readonly reconciler: Reconciler,
    private readonly budcluster: BudclusterClient,
    private readonly crash: CrashPoints,
    private readonly updater: DeploymentUpdater,
    private readonly changes: DeploymentChangePlanner,
    private readonly preview: ChangePreviewService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_TOKEN_SIGNER) private readonly signToken: ServiceTokenSigner,
  ) {}

  async dryRun(principal: Principal, request: CreateDeploymentRequest): Promise<DeploymentPlan> {
    requireScope(principal, 'usecase:manage');
    const [planned, quota] = await Promise.all([
      this.planner.plan(principal, randomUUID(), request),
      this.budcluster.quotaOf(principal.token, request.cluster_id, principal.tenantId),
    ]);
    const { cluster } = planned.context;
    const budget = await this.budgetVerdict(principal, request, planned.plan);
    return {
      ...planned.plan,
      capacity: withQuotaVerdict(planned.plan.capacity, { quota, inventory: cluster.gpu_inventory, free: cluster.gpu_free }),
      ...(budget && budget.budgets.length > 0 ? { budget } : {}),
    };
  }

  /**
   * docs/design.md#budgets: what the deployment's cost per hour would do to the tenant's and its project's budgets,
   * asked with our service token (the user may not hold billing:view). Null when budcluster has no budgets yet.
   */
  private async budgetVerdict(principal: Principal, request: CreateDeploymentRequest, plan: DeploymentPlan): Promise<BudgetVerdict | null> {
    return this.budcluster.budgetCheck(await this.signToken(principal.tenantId), {
      project_id: request.project_id ?? null,
      estimated_cost_per_hour: plan.total.estimated_cost_per_hour,
    });
  }

  async create(principal: Principal, request: CreateDeploymentRequest): Promise<DeploymentResponse> {
    requireScope(principal, 'usecase:manage');
    const id = randomUUID();
    const planned = await this.planner.plan(principal, id, request);
    // A block_new budget refuses the deployment before any of its jobs (budcluster would refuse each job anyway).
    const budget = await this.budgetVerdict(principal, request, planned.plan);
    if (budget && !budget.admits)
      throw AppError.validation(`the deployment is over budget: ${budget.message}`, [{ path: 'parameters', message: budget.message }]);
    const now = new Date(this.clock.now());
    const deployment: DeploymentRecord = {
      id,
      tenantId: principal.tenantId,
      projectId: request.project_id ?? null,
      createdBy: principal.userId,
      name: request.name,
      templateId: planned.template.id,
      templateVersion: planned.template.version,
      templateDocument: planned.template.document,
      clusterId: request.cluster_id,
      namespace: planned.context.deployment.namespace,
      parameters: planned.plan.parameters,
      secretParameters: sealSecrets(this.secrets, planned.secretParameters),
      plan: planned.plan,
      resolveContext: planned.context,
      status: 'pending',
      statusMessage: null,
      desiredState: 'running',
      onFailure: request.on_failure,
      run: 1,
      componentOverrides: {},
      keepData: false,
      jobHashKey: this.secrets.seal(randomBytes(32).toString('hex')),
      estimatedCostPerHour: planned.plan.total.estimated_cost_per_hour,
      leaseOwner: null,
      leaseUntil: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const component = (
      c: PlannedComponent | { id: string; component_ref: string },
      wave: number,
      status: 'pending' | 'skipped',
    ): DeploymentComponentRecord => ({
      deploymentId: id,
      id: c.id,
      componentRef: c.component_ref,
      status,
      wave,
      dependsOn: 'depends_on' in c ? c.depends_on : [],
      planned: c as PlannedComponent,
      definition: planned.registry.get(c.component_ref)!,
      jobId: null,
      jobStatus: null,
      jobVersion: 0,
      jobOutputs: {},
      revision: 0,
      outputs: {},
      message: status === 'skipped' ? 'condition is false' : null,
      health: null,
      healthMessage: null,
      unhealthySince: null,
      generation: null,
      appliedJobHash: null,
      replicas: status === 'skipped' ? null : (c as PlannedComponent).job.resources.replicas,
      removed: false,
      updatedAt: now,
    });
    const rows = [
      ...planned.plan.waves.flatMap((w) => w.components.map((c) => component(c, w.wave, 'pending'))),
      ...planned.plan.skipped.map((s) => component(s, -1, 'skipped')),
    ];
    const created = await this.deployments.insert(deployment, rows);
    if (!created) throw AppError.conflict(`a deployment named '${request.name}' already exists`);
    this.reconciler.wake(id);
    return toDeploymentResponse(created, rows);
  }

  async list(principal: Principal, query: DeploymentListQuery): Promise<Page<DeploymentResponse>> {
    requireScope(principal, 'usecase:view');
    const filters = listFilters(query);
    const after = cursorPosition(query, filters);
    const { items, last, total } = await this.deployments.list(principal.tenantId, query, after);
    const upgrades = await Promise.all(items.map((d) => this.changes.upgradeAvailable(principal, d)));
    return {
      items: items.map((d, i) => toDeploymentResponse(d, undefined, upgrades[i])),
      ...pageFields(query, after, items.length, last, total, filters),
    };
  }

  async get(principal: Principal, id: string): Promise<DeploymentResponse> {
    const deployment = await this.visible(principal, id, 'view');
    return this.respond(principal, deployment);
  }

  async components(principal: Principal, id: string): Promise<DeploymentResponse['components']> {
    await this.visible(principal, id, 'view');
    return toComponentResponses(await this.deployments.components(id));
  }

  async stop(principal: Principal, id: string): Promise<DeploymentResponse> {
    return this.changeDesired(principal, await this.visible(principal, id, 'manage'), 'stopped', stopVerdict, 'stop requested');
  }

  /** Re-runs a stopped or failed deployment: a new run, every component from the start. */
  async start(principal: Principal, id: string): Promise<DeploymentResponse> {
    const seen = await this.visible(principal, id, 'manage');
    // A new run is new spend: a block_new budget that it does not fit, or a stop budget at 100%, refuses it up front.
    // budcluster refuses each of its jobs anyway, so a check that cannot be asked now (budcluster away) lets it start.
    const budget = await this.budcluster
      .budgetCheck(await this.signToken(seen.tenantId), {
        project_id: seen.projectId,
        estimated_cost_per_hour: seen.plan.total.estimated_cost_per_hour,
      })
      .catch(() => null);
    if (budget && !budget.admits)
      throw AppError.validation(`the deployment is over budget: ${budget.message}`, [{ path: 'parameters', message: budget.message }]);
    const updated = await this.deployments.transaction(async (m) => {
      const deployment = await this.lockedFor(m, id, startVerdict);
      const run = deployment.run + 1;
      const next = await this.deployments.updateDeployment(
        m,
        id,
        { desiredState: 'running', run, status: 'pending', statusMessage: null },
        new Date(this.clock.now()),
      );
      const fresh = { jobId: null, jobStatus: null, jobVersion: 0, jobOutputs: {}, outputs: {} };
      const noHealth = { health: null, healthMessage: null, unhealthySince: null, generation: null, appliedJobHash: null };
      for (const c of await this.deployments.components(id, m)) {
        if (c.status === 'skipped') continue;
        // A component an update dropped whose removal the stop overtook is skipped now: the new run leaves it out.
        const next = c.removed
          ? ({ status: 'skipped', ...fresh, ...noHealth, message: 'removed by update' } as const)
          : ({ status: 'pending', ...fresh, ...noHealth, message: null } as const);
        await this.deployments.updateComponent(m, id, c.id, next, new Date(this.clock.now()));
      }
      await this.writer.action(m, deployment, `start requested (run ${run})`);
      return next!;
    });
    this.crash.reached('start.after-commit');
    this.writer.committed(id);
    this.reconciler.wake(id);
    return this.respond(principal, updated);
  }

  /** `keepData` leaves the jobs' volumes retained on the cluster (docs/design.md#volumes). */
  async delete(principal: Principal, id: string, keepData = false): Promise<DeploymentResponse> {
    return this.changeDesired(
      principal,
      await this.visible(principal, id, 'manage'),
      'deleted',
      deleteVerdict,
      keepData ? 'delete requested (keeping data)' : 'delete requested',
      { keepData },
    );
  }

  async update(principal: Principal, id: string, request: UpdateDeploymentRequest): Promise<DeploymentResponse> {
    return this.change(principal, id, { kind: 'update', parameters: request.parameters });
  }

  async scale(principal: Principal, id: string, componentId: string, request: ScaleComponentRequest): Promise<DeploymentResponse> {
    return this.change(principal, id, { kind: 'scale', componentId, request });
  }

  async upgrade(principal: Principal, id: string, request: UpgradeDeploymentRequest): Promise<DeploymentResponse> {
    return this.change(principal, id, { kind: 'upgrade', parameters: request.parameters });
  }

  /** The dry run of update, scale, upgrade, stop or delete: a ChangePlan, and nothing changes (docs/design.md#change-preview). */
  async previewChange(
    principal: Principal,
    id: string,
    request: { action: 'stop' } | { action: 'delete'; keepData: boolean } | DeploymentChange,
  ): Promise<ChangePlan> {
    const deployment = await this.visible(principal, id, 'manage');
    if ('kind' in request) return this.preview.preview(principal, deployment, { action: request.kind, change: request });
    return this.preview.preview(principal, deployment, request);
  }

  private async change(principal: Principal, id: string, change: DeploymentChange): Promise<DeploymentResponse> {
    return this.updater.apply(principal, await this.visible(principal, id, 'manage'), change);
  }

  private async respond(principal: Principal, deployment: DeploymentRecord): Promise<DeploymentResponse> {
    const [components, upgrade] = await Promise.all([
      this.deployments.components(deployment.id),
      this.changes.upgradeAvailable(principal, deployment),
    ]);
    return toDeploymentResponse(deployment, components, upgrade);
  }

  async retryComponent(principal: Principal, id: string, componentId: string): Promise<DeploymentResponse> {
    const deployment = await this.visible(principal, id, 'manage');
    const component = (await this.deployments.components(id)).find((c) => c.id === componentId);
    if (!component) throw AppError.notFound('component', componentId);
    if (!componentRetryAllowed(component.status, deployment.desiredState))
      throw AppError.conflict(`only a failed component of a running deployment can be retried; '${componentId}' is ${component.status}`);
    const retried = component.jobId ? await this.budcluster.retryJob(principal.token, deployment.clusterId, component.jobId) : null;
    await this.deployments.transaction(async (m) => {
      const now = await this.deployments.lockDeployment(m, id);
      const current = await this.deployments.lockComponent(m, id, componentId);
      if (!now || !current) return;
      // Recorded as budcluster answered, so a stop that came meanwhile sees a live job to cancel.
      const job = retried && {
        jobId: retried.id,
        version: retried.version,
        status: retried.status,
        run: deployment.run,
        revision: current.revision,
      };
      const next = job
        ? foldJobEvent(current, job, { run: now.run, desired: now.desiredState })
        : now.desiredState === 'running' && current.status === 'failed'
          ? { status: 'pending' as const }
          : null;
      if (next) await this.writer.setComponentStatus(m, now, current, next, 'retry requested');
    });
    this.writer.committed(id);
    this.reconciler.wake(id);
    return this.get(principal, id);
  }

  async visible(principal: Principal, id: string, action: 'view' | 'manage'): Promise<DeploymentRecord> {
    requireScope(principal, action === 'view' ? 'usecase:view' : 'usecase:manage');
    const deployment = await this.deployments.findVisible(id, principal.tenantId);
    if (!deployment) throw AppError.notFound('deployment', id);
    return deployment;
  }

  /** Inside a transaction: the deployment locked, after the action's verdict on it as it is now; a conflict throws. */
  private async lockedFor(
    m: Tx,
    id: string,
    verdictOf: (now: DeploymentNow) => Verdict,
  ): Promise<DeploymentRecord & { unchanged: boolean }> {
    const deployment = await this.deployments.lockDeployment(m, id);
    if (!deployment) throw AppError.notFound('deployment', id);
    const verdict = verdictOf({ desired: deployment.desiredState, status: deployment.status });
    if (verdict.kind === 'conflict') throw AppError.conflict(verdict.message);
    return { ...deployment, unchanged: verdict.kind === 'unchanged' };
  }

  /**
   * The data-safe stop of a `stop` budget at 100% (docs/design.md#budget-events): as a user's stop, with `message` (it
   * names the budget) as the deployment's event. False when the deployment was already stopping or gone.
   */
  async stopForBudget(deploymentId: string, message: string): Promise<boolean> {
    const deployment = await this.deployments.findById(deploymentId);
    if (deployment?.desiredState !== 'running') return false;
    try {
      await this.desire(deployment, 'stopped', stopVerdict, message);
      return true;
    } catch (error) {
      // Deleted or stopped meanwhile: nothing left to stop.
      if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found')) return false;
      throw error;
    }
  }

  private async changeDesired(
    principal: Principal,
    deployment: DeploymentRecord,
    desired: 'stopped' | 'deleted',
    verdictOf: (now: DeploymentNow) => Verdict,
    message: string,
    fields: Partial<DeploymentRecord> = {},
  ): Promise<DeploymentResponse> {
    return this.respond(principal, await this.desire(deployment, desired, verdictOf, message, fields));
  }

  private async desire(
    deployment: DeploymentRecord,
    desired: 'stopped' | 'deleted',
    verdictOf: (now: DeploymentNow) => Verdict,
    message: string,
    fields: Partial<DeploymentRecord> = {},
  ): Promise<DeploymentRecord> {
    const updated = await this.deployments.transaction(async (m) => {
      const { unchanged, ...locked } = await this.lockedFor(m, deployment.id, verdictOf);
      // A repeated delete may still choose to keep the data, never to drop what an earlier one kept.
      if (unchanged && !(fields.keepData && !locked.keepData)) return locked;
      const next = await this.deployments.updateDeployment(
        m,
        deployment.id,
        { desiredState: desired, ...fields, ...(locked.keepData ? { keepData: true } : {}) },
        new Date(this.clock.now()),
      );
      await this.writer.action(m, locked, message);
      return next!;
    });
    this.crash.reached('stop.after-commit');
    this.writer.committed(deployment.id);
    this.reconciler.wake(deployment.id);
    return updated;
  }
}
