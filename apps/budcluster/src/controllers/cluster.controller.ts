import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import {
  clusterListQuerySchema,
  clusterResponseSchema,
  createClusterRequestSchema,
  deleteClusterQuerySchema,
  pageOf,
  paginationQuerySchema,
  updateClusterRequestSchema,
} from '@bud/contracts';
import type { ClusterResponse, CreateClusterRequest, Page, UpdateClusterRequest } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { z } from 'zod';
import { ClusterService } from '../services/cluster.service';
import { idParamsSchema } from './params';

const listQuerySchema = paginationQuerySchema.extend(clusterListQuerySchema.shape).strict();

@Controller('api/v1/clusters')
export class ClusterController {
  constructor(private readonly clusters: ClusterService) {}

  @Post()
  @Operation({
    summary: 'Register a cluster (kubeconfig validated, stored encrypted, never returned)',
    body: createClusterRequestSchema,
    response: clusterResponseSchema,
    status: 201,
    errors: [409],
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(createClusterRequestSchema, 'cluster')) body: CreateClusterRequest,
  ): Promise<ClusterResponse> {
    return this.clusters.create(principal, body);
  }

  @Get()
  @Operation({ summary: "List the caller's and shared clusters, by name", query: listQuerySchema, response: pageOf(clusterResponseSchema) })
  list(@CurrentPrincipal() principal: Principal, @ValidQuery() query: z.infer<typeof listQuerySchema>): Promise<Page<ClusterResponse>> {
    return this.clusters.list(principal, { type: query.type, status: query.status }, query.page, query.page_size);
  }

  @Get(':id')
  @Operation({ summary: 'Get a cluster', response: clusterResponseSchema })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParamsSchema, 'path')) params: { id: string },
  ): Promise<ClusterResponse> {
    return this.clusters.get(principal, params.id);
  }

  @Patch(':id')
  @Operation({
    summary: 'Change name, ingress URL, price table or simulated settings',
    body: updateClusterRequestSchema,
    response: clusterResponseSchema,
    errors: [409],
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParamsSchema, 'path')) params: { id: string },
    @Body(new ZodPipe(updateClusterRequestSchema, 'cluster update')) body: UpdateClusterRequest,
  ): Promise<ClusterResponse> {
    return this.clusters.update(principal, params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Operation({
    summary: 'Delete a cluster (409 with active jobs unless ?force=true)',
    query: deleteClusterQuerySchema,
    status: 204,
    errors: [409],
  })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParamsSchema, 'path')) params: { id: string },
    @ValidQuery() query: { force?: 'true' | 'false' },
  ): Promise<void> {
    await this.clusters.delete(principal, params.id, query.force === 'true');
  }
}
