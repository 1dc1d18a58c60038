import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Principal } from '@bud/auth';
import {
  changePlanSchema,
  createDeploymentQuerySchema,
  deleteDeploymentQuerySchema,
  dryRunQuerySchema,
  scaleComponentRequestSchema,
  upgradeDeploymentRequestSchema,
  createDeploymentRequestSchema,
  deploymentComponentResponseSchema,
  deploymentEventSchema,
  deploymentListQuerySchema,
  deploymentResponseSchema,
  pageOf,
  updateDeploymentRequestSchema,
  uuidSchema,
} from '@bud/contracts';
import type {
  ChangePlan,
  CreateDeploymentQuery,
  DeleteDeploymentQuery,
  DryRunQuery,
  ScaleComponentRequest,
  UpgradeDeploymentRequest,
  CreateDeploymentRequest,
  DeploymentListQuery,
  DeploymentPlan,
  DeploymentResponse,
  Page,
  UpdateDeploymentRequest,
} from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { DeploymentEventStream } from '../services/deployments/deployment-event-stream.service';
import { DeploymentService } from '../services/deployments/deployment.service';

const idParams = z.object({ id: uuidSchema }).strict();
/** The answer of a change: the deployment, or with ?dry_run=true the ChangePlan. */
const changeResponse = z.union([deploymentResponseSchema, changePlanSchema]);
const componentParams = z.object({ id: uuidSchema, component_id: z.string().min(1).max(63) }).strict();

@Controller('api/v1/deployments')
export class DeploymentController {
  constructor(
    private readonly deployments: DeploymentService,
    private readonly stream: DeploymentEventStream,
  ) {}

  @Post()
  @Operation({
    summary: 'Deploy a template on a cluster (201); ?dry_run=true answers the plan (200) and creates nothing',
    body: createDeploymentRequestSchema,
    query: createDeploymentQuerySchema,
    response: deploymentResponseSchema,
    status: 201,
    errors: [409],
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @ValidQuery() query: CreateDeploymentQuery,
    @Body(new ZodPipe(createDeploymentRequestSchema, 'deployment')) body: CreateDeploymentRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DeploymentResponse | DeploymentPlan> {
    if (query.dry_run === 'true') {
      response.status(200);
      return this.deployments.dryRun(principal, body);
    }
    return this.deployments.create(principal, body);
  }

  @Get()
  @Operation({ summary: 'List deployments, newest first', query: deploymentListQuerySchema, response: pageOf(deploymentResponseSchema) })
  list(@CurrentPrincipal() principal: Principal, @ValidQuery() query: DeploymentListQuery): Promise<Page<DeploymentResponse>> {
    return this.deployments.list(principal, query);
  }

  @Get(':id')
  @Operation({ summary: 'Get a deployment with its components', response: deploymentResponseSchema })
  get(@CurrentPrincipal() principal: Principal, @Param(new ZodPipe(idParams, 'path')) params: { id: string }): Promise<DeploymentResponse> {
    return this.deployments.get(principal, params.id);
  }

  @Get(':id/components')
  @Operation({ summary: "A deployment's components with status and blocked_by", response: z.array(deploymentComponentResponseSchema) })
  components(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParams, 'path')) params: { id: string },
  ): Promise<DeploymentResponse['components']> {
    return this.deployments.components(principal, params.id);
  }

  @Get(':id/events')
  @Operation({
    summary: 'History; with Accept: text/event-stream, a live stream (SSE)',
    response: z.object({ items: z.array(deploymentEventSchema) }),
  })
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParams, 'path')) params: { id: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.deployments.visible(principal, params.id, 'view');
    if ((request.headers.accept ?? '').includes('text/event-stream')) return this.stream.serve(params.id, request, response);
    response.json({ items: await this.stream.history(params.id) });
  }

  @Patch(':id')
  @Operation({
    summary:
      'Update parameters in place: changed jobs roll out, added components start, dropped ones go; ?dry_run=true answers the ChangePlan',
    body: updateDeploymentRequestSchema,
    query: dryRunQuerySchema,
    response: changeResponse,
    errors: [404, 409],
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParams, 'path')) params: { id: string },
    @ValidQuery() query: DryRunQuery,
    @Body(new ZodPipe(updateDeploymentRequestSchema, 'deployment update')) body: UpdateDeploymentRequest,
  ): Promise<DeploymentResponse | ChangePlan> {
    if (query.dry_run === 'true')
      return this.deployments.previewChange(principal, params.id, { kind: 'update', parameters: body.parameters });
    return this.deployments.update(principal, params.id, body);
  }

  @Post(':id/components/:component_id/scale')
  @Operation({
    summary: 'Scale a component (replicas and/or resources); replicas alone restart nothing; ?dry_run=true answers the ChangePlan',
    body: scaleComponentRequestSchema,
    query: dryRunQuerySchema,
    response: changeResponse,
    status: 200,
    errors: [404, 409],
  })
  @HttpCode(200)
  scale(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(componentParams, 'path')) params: { id: string; component_id: string },
    @ValidQuery() query: DryRunQuery,
    @Body(new ZodPipe(scaleComponentRequestSchema, 'scale')) body: ScaleComponentRequest,
  ): Promise<DeploymentResponse | ChangePlan> {
    if (query.dry_run === 'true')
      return this.deployments.previewChange(principal, params.id, { kind: 'scale', componentId: params.component_id, request: body });
    return this.deployments.scale(principal, params.id, params.component_id, body);
  }

  @Post(':id/upgrade')
  @Operation({
    summary: 'Move to the newest active version of the template (upgrade_available) in place; ?dry_run=true answers the ChangePlan',
    body: upgradeDeploymentRequestSchema,
    query: dryRunQuerySchema,
    response: changeResponse,
    status: 200,
    errors: [404, 409],
  })
  @HttpCode(200)
  upgrade(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParams, 'path')) params: { id: string },
    @ValidQuery() query: DryRunQuery,
    @Body(new ZodPipe(upgradeDeploymentRequestSchema, 'upgrade')) body: UpgradeDeploymentRequest,
  ): Promise<DeploymentResponse | ChangePlan> {
    if (query.dry_run === 'true')
      return this.deployments.previewChange(principal, params.id, { kind: 'upgrade', parameters: body.parameters });
    return this.deployments.upgrade(principal, params.id, body);
  }

  @Post(':id/stop')
  @HttpCode(202)
  @Operation({
    summary: 'Stop: cancel the jobs, dependents first; volumes stay; ?dry_run=true answers the ChangePlan (200)',
    query: dryRunQuerySchema,
    response: changeResponse,
    status: 202,
    errors: [404, 409],
  })
  async stop(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParams, 'path')) params: { id: string },
    @ValidQuery() query: DryRunQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DeploymentResponse | ChangePlan> {
    if (query.dry_run === 'true') {
      response.status(200);
      return this.deployments.previewChange(principal, params.id, { action: 'stop' });
    }
    return this.deployments.stop(principal, params.id);
  }

  @Post(':id/start')
  @HttpCode(202)
  @Operation({ summary: 'Re-run a stopped or failed deployment', response: deploymentResponseSchema, status: 202, errors: [409] })
  start(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParams, 'path')) params: { id: string },
  ): Promise<DeploymentResponse> {
    return this.deployments.start(principal, params.id);
  }

  @Post(':id/components/:component_id/retry')
  @HttpCode(202)
  @Operation({ summary: 'Retry a failed component', response: deploymentResponseSchema, status: 202, errors: [409] })
  retry(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(componentParams, 'path')) params: { id: string; component_id: string },
  ): Promise<DeploymentResponse> {
    return this.deployments.retryComponent(principal, params.id, params.component_id);
  }

  @Delete(':id')
  @HttpCode(202)
  @Operation({
    summary:
      'Delete: remove the jobs in reverse dependency order, then the record; volumes are destroyed unless keep_data=true; ?dry_run=true answers the ChangePlan (200)',
    query: deleteDeploymentQuerySchema,
    response: changeResponse,
    status: 202,
    errors: [404, 409],
  })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParams, 'path')) params: { id: string },
    @ValidQuery() query: DeleteDeploymentQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DeploymentResponse | ChangePlan> {
    const keepData = query.keep_data === 'true';
    if (query.dry_run === 'true') {
      response.status(200);
      return this.deployments.previewChange(principal, params.id, { action: 'delete', keepData });
    }
    return this.deployments.delete(principal, params.id, keepData);
  }
}
