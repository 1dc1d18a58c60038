import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { pageOf, paginationQuerySchema, quotaRequestSchema, quotaResponseSchema, uuidSchema } from '@bud/contracts';
import type { Page, PaginationQuery, QuotaRequest, QuotaResponse } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { z } from 'zod';
import { QuotaService } from '../services/quota.service';
import type { QuotaTenant } from '../services/quota.service';
import { clusterParamsSchema } from './params';

const quotaListQuerySchema = paginationQuerySchema.strict();
/** A tenant's id, or `default` for the cluster's default quota. */
const quotaParamsSchema = z
  .object({
    cluster_id: uuidSchema,
    tenant_id: z
      .string()
      .refine((value) => value === 'default' || uuidSchema.safeParse(value).success, 'must be a tenant id (UUID) or default'),
  })
  .strict();
type QuotaParams = z.infer<typeof quotaParamsSchema>;
const tenantOf = (params: QuotaParams): QuotaTenant => (params.tenant_id === 'default' ? null : params.tenant_id.toLowerCase());

/** docs/design.md#quotas: GPU quotas per tenant on a cluster, and what each tenant uses of its own. */
@Controller('api/v1/clusters/:cluster_id/quotas')
export class QuotaController {
  constructor(private readonly quotas: QuotaService) {}

  @Get()
  @Operation({
    summary: "List quotas with usage: an admin sees the default and every tenant's; a tenant its own effective quota",
    query: quotaListQuerySchema,
    response: pageOf(quotaResponseSchema),
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(clusterParamsSchema, 'path')) params: { cluster_id: string },
    @ValidQuery() query: PaginationQuery,
  ): Promise<Page<QuotaResponse>> {
    return this.quotas.list(principal, params.cluster_id, query);
  }

  @Get(':tenant_id')
  @Operation({
    summary: "Get a tenant's effective quota with its usage, or the default (another tenant's is a 404 to a non-admin)",
    response: quotaResponseSchema,
  })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(quotaParamsSchema, 'path')) params: QuotaParams,
  ): Promise<QuotaResponse> {
    return this.quotas.get(principal, params.cluster_id, tenantOf(params));
  }

  @Put(':tenant_id')
  @Operation({
    summary: "Set a tenant's quota, or the cluster's default (platform:admin); work above a lowered quota is not evicted",
    body: quotaRequestSchema,
    response: quotaResponseSchema,
  })
  set(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(quotaParamsSchema, 'path')) params: QuotaParams,
    @Body(new ZodPipe(quotaRequestSchema, 'quota')) body: QuotaRequest,
  ): Promise<QuotaResponse> {
    return this.quotas.set(principal, params.cluster_id, tenantOf(params), body);
  }

  @Delete(':tenant_id')
  @HttpCode(204)
  @Operation({
    summary: "Delete a tenant's quota (back to the default) or the default (back to the built-in one); platform:admin",
    status: 204,
  })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(quotaParamsSchema, 'path')) params: QuotaParams,
  ): Promise<void> {
    await this.quotas.delete(principal, params.cluster_id, tenantOf(params));
  }
}
