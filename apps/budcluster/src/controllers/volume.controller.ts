import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { z } from 'zod';
import type { Principal } from '@bud/auth';
import { pageOf, uuidSchema, volumeListQuerySchema, volumeResponseSchema } from '@bud/contracts';
import type { Page, VolumeListQuery, VolumeResponse } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { VolumeService } from '../services/volume.service';
import { clusterParamsSchema } from './params';

const volumeParamsSchema = z.object({ cluster_id: uuidSchema, volume_id: uuidSchema }).strict();
type ClusterParams = { cluster_id: string };
type VolumeParams = { cluster_id: string; volume_id: string };

/** docs/design.md#volumes: the claims kept for jobs, listed per cluster for their owner. */
@Controller('api/v1/clusters/:cluster_id/volumes')
export class VolumeController {
  constructor(private readonly volumes: VolumeService) {}

  @Get()
  @Operation({
    summary: "List the cluster's volumes of the caller's tenant (platform admins: every tenant's), newest first",
    query: volumeListQuerySchema,
    response: pageOf(volumeResponseSchema),
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(clusterParamsSchema, 'path')) params: ClusterParams,
    @ValidQuery() query: VolumeListQuery,
  ): Promise<Page<VolumeResponse>> {
    return this.volumes.list(principal, params.cluster_id, query);
  }

  @Get(':volume_id')
  @Operation({ summary: 'Get a volume', response: volumeResponseSchema })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(volumeParamsSchema, 'path')) params: VolumeParams,
  ): Promise<VolumeResponse> {
    return this.volumes.get(principal, params.cluster_id, params.volume_id);
  }

  @Delete(':volume_id')
  @HttpCode(204)
  @Operation({ summary: 'Delete a volume that no job has attached (its claim and data go)', status: 204, errors: [409] })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(volumeParamsSchema, 'path')) params: VolumeParams,
  ): Promise<void> {
    await this.volumes.delete(principal, params.cluster_id, params.volume_id);
  }
}
