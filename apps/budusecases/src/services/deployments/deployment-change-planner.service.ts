import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { SecretBox } from '@bud/auth';
import type { PlannedComponent } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { ErrorDetail } from '@bud/errors';
import { SECRET_BOX } from '@bud/ports';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { SECRET_MASK, checkContracts } from '../../domain/resolver';
import { canonicalJson } from '../../domain/document-checks';
import { applyOverride, mergeOverride, replanTotals } from '../../domain/deployment/component-overrides';
import { inPlaceChangeIssues } from '../../domain/deployment/in-place-change';
import { upgradeAvailable } from '../../domain/deployment/template-upgrade';
import { TemplateService } from '../templates/template.service';
import type { PlannedDeployment } from './deployment-planner.service';
import { DeploymentPlanner } from './deployment-planner.service';
import { openSecrets } from './deployment-secrets';
import type { DeploymentChange, NextDeploymentState } from './deployment-change';

/** A component the deployment runs now: neither skipped by a condition nor dropped by an earlier update. */
export const isLive = (c: DeploymentComponentRecord): boolean => c.status !== 'skipped' && !c.removed;

/**
 * What a deployment would be after an update, scale or upgrade (docs/design.md#deployment-update): the re-plan with
 * merged parameters (sealed secrets opened), the scale overrides over each component's job resources, and which
 * components the change adds, drops or changes. Shared by apply (DeploymentUpdater) and preview (ChangePreviewService);
 * changes nothing.
 */
@Injectable()
export class DeploymentChangePlanner {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly planner: DeploymentPlanner,
    private readonly templates: TemplateService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async next(principal: Principal, deployment: DeploymentRecord, change: DeploymentChange): Promise<NextDeploymentState> {
    const components = await this.deployments.components(deployment.id);
    const live = components.filter(isLive);
    let overrides = deployment.componentOverrides ?? {};
    if (change.kind === 'scale') {
      const target = live.find((c) => c.id === change.componentId);
      if (!target) throw AppError.notFound('component', change.componentId);
      if (target.planned.job.spec.kind === 'helm') {
        // Its HelmRelease renders the chart's values; job resources (replicas among them) would change only numbers.
        const path = change.request.replicas !== undefined ? 'replicas' : 'resources';
        const message = `'${target.id}' is a helm component: it scales through its chart values (the template's parameters), not here`;
        throw AppError.validation(`${path}: ${message}`, [{ path, message }]);
      }
      overrides = mergeOverride(overrides, change.componentId, change.request);
    }
    const template = change.kind === 'upgrade' ? await this.newestTemplate(principal, deployment) : this.storedTemplate(deployment);
    const parameters = {
      ...Object.fromEntries(Object.entries(deployment.parameters).filter(([, value]) => value !== SECRET_MASK && value !== null)),
      ...openSecrets(this.secrets, deployment.secretParameters),
      ...(change.kind === 'scale' ? {} : change.parameters),
    };
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
      template,
    );
    const next = this.withOverrides(planned, overrides, change);
    // Overrides of components the new plan no longer runs go with them.
    const kept = Object.fromEntries(Object.entries(overrides).filter(([id]) => next.has(id)));
    const liveIds = new Set(live.map((c) => c.id));
    // Stored plans come back from jsonb with their keys reordered: compare canonical forms.
    const changed = live.filter((c) => next.has(c.id) && canonicalJson(c.planned.job) !== canonicalJson(next.get(c.id)!.job));
    // A component with a job is patched in place: refuse now what the Job layer would refuse then.
    const issues = changed
      .filter((c) => c.jobId !== null && c.status !== 'failed')
      .flatMap((c) => inPlaceChangeIssues(c.id, c.planned.job, next.get(c.id)!.job));
    if (issues.length > 0) throw AppError.validation(`the change cannot be made in place: ${issues[0].path} ${issues[0].message}`, issues);
    return {
      templateVersion: template.version,
      templateDocument: template.document,
      plan: replanTotals(planned.plan, next, planned.context),
      secretParameters: planned.secretParameters,
      overrides: kept,
      planned: next,
      added: [...next.keys()].filter((id) => !liveIds.has(id)),
      removed: live.filter((c) => !next.has(c.id)).map((c) => c.id),
      changed: changed.map((c) => c.id),
    };
  }

  /** The newest active version of the deployment's template the tenant can see, when newer than its own; else null. */
  async upgradeAvailable(principal: Principal, deployment: DeploymentRecord): Promise<string | null> {
    const template = await this.templates.findVisible(principal, deployment.templateId).catch(() => null);
    return upgradeAvailable(deployment.templateVersion, template);
  }

  private storedTemplate(deployment: DeploymentRecord): PlannedDeployment['template'] {
    return { id: deployment.templateId, version: deployment.templateVersion, document: deployment.templateDocument };
  }

  private async newestTemplate(principal: Principal, deployment: DeploymentRecord): Promise<PlannedDeployment['template']> {
    const template = await this.templates.findVisible(principal, deployment.templateId).catch(() => null);
    const version = upgradeAvailable(deployment.templateVersion, template);
    if (!template || version === null)
      throw AppError.conflict(`template '${deployment.templateId}' has no active version newer than ${deployment.templateVersion}`);
    return { id: template.id, version: template.version, document: template.document };
  }

  /** docs/templates.md#typed-contracts: a scaled model component must still fit its GPUs (named as the scale's fields). */
  private modelFits(planned: PlannedDeployment, component: PlannedComponent, path: string): ErrorDetail[] {
    const definition = planned.registry.get(component.component_ref);
    const index = planned.template.document.components.findIndex((c) => c.id === component.id);
    if (!definition?.serves || index < 0) return [];
    // The template's own gpu_count/gpu_type do not apply: the override set them, so the advice names its fields.
    const spec = { ...planned.template.document.components[index], gpu_count: undefined, gpu_type: undefined };
    const report = checkContracts({
      components: [
        { analyzed: { index, spec, definition, dependsOn: new Map(), condition: undefined }, planned: component, basePath: path },
      ],
      models: this.planner.models,
      clusterGpuTypes: Object.keys(planned.context.cluster.gpu_inventory),
    });
    return report.errors;
  }

  private withOverrides(
    planned: PlannedDeployment,
    overrides: NextDeploymentState['overrides'],
    change: DeploymentChange,
  ): Map<string, PlannedComponent> {
    const next = new Map<string, PlannedComponent>();
    const errors: ErrorDetail[] = [];
    for (const component of planned.plan.waves.flatMap((w) => w.components)) {
      // A scale's own fields are named as the request has them; a stored override as the component's resources.
      const path = change.kind === 'scale' && change.componentId === component.id ? 'resources' : `components.${component.id}.resources`;
      const override = overrides[component.id];
      const applied = applyOverride(component, override, planned.context.cluster.price_table, path);
      if (!applied.ok) errors.push(...applied.errors);
      else {
        next.set(component.id, applied.value);
        if (override?.gpu_count !== undefined || override?.gpu_type !== undefined)
          errors.push(...this.modelFits(planned, applied.value, path));
      }
    }
    if (errors.length > 0) throw AppError.validation(`the change is invalid: ${errors[0].path} ${errors[0].message}`, errors);
    return next;
  }
}
