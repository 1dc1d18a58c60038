import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import {
  componentListQuerySchema,
  componentResponseSchema,
  componentSearchQuerySchema,
  createComponentRequestSchema,
  pageOf,
  updateComponentRequestSchema,
} from '@bud/contracts';
import type { ComponentDefinition, ComponentListQuery, ComponentResponse, ComponentSearchQuery, Page } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { ComponentService } from '../services/registry/component.service';
import { slugParamsSchema } from './params';

@Controller('api/v1/components')
export class ComponentController {
  constructor(private readonly components: ComponentService) {}

  @Get()
  @Operation({
    summary: 'List active registry components, by id',
    query: componentListQuerySchema,
    response: pageOf(componentResponseSchema),
  })
  list(@ValidQuery() query: ComponentListQuery): Promise<Page<ComponentResponse>> {
    return this.components.list(query);
  }

  // Declared before `:id` so that `search` is never read as a component id.
  @Get('search')
  @Operation({
    summary: 'Active components in a category carrying every listed tag (up to 100, by id)',
    query: componentSearchQuerySchema,
    response: pageOf(componentResponseSchema),
  })
  search(@ValidQuery() query: ComponentSearchQuery): Promise<Page<ComponentResponse>> {
    return this.components.search(query);
  }

  @Get(':id')
  @Operation({ summary: 'Get a component (soft-deleted ones too, with is_active false)', response: componentResponseSchema })
  get(@Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string }): Promise<ComponentResponse> {
    return this.components.get(params.id);
  }

  @Post()
  @Operation({
    summary: 'Register a component (platform:admin)',
    body: createComponentRequestSchema,
    response: componentResponseSchema,
    status: 201,
    errors: [409],
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(createComponentRequestSchema, 'component')) body: ComponentDefinition,
  ): Promise<ComponentResponse> {
    return this.components.create(principal, body);
  }

  @Put(':id')
  @Operation({
    summary: 'Replace a component definition, reviving it if soft-deleted (platform:admin)',
    body: updateComponentRequestSchema,
    response: componentResponseSchema,
    errors: [409],
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
    @Body(new ZodPipe(updateComponentRequestSchema, 'component')) body: ComponentDefinition,
  ): Promise<ComponentResponse> {
    return this.components.update(principal, params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Operation({ summary: 'Soft-delete a component (platform:admin; 409 while an active template uses it)', status: 204, errors: [409] })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(slugParamsSchema, 'path')) params: { id: string },
  ): Promise<void> {
    await this.components.delete(principal, params.id);
  }
}
