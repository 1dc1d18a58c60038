import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { CreateDeploymentRequest, DeploymentPlan, TemplateDocument } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import type { ModelCatalog, Registry, ResolveContext } from '../../domain/resolver';
import { resolveParameters, resolveTemplate } from '../../domain/resolver';
import { BudclusterClient } from './budcluster.client';
import { ComponentService } from '../registry/component.service';
import { TemplateService } from '../templates/template.service';
import { loadModelCatalog } from '../templates/model-files';
import { templatesRoot } from '../templates/template-files';
import { TEMPLATES_DIR } from '../tokens';

export interface PlannedDeployment {
  template: { id: string; version: string; document: TemplateDocument };
  registry: Registry;
  context: ResolveContext;
  plan: DeploymentPlan;
  secretParameters: Record<string, unknown>;
}

/** Turns a create request into a plan: the template, the registry, the cluster's prices and free GPUs. */
@Injectable()
export class DeploymentPlanner {
  /** templates/models, read once at start-up (the sync has refused invalid files by then). */
  readonly models: ModelCatalog;

  constructor(
    private readonly templates: TemplateService,
    private readonly components: ComponentService,
    private readonly budcluster: BudclusterClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TEMPLATES_DIR) templatesDir: string,
  ) {
    this.models = loadModelCatalog(templatesRoot(templatesDir));
  }

  /** `stored` re-plans a deployment on the template document it was created from (updates). */
  async plan(
    principal: Principal,
    id: string,
    request: CreateDeploymentRequest,
    stored?: PlannedDeployment['template'],
  ): Promise<PlannedDeployment> {
    return this.planWith(principal, id, request, stored ?? (await this.findTemplate(principal, request)));
  }

  private async findTemplate(principal: Principal, request: CreateDeploymentRequest): Promise<PlannedDeployment['template']> {
    const template = await this.templates.findVisible(principal, request.template_id).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') {
        throw AppError.validation(`template '${request.template_id}' was not found`, [
          { path: 'template_id', message: 'is not a template you can use' },
        ]);
      }
      throw error;
    });
    if (!template.isActive)
      throw AppError.validation(`template '${request.template_id}' is no longer active`, [
        { path: 'template_id', message: 'is deactivated' },
      ]);
    return { id: template.id, version: template.version, document: template.document };
  }

  private async planWith(
    principal: Principal,
    id: string,
    request: CreateDeploymentRequest,
    template: { id: string; version: string; document: TemplateDocument },
  ): Promise<PlannedDeployment> {
    const cluster = await this.budcluster.getCluster(principal.token, request.cluster_id);
    const schedule = await this.budcluster.schedule(principal.token, request.cluster_id, new Date(this.clock.now()));
    const gpuFree = Object.fromEntries(Object.entries(schedule.gpus).map(([type, g]) => [type, Math.max(0, g.total - g.used)]));
    const context: ResolveContext = {
      deployment: {
        id,
        name: request.name,
        namespace: `uc-${id.replace(/-/g, '').slice(0, 12)}`,
        ...(request.project_id ? { project_id: request.project_id } : {}),
      },
      cluster: {
        id: cluster.id,
        name: cluster.name,
        type: cluster.type,
        ingress_url: cluster.ingress_url,
        price_table: cluster.price_table,
        gpu_inventory: cluster.gpu_inventory,
        gpu_free: gpuFree,
      },
    };
    const registry = await this.components.activeRegistry();
    const resolved = resolveTemplate({
      template: template.document,
      registry,
      parameters: request.parameters,
      context,
      models: this.models,
    });
    if (!resolved.ok) {
      const first = resolved.errors[0];
      throw AppError.validation(`the deployment is invalid: ${first?.path} ${first?.message}`, resolved.errors);
    }
    const parameters = resolveParameters(template.document.parameters, request.parameters);
    const secretParameters = Object.fromEntries([...parameters.secrets].map((name) => [name, parameters.values[name]]));
    return {
      template: { id: template.id, version: template.version, document: template.document },
      registry,
      context,
      plan: resolved.plan,
      secretParameters,
    };
  }
}
