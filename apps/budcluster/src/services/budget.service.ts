import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { requireScope } from '@bud/auth';
import type { BudgetCheckRequest, BudgetResponse, BudgetVerdict, Page, PaginationQuery, PutBudgetRequest } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { Logger } from '@bud/logging';
import { OutboxRelay } from '@bud/outbox';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import type { BudgetStanding } from '../domain/budget';
import { budgetVerdict, formatMicros, monthOf, normalThresholds, projectedNewMicros, usdMicros } from '../domain/budget';
import { BudgetRepository } from '../repositories/budget.repository';
import type { BudgetRow } from '../repositories/budget.repository';
import { toBudgetResponse } from './budget.mapper';
import { LedgerBudgetWatcher } from './budget-watcher';

/**
 * docs/design.md#budgets: a monthly amount per tenant and per project, thresholds that publish an event once a month
 * (LedgerBudgetWatcher), and what happens at 100%: `notify` only, `block_new` refuses new jobs whose rest-of-month
 * cost does not fit (checked at job create and by POST /budgets/check), `stop` has budusecases stop the scope's
 * running deployments when the 100% event reaches it.
 */
@Injectable()
export class BudgetService {
  private readonly logger = new Logger('budgets');

  constructor(
    private readonly budgets: BudgetRepository,
    private readonly watcher: LedgerBudgetWatcher,
    private readonly relay: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(principal: Principal, query: PaginationQuery): Promise<Page<BudgetResponse>> {
    requireScope(principal, 'billing:view');
    const rows = await this.budgets.ofTenant(principal.tenantId);
    const start = (query.page - 1) * query.page_size;
    const items = await this.respond(rows.slice(start, start + query.page_size));
    return { items, total: rows.length, page: query.page, page_size: query.page_size };
  }

  /**
   * Sets the scope's budget (one per tenant and per project). Thresholds the month's spend already reached are recorded
   * and announced at once, in the same transaction: lowering a budget below the spend acts now, not at the next tick.
   */
  async put(principal: Principal, request: PutBudgetRequest): Promise<BudgetResponse> {
    requireScope(principal, 'billing:manage');
    const now = new Date(this.clock.now());
    const { row, crossed } = await this.budgets.transaction(async (tx) => {
      const row = await this.budgets.upsert(tx, {
        id: randomUUID(),
        tenantId: principal.tenantId,
        projectId: request.project_id ?? null,
        monthlyAmount: formatMicros(usdMicros(request.monthly_amount)),
        thresholds: normalThresholds(request.thresholds),
        action: request.action,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      return { row, crossed: await this.watcher.check(tx, row, monthOf(now), now) };
    });
    if (crossed.length > 0) this.relay.wake();
    this.logger.info('budget set', {
      budget_id: row.id,
      tenant_id: row.tenantId,
      project_id: row.projectId,
      monthly_amount: row.monthlyAmount,
      action: row.action,
      version: row.version,
    });
    const [response] = await this.respond([row]);
    return response;
  }

  async delete(principal: Principal, id: string): Promise<void> {
    requireScope(principal, 'billing:manage');
    if (!(await this.budgets.delete(principal.tenantId, id))) throw AppError.notFound('budget', id);
    this.logger.info('budget deleted', { budget_id: id, tenant_id: principal.tenantId });
  }

  /** What new work at `estimated_cost_per_hour` would do to the caller's budgets (the deployment dry-run asks this). */
  async check(principal: Principal, request: BudgetCheckRequest): Promise<BudgetVerdict> {
    requireScope(principal, 'billing:view');
    const now = new Date(this.clock.now());
    return this.verdict(
      principal.tenantId,
      request.project_id ?? null,
      projectedNewMicros(usdMicros(request.estimated_cost_per_hour), now),
      now,
    );
  }

  /**
   * Job create's gate: a `block_new` budget covering the job (the tenant's, its project's) refuses it with a 422 on
   * `resources` when its rest-of-month cost does not fit. Only tenants with a block_new budget pay for the sums. A
   * create that `exists` (a repeat of one that succeeded) is not refused.
   */
  async admitJob(
    tenantId: string,
    projectId: string | null,
    cost: { perHour: string; bounded: string | null },
    exists: () => Promise<boolean>,
  ): Promise<void> {
    const covering = await this.budgets.covering(tenantId, projectId);
    if (!covering.some((budget) => budget.action === 'block_new') || (await exists())) return;
    const now = new Date(this.clock.now());
    const projected = projectedNewMicros(usdMicros(cost.perHour), now, cost.bounded === null ? null : usdMicros(cost.bounded));
    const verdict = await this.verdictOf(covering, projected, now);
    if (verdict.admits) return;
    throw AppError.validation(`the job is over budget: ${verdict.message}`, [{ path: 'resources', message: verdict.message }]);
  }

  private async verdict(tenantId: string, projectId: string | null, projectedNew: bigint, now: Date): Promise<BudgetVerdict> {
    return this.verdictOf(await this.budgets.covering(tenantId, projectId), projectedNew, now);
  }

  private async verdictOf(covering: BudgetRow[], projectedNew: bigint, now: Date): Promise<BudgetVerdict> {
    const month = monthOf(now);
    const standings: BudgetStanding[] = await Promise.all(
      covering.map(async (budget) => {
        const [spent, running] = await Promise.all([
          this.budgets.spent(budget.tenantId, budget.projectId, month.start, month.end),
          this.budgets.runningPerHour(budget.tenantId, budget.projectId),
        ]);
        return {
          budgetId: budget.id,
          projectId: budget.projectId,
          action: budget.action,
          amount: usdMicros(budget.monthlyAmount),
          spent: usdMicros(spent),
          runningPerHour: usdMicros(running),
        };
      }),
    );
    return budgetVerdict(standings, projectedNew, now);
  }

  private async respond(rows: BudgetRow[]): Promise<BudgetResponse[]> {
    const now = new Date(this.clock.now());
    const month = monthOf(now);
    const crossed = await this.budgets.crossed(
      rows.map((row) => row.id),
      month.period,
    );
    return Promise.all(
      rows.map(async (row) => {
        const [spent, running] = await Promise.all([
          this.budgets.spent(row.tenantId, row.projectId, month.start, month.end),
          this.budgets.runningPerHour(row.tenantId, row.projectId),
        ]);
        return toBudgetResponse(row, { month, now, spent, runningPerHour: running, crossed: crossed.get(row.id) ?? [] });
      }),
    );
  }
}
