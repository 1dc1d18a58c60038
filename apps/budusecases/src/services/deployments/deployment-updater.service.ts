import { Inject, Injectable } from '@nestjs/common';
import type { SecretBox } from '@bud/auth';
import type { Principal } from '@bud/auth';
import type { DeploymentResponse, PlannedComponent } from '@bud/contracts';
import type { Tx } from '@bud/database';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { blankJob } from '../../domain/deployment/blank-job';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { canonicalJson } from '../../domain/document-checks';
import { ComponentService } from '../registry/component.service';
import type { DeploymentChange, NextDeploymentState } from './deployment-change';
import { DeploymentChangePlanner, isLive } from './deployment-change-planner.service';
import { sealSecrets } from './deployment-secrets';
import { DeploymentWriter } from './deployment-writer.service';
import { toDeploymentResponse } from './deployment.mapper';
import { Reconciler } from './reconciler.service';

const UPDATABLE = new Set(['running', 'updating', 'degraded', 'failed']);

/** 409 unless the deployment wants to run and is up (or failed): a change re-plans what runs. */
export function assertUpdatable(deployment: Pick<DeploymentRecord, 'desiredState' | 'status'>): void {
  if (deployment.desiredState === 'deleted') throw AppError.conflict('the deployment is being deleted; it cannot change');
  if (deployment.desiredState !== 'running' || !UPDATABLE.has(deployment.status))
    throw AppError.conflict(`only a running, updating, degraded or failed deployment can change; this one is ${deployment.status}`);
}

/**
 * Update, scale and upgrade (docs/design.md#deployment-update): the re-planned components are stored and the
 * reconciler converges to them in place. A component whose job changes keeps its job (the reconciler patches it),
 * one the new plan adds starts pending, one it drops is marked removed (its job goes dependents first). No job is
 * replaced; only a failed component's job, which runs nothing, is started afresh.
 */
@Injectable()
export class DeploymentUpdater {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly changes: DeploymentChangePlanner,
    private readonly registry: ComponentService,
    private readonly writer: DeploymentWriter,
    private readonly reconciler: Reconciler,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async apply(principal: Principal, deployment: DeploymentRecord, change: DeploymentChange): Promise<DeploymentResponse> {
    assertUpdatable(deployment);
    const next = await this.changes.next(principal, deployment, change);
    const registry = await this.registry.activeRegistry();
    const updated = await this.deployments.transaction(async (m) => {
      // A stop, delete or start that committed since the checks above wins: this change would plan on a stale run.
      const locked = await this.deployments.lockDeployment(m, deployment.id);
      if (!locked) throw AppError.notFound('deployment', deployment.id);
      assertUpdatable(locked);
      if (locked.run !== deployment.run) throw AppError.conflict(`the deployment changed meanwhile; it is ${locked.status}`);
      // Another update, scale or upgrade committed since the read this plan was made from: storing this one would
      // drop that change. (The reconciler's status writes also bump the version but leave what a plan reads.)
      if (locked.version !== deployment.version && planInputs(locked) !== planInputs(deployment))
        throw AppError.conflict(
          `the deployment changed meanwhile (version ${locked.version}, planned from ${deployment.version}); read it and try again`,
        );
      const components = await this.deployments.components(deployment.id, m);
      const byId = new Map(components.map((c) => [c.id, c]));
      for (const [id, planned] of next.planned) {
        const definition = registry.get(planned.component_ref) ?? byId.get(id)?.definition;
        if (!definition) throw AppError.conflict(`component '${planned.component_ref}' is no longer in the registry`);
        const existing = byId.get(id);
        if (!existing) await this.deployments.insertComponent(m, this.newComponent(deployment.id, planned, definition));
        else await this.replan(m, locked, existing, planned, definition, next);
      }
      for (const id of next.removed) {
        const c = byId.get(id)!;
        await this.deployments.updateComponent(
          m,
          deployment.id,
          id,
          { removed: true, message: 'removed by update: its job goes' },
          this.now(),
        );
        await this.writer.action(m, locked, `update removes ${c.id}`, c.id);
      }
      await this.writer.action(m, locked, summary(change, next));
      return this.deployments.updateDeployment(
        m,
        deployment.id,
        {
          templateVersion: next.templateVersion,
          templateDocument: next.templateDocument,
          parameters: next.plan.parameters,
          secretParameters: sealSecrets(this.secrets, next.secretParameters),
          plan: next.plan,
          componentOverrides: next.overrides,
          estimatedCostPerHour: next.plan.total.estimated_cost_per_hour,
        },
        this.now(),
      );
    });
    this.writer.committed(deployment.id);
    this.reconciler.wake(deployment.id);
    const after = updated ?? deployment;
    return toDeploymentResponse(
      after,
      await this.deployments.components(deployment.id),
      await this.changes.upgradeAvailable(principal, after),
    );
  }

  private async replan(
    m: Tx,
    deployment: DeploymentRecord,
    existing: DeploymentComponentRecord,
    planned: PlannedComponent,
    definition: DeploymentComponentRecord['definition'],
    next: NextDeploymentState,
  ): Promise<void> {
    const fields: Partial<DeploymentComponentRecord> = {
      planned,
      definition,
      wave: planned.wave,
      dependsOn: planned.depends_on,
      replicas: planned.job.resources.replicas,
    };
    if (!isLive(existing)) {
      // Added back: a condition turned true, or an earlier update dropped it.
      Object.assign(fields, blankJob(), { status: 'pending', removed: false, message: 'added by update' });
      await this.deployments.updateComponent(m, deployment.id, existing.id, fields, this.now());
      await this.writer.action(m, deployment, `update adds ${existing.id}`, existing.id);
      return;
    }
    if (next.changed.includes(existing.id) && existing.status === 'failed') {
      // Its job ended: nothing to patch, so a new job (a new revision, so its events are told apart) runs the new plan.
      Object.assign(fields, blankJob(), { status: 'pending', revision: existing.revision + 1, message: 'updated: a new job will start' });
    }
    await this.deployments.updateComponent(m, deployment.id, existing.id, fields, this.now());
  }

  private newComponent(
    deploymentId: string,
    planned: PlannedComponent,
    definition: DeploymentComponentRecord['definition'],
  ): DeploymentComponentRecord {
    return {
      deploymentId,
      id: planned.id,
      componentRef: planned.component_ref,
      status: 'pending',
      wave: planned.wave,
      dependsOn: planned.depends_on,
      planned,
      definition,
      ...blankJob(),
      revision: 0,
      message: 'added by update',
      replicas: planned.job.resources.replicas,
      removed: false,
      updatedAt: this.now(),
    };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

/** What a re-plan starts from (DeploymentChangePlanner.next); the updater alone writes these. */
function planInputs(d: DeploymentRecord): string {
  return canonicalJson({
    templateVersion: d.templateVersion,
    parameters: d.parameters,
    secretParameters: d.secretParameters,
    componentOverrides: d.componentOverrides ?? {},
  });
}

function summary(change: DeploymentChange, next: NextDeploymentState): string {
  const parts = [
    next.changed.length ? `${next.changed.join(', ')} change` : '',
    next.added.length ? `${next.added.join(', ')} added` : '',
    next.removed.length ? `${next.removed.join(', ')} removed` : '',
  ].filter(Boolean);
  const what =
    change.kind === 'upgrade' ? `upgrade to ${next.templateVersion}` : change.kind === 'scale' ? `scale ${change.componentId}` : 'update';
  return `${what}: ${parts.length ? parts.join('; ') : 'nothing changes'}`;
}
