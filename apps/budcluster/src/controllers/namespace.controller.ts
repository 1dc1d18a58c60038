import { Controller, Get, Param } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { namespaceResponseSchema, pageOf, paginationQuerySchema } from '@bud/contracts';
import type { NamespaceResponse, Page, PaginationQuery } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { NamespaceService } from '../services/namespace.service';
import { clusterParamsSchema } from './params';

const namespaceListQuerySchema = paginationQuerySchema.strict();

/** docs/design.md#namespaces: the namespaces budcluster manages for the caller's tenant on a cluster. */
@Controller('api/v1/clusters/:cluster_id/namespaces')
export class NamespaceController {
  constructor(private readonly namespaces: NamespaceService) {}

  @Get()
  @Operation({
    summary: "List the cluster's namespaces of the caller's tenant, by name, with the isolation objects rendered into each",
    query: namespaceListQuerySchema,
    response: pageOf(namespaceResponseSchema),
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(clusterParamsSchema, 'path')) params: { cluster_id: string },
    @ValidQuery() query: PaginationQuery,
  ): Promise<Page<NamespaceResponse>> {
    return this.namespaces.list(principal, params.cluster_id, query);
  }
}
