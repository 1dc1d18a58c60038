import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import {
  budgetCheckRequestSchema,
  budgetResponseSchema,
  budgetVerdictSchema,
  pageOf,
  paginationQuerySchema,
  putBudgetRequestSchema,
} from '@bud/contracts';
import type { BudgetCheckRequest, BudgetResponse, BudgetVerdict, Page, PaginationQuery, PutBudgetRequest } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { BudgetService } from '../services/budget.service';
import { idParamsSchema } from './params';

const budgetListQuerySchema = paginationQuerySchema.strict();

/** docs/design.md#budgets: the caller's tenant's budgets, this month's standing with each. */
@Controller('api/v1/budgets')
export class BudgetController {
  constructor(private readonly budgets: BudgetService) {}

  @Get()
  @Operation({
    summary: "The tenant's budgets with this month's spend, remaining, projected month end and crossed thresholds (billing:view)",
    query: budgetListQuerySchema,
    response: pageOf(budgetResponseSchema),
  })
  list(@CurrentPrincipal() principal: Principal, @ValidQuery() query: PaginationQuery): Promise<Page<BudgetResponse>> {
    return this.budgets.list(principal, query);
  }

  @Put()
  @Operation({
    summary: "Set the tenant's budget, or a project's (one per scope; billing:manage); thresholds already reached publish now",
    body: putBudgetRequestSchema,
    response: budgetResponseSchema,
  })
  put(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(putBudgetRequestSchema, 'budget')) body: PutBudgetRequest,
  ): Promise<BudgetResponse> {
    return this.budgets.put(principal, body);
  }

  @Post('check')
  @HttpCode(200)
  @Operation({
    summary: 'What new work at a cost per hour would do to the budgets covering it (billing:view or a service token)',
    body: budgetCheckRequestSchema,
    response: budgetVerdictSchema,
  })
  check(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(budgetCheckRequestSchema, 'budget check')) body: BudgetCheckRequest,
  ): Promise<BudgetVerdict> {
    return this.budgets.check(principal, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Operation({ summary: "Delete one of the tenant's budgets (billing:manage)", status: 204 })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(idParamsSchema, 'path')) params: { id: string },
  ): Promise<void> {
    await this.budgets.delete(principal, params.id);
  }
}
