import { Inject, Injectable } from '@nestjs/common';
import type { Principal, SecretBox } from '@bud/auth';
import type { BudgetVerdict, ChangePlan } from '@bud/contracts';
import { SECRET_MASK, activeJobStatuses } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import type { CurrentComponent } from '../../domain/deployment/change-plan';
import { planChange } from '../../domain/deployment/change-plan';
import { applyOverride } from '../../domain/deployment/component-overrides';
import { withQuotaVerdict } from '../../domain/resolver';
import { deleteVerdict, stopVerdict } from '../../domain/deployment/desired-state-change';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { ComponentService } from '../registry/component.service';
import { BudclusterClient } from './budcluster.client';
import type { NextDeploymentState, PreviewRequest } from './deployment-change';
import { DeploymentChangePlanner, isLive } from './deployment-change-planner.service';
import { openSecrets } from './deployment-secrets';
import { assertUpdatable } from './deployment-updater.service';
import type { ServiceTokenSigner } from '../tokens';
import { SERVICE_TOKEN_SIGNER } from '../tokens';

const withoutMasks = (parameters: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== SECRET_MASK && value !== null));

/**
 * The dry run of update, scale, upgrade, stop and delete (docs/design.md#change-preview): gathers what the deployment is
 * (its components, overrides, budcluster's volumes, the cluster's prices and free GPUs) and what it would be
 * (DeploymentChangePlanner.next), and answers planChange's verdict. Writes nothing and changes nothing on budcluster.
 */
@Injectable()
export class ChangePreviewService {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly changes: DeploymentChangePlanner,
    private readonly budcluster: BudclusterClient,
    private readonly registry: ComponentService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_TOKEN_SIGNER) private readonly signToken: ServiceTokenSigner,
  ) {}

  /** `deployment` is one the principal may manage (the caller looked it up: another tenant's is a 404 there). */
  async preview(principal: Principal, deployment: DeploymentRecord, request: PreviewRequest): Promise<ChangePlan> {
    const next = await this.nextState(principal, deployment, request);
    const components = (await this.deployments.components(deployment.id)).filter(isLive);
    const [cluster, schedule, volumes, quota] = await Promise.all([
      this.budcluster.getCluster(principal.token, deployment.clusterId),
      this.budcluster.schedule(principal.token, deployment.clusterId, new Date(this.clock.now())),
      request.action === 'delete' || (next && next !== 'as-is' && next.removed.length > 0)
        ? this.budcluster.volumesOfDeployment(principal.token, deployment.clusterId, deployment.id)
        : Promise.resolve([]),
      this.budcluster.quotaOf(principal.token, deployment.clusterId, deployment.tenantId),
    ]);
    const prices = cluster.price_table;
    const parametersBefore = { ...withoutMasks(deployment.parameters), ...openSecrets(this.secrets, deployment.secretParameters) };
    const gpuFree = Object.fromEntries(Object.entries(schedule.gpus).map(([type, g]) => [type, Math.max(0, g.total - g.used)]));
    const changePlan = planChange({
      action: request.action,
      deploymentId: deployment.id,
      templateVersionBefore: deployment.templateVersion,
      templateVersionAfter: next && next !== 'as-is' ? next.templateVersion : deployment.templateVersion,
      context: deployment.resolveContext,
      parametersBefore,
      parametersAfter: next && next !== 'as-is' ? { ...withoutMasks(next.plan.parameters), ...next.secretParameters } : parametersBefore,
      current: components.map((c) => this.current(deployment, c, prices)),
      next: next === 'as-is' ? 'as-is' : (next?.planned ?? null),
      registry: next && next !== 'as-is' ? await this.registry.activeRegistry() : undefined,
      prices,
      gpuFree,
      volumes,
      keepData: request.action === 'delete' && request.keepData,
    });
    // What the change adds is judged under the tenant's quota too (docs/design.md#quotas), and its budgets.
    const budget = await this.budgetOf(deployment, changePlan.cost.difference_per_hour);
    return {
      ...changePlan,
      capacity: withQuotaVerdict(changePlan.capacity, { quota, inventory: cluster.gpu_inventory, free: gpuFree }),
      ...(budget && budget.budgets.length > 0 ? { budget } : {}),
    };
  }

  /**
   * docs/design.md#budgets: a change that adds cost per hour is judged as new work of that rate (the deployment's
   * running jobs are already in the budgets' projection); one that adds nothing has no budget verdict.
   */
  private async budgetOf(deployment: DeploymentRecord, differencePerHour: string): Promise<BudgetVerdict | null> {
    if (differencePerHour.startsWith('-') || /^0+\.0+$/.test(differencePerHour)) return null;
    return this.budcluster.budgetCheck(await this.signToken(deployment.tenantId), {
      project_id: deployment.projectId,
      estimated_cost_per_hour: differencePerHour,
    });
  }

  /**
   * The re-plan of an update, scale or upgrade; null for a stop or delete that removes every component; 'as-is' for
   * one that would change nothing (already stopped, already being deleted), as the apply path decides.
   */
  private async nextState(
    principal: Principal,
    deployment: DeploymentRecord,
    request: PreviewRequest,
  ): Promise<NextDeploymentState | null | 'as-is'> {
    if (request.action === 'stop' || request.action === 'delete') {
      const now = { desired: deployment.desiredState, status: deployment.status };
      const verdict = request.action === 'stop' ? stopVerdict(now) : deleteVerdict(now);
      if (verdict.kind === 'conflict') throw AppError.conflict(verdict.message);
      return verdict.kind === 'unchanged' ? 'as-is' : null;
    }
    assertUpdatable(deployment);
    return this.changes.next(principal, deployment, request.change);
  }

  private current(
    deployment: DeploymentRecord,
    c: DeploymentComponentRecord,
    prices: DeploymentRecord['resolveContext']['cluster']['price_table'],
  ): CurrentComponent {
    const override = deployment.componentOverrides?.[c.id];
    const applied = applyOverride(c.planned, override, prices, `components.${c.id}.resources`);
    return {
      id: c.id,
      componentRef: c.componentRef,
      wave: c.wave,
      planned: applied.ok ? applied.value : c.planned,
      definition: c.definition,
      jobOutputs: c.jobOutputs,
      outputs: c.outputs,
      running: c.jobStatus !== null && activeJobStatuses.includes(c.jobStatus),
    };
  }
}
