import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { z } from 'zod';
import type { Principal } from '@bud/auth';
import { requireScope } from '@bud/auth';
import {
  createTemplateRequestSchema,
  forkTemplateRequestSchema,
  pageOf,
  paginationQuerySchema,
  templateListQuerySchema,
  templateResponseSchema,
  templateSyncResultSchema,
  templateVersionResponseSchema,
  updateTemplateRequestSchema,
} from '@bud/contracts';
import type {
  ForkTemplateRequest,
  Page,
  PaginationQuery,
  TemplateDocument,
  TemplateListQuery,
  TemplateResponse,
  TemplateSyncResult,
  TemplateVersionResponse,
  UpdateTemplateRequest,
} from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import type { JsonSchema } from '../domain/parameter-schema';
import { TemplateSyncService } from '../services/templates/template-sync.service';
import { TemplateService } from '../services/templates/template.service';
import { slugParamsSchema } from './params';

const versionsQuerySchema = paginationQuerySchema.strict();

@Controller('api/v1/templates')
export class TemplateController {
  constructor(
    private readonly templates: TemplateService,
    private readonly sync: TemplateSyncService,
  ) {}

  @Get()
  @Operation({
    summary: "List system templates and the caller's tenant's, by id",
    query: templateListQuerySchema,
    response: pageOf(templateResponseSchema),
  })
  list(@CurrentPrincipal() principal: Principal, @ValidQuery() query: TemplateListQuery): Promise<Page<TemplateResponse>> {
    return this.templates.list(principal, query);
  }

  @Post()
  @Operation({
    summary: "Save a user template in the caller's tenant",
    body: createTemplateRequestSchema,
    response: templateResponseSchema,
    status: 201,
    errors: [409],
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(createTemplateRequestSchema, 'template')) body: TemplateDocument,
  ): Promise<TemplateResponse> {
    return this.templates.create(principal, body);
  }

  @Post('sync')
  @HttpCode(200)
  @Operation({
    summary: 'Sync the registry seed and system templates from TEMPLATES_DIR (platform:admin)',
    response: templateSyncResultSchema,
    status: 200,
  })
  async syncSystemTemplates(@CurrentPrincipal() principal: Principal): Promise<TemplateSyncResult> {
    requireScope(principal, 'platform:admin');
    return this.sync.syncAll();
  }

  @Get(':id')
  @Operation({ summary: 'Get a template', response: templateResponseSchema })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
  ): Promise<TemplateResponse> {
    return this.templates.get(principal, params.id);
  }

  @Get(':id/schema')
  @Operation({
    summary: "JSON Schema (draft 2020-12) of the template's parameters, for forms",
    response: z.record(z.string(), z.unknown()),
  })
  schema(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
  ): Promise<JsonSchema> {
    return this.templates.parametersSchema(principal, params.id);
  }

  @Get(':id/versions')
  @Operation({
    summary: 'Saved revisions of a template, newest first',
    query: versionsQuerySchema,
    response: pageOf(templateVersionResponseSchema),
  })
  versions(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
    @ValidQuery() query: PaginationQuery,
  ): Promise<Page<TemplateVersionResponse>> {
    return this.templates.versions(principal, params.id, query);
  }

  @Put(':id')
  @Operation({
    summary: 'Replace a user template (owner or template:manage; revision guards concurrent edits)',
    body: updateTemplateRequestSchema,
    response: templateResponseSchema,
    errors: [409],
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
    @Body(new ZodPipe(updateTemplateRequestSchema, 'template')) body: UpdateTemplateRequest,
  ): Promise<TemplateResponse> {
    return this.templates.update(principal, params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Operation({ summary: 'Delete a user template and its history (owner or template:manage)', status: 204, errors: [409] })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
  ): Promise<void> {
    await this.templates.delete(principal, params.id);
  }

  @Post(':id/fork')
  @Operation({
    summary: 'Copy a visible template into a user template (default id <id>-copy, made unique)',
    body: forkTemplateRequestSchema,
    response: templateResponseSchema,
    status: 201,
    errors: [409],
  })
  fork(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
    @Body(new ZodPipe(forkTemplateRequestSchema, 'fork request')) body: ForkTemplateRequest,
  ): Promise<TemplateResponse> {
    return this.templates.fork(principal, params.id, body);
  }
}
