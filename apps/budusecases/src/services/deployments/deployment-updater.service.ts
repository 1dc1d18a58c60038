import { Inject, Injectable } from '@nestjs/common';
import type { SecretBox } from '@bud/auth';
import type { Principal } from '@bud/auth';
import type { DeploymentResponse, PlannedComponent, UpdateDeploymentRequest } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import type { DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { SECRET_MASK } from '../../domain/resolver';
import { DeploymentPlanner } from './deployment-planner.service';
import { openSecrets, sealSecrets } from './deployment-secrets';
import { canonicalJson } from '../../domain/document-checks';
import { DeploymentWriter } from './deployment-writer.service';
import { toDeploymentResponse } from './deployment.mapper';
import { Reconciler } from './reconciler.service';

const UPDATABLE = new Set(['running', 'degraded', 'failed']);

/**
 * Phase 2 update (docs/design.md#deployments): re-plan with the new parameters on the template the deployment was
 * made from, and replace only the components whose job changed, in dependency order; the others
 * keep running untouched.
 */
@Injectable()
export class DeploymentUpdater {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly planner: DeploymentPlanner,
    private readonly writer: DeploymentWriter,
    private readonly reconciler: Reconciler,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async update(principal: Principal, deployment: DeploymentRecord, request: UpdateDeploymentRequest): Promise<DeploymentResponse> {
    if (deployment.desiredState !== 'running' || !UPDATABLE.has(deployment.status)) {
      throw AppError.conflict(`only a running, degraded or failed deployment can be updated; this one is ${deployment.status}`);
    }
    const current = Object.fromEntries(
      Object.entries(deployment.parameters).filter(([, value]) => value !== SECRET_MASK && value !== null),
    );
    const parameters = { ...current, ...openSecrets(this.secrets, deployment.secretParameters), ...request.parameters };
    const planned = await this.planner.plan(
      principal,
      deployment.id,
      {
        template_id: deployment.templateId,
        name: deployment.name,
        cluster_id: deployment.clusterId,
        parameters,
        on_failure: deployment.onFailure,
        ...(deployment.projectId ? { project_id: deployment.projectId } : {}),
      },
      { id: deployment.templateId, version: deployment.templateVersion, document: deployment.templateDocument },
    );
    const components = await this.deployments.components(deployment.id);
    const next = new Map<string, PlannedComponent>(planned.plan.waves.flatMap((w) => w.components.map((c) => [c.id, c])));
    const running = components.filter((c) => c.status !== 'skipped');
    if (running.length !== next.size || running.some((c) => !next.has(c.id))) {
      throw AppError.validation('the new parameters change which components run; create a new deployment for that', [
        { path: 'parameters', message: 'changes the set of components' },
      ]);
    }
    // Stored plans come back from jsonb with their keys reordered: compare canonical forms.
    const changed = running.filter((c) => canonicalJson(c.planned.job) !== canonicalJson(next.get(c.id)!.job));
    const updated = await this.deployments.transaction(async (m) => {
      // A stop, delete or start that committed since the checks above wins: this update would plan on a stale run.
      const locked = await this.deployments.lockDeployment(m, deployment.id);
      if (!locked || locked.desiredState !== 'running' || locked.run !== deployment.run)
        throw AppError.conflict(`the deployment changed meanwhile; it is ${locked?.status ?? 'gone'}`);
      const now = new Date(this.clock.now());
      const revisions = new Map((await this.deployments.components(deployment.id, m)).map((c) => [c.id, c.revision]));
      for (const c of changed) {
        await this.deployments.updateComponent(
          m,
          deployment.id,
          c.id,
          {
            planned: next.get(c.id)!,
            revision: (revisions.get(c.id) ?? c.revision) + 1,
            status: 'pending',
            message: 'updated: its job will be replaced',
          },
          now,
        );
        await this.deployments.addEvent(
          m,
          deployment.id,
          { type: 'component.status', componentId: c.id, status: 'pending', message: 'updated: its job will be replaced' },
          now,
        );
      }
      await this.writer.action(
        m,
        deployment,
        changed.length ? `update: ${changed.map((c) => c.id).join(', ')} change` : 'update: nothing changes',
      );
      return this.deployments.updateDeployment(
        m,
        deployment.id,
        {
          parameters: planned.plan.parameters,
          secretParameters: sealSecrets(this.secrets, planned.secretParameters),
          plan: planned.plan,
          estimatedCostPerHour: planned.plan.total.estimated_cost_per_hour,
        },
        now,
      );
    });
    this.writer.committed(deployment.id);
    this.reconciler.wake(deployment.id);
    return toDeploymentResponse(updated ?? deployment, await this.deployments.components(deployment.id));
  }
}
