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
import type { Tx } from '@bud/database';
import type { BudgetStanding } from '../domain/budget';
import {
  budgetVerdict,
  formatMicros,
  monthOf,
  normalThresholds,
  projectedNewMicros,
  reachedThresholds,
  refusesNewWork,
  usdMicros,
} from '../domain/budget';
import { BudgetRepository } from '../repositories/budget.repository';
import type { BudgetRow } from '../repositories/budget.repository';
import { toBudgetResponse } from './budget.mapper';
import { LedgerBudgetWatcher } from './budget-watcher';

/** How many project budgets one tenant may have (besides its own): bounds what one tenant adds to the budget metrics. */
export const MAX_PROJECT_BUDGETS = 100;

/**
 * docs/design.md#budgets: a monthly amount per tenant and per project, thresholds that publish an event once a month
 * (LedgerBudgetWatcher), and what happens at 100%: `notify` only, `block_new` refuses new jobs whose rest-of-month
 * cost does not fit (checked at job create and by POST /budgets/check), `stop` has budusecases stop the scope's
 * running deployments when the 100% event reaches it, and refuses new work (as block_new does) while the month's
 * spend is at or over its amount.
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
   * Sets the scope's budget (one per tenant and per project; at most MAX_PROJECT_BUDGETS project budgets a tenant).
   * A changed budget forgets this month's crossings its new amount and thresholds are not reached at (and its 100%
   * crossing when the action changed), so they fire again when reached. Thresholds the month's spend already reached
   * are recorded and announced at once, in the same transaction: lowering a budget below the spend acts now, not at
   * the next tick; switching a spent budget to `stop` stops now.
   */
  async put(principal: Principal, request: PutBudgetRequest): Promise<BudgetResponse> {
    requireScope(principal, 'billing:manage');
    const now = new Date(this.clock.now());
    const projectId = request.project_id ?? null;
    const month = monthOf(now);
    const { row, crossed } = await this.budgets.transaction(async (tx) => {
      const current = await this.budgets.lockScope(tx, principal.tenantId, projectId);
      if (!current && projectId !== null && (await this.budgets.projectBudgetCount(tx, principal.tenantId)) >= MAX_PROJECT_BUDGETS) {
        const message = `the tenant has ${MAX_PROJECT_BUDGETS} project budgets, the most it may have; delete one to budget another project`;
        throw new AppError('conflict', `no budget for project ${projectId}: ${message}`, [{ path: 'project_id', message }]);
      }
      const row = await this.budgets.upsert(tx, {
        id: randomUUID(),
        tenantId: principal.tenantId,
        projectId,
        monthlyAmount: formatMicros(usdMicros(request.monthly_amount)),
        thresholds: normalThresholds(request.thresholds),
        action: request.action,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      if (current) {
        const spent = usdMicros(await this.budgets.spent(row.tenantId, row.projectId, month.start, month.end, tx));
        const reached = reachedThresholds(normalThresholds(row.thresholds), spent, usdMicros(row.monthlyAmount));
        const keep = current.action === row.action ? reached : reached.filter((t) => t < 100);
        const forgotten = await this.budgets.forgetCrossings(tx, row.id, month.period, keep);
        if (forgotten.length > 0)
          this.logger.info('budget changed: crossings to announce again', {
            budget_id: row.id,
            period: month.period,
            thresholds: forgotten,
          });
      }
      return { row, crossed: await this.watcher.check(tx, row, month, now) };
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
   * The gate of new spend: a job create, a retry, a change that raises a job's $/hour (`cost` is then what it adds).
   * A `block_new` budget covering the job (the tenant's, its project's) refuses it with a 422 on `resources` when its
   * rest-of-month cost does not fit; a `stop` budget refuses it once the month's spend reached its amount. Only
   * tenants with such a budget pay for the sums. A create that `exists` (a repeat of one that succeeded) is not
   * refused. `options.tx`: read in that transaction (the caller holds the job's row lock); `options.what` names the
   * work in the message.
   */
  async admitJob(
    tenantId: string,
    projectId: string | null,
    cost: { perHour: string; bounded: string | null },
    exists: () => Promise<boolean>,
    options: { tx?: Tx; what?: string } = {},
  ): Promise<void> {
    const covering = await this.budgets.covering(tenantId, projectId, options.tx);
    if (!covering.some((budget) => refusesNewWork(budget.action)) || (await exists())) return;
    const now = new Date(this.clock.now());
    const projected = projectedNewMicros(usdMicros(cost.perHour), now, cost.bounded === null ? null : usdMicros(cost.bounded));
    const verdict = await this.verdictOf(covering, projected, now, options.tx);
    if (verdict.admits) return;
    throw AppError.validation(`${options.what ?? 'the job'} is over budget: ${verdict.message}`, [
      { path: 'resources', message: verdict.message },
    ]);
  }

  private async verdict(tenantId: string, projectId: string | null, projectedNew: bigint, now: Date): Promise<BudgetVerdict> {
    return this.verdictOf(await this.budgets.covering(tenantId, projectId), projectedNew, now);
  }

  private async verdictOf(covering: BudgetRow[], projectedNew: bigint, now: Date, tx?: Tx): Promise<BudgetVerdict> {
    const month = monthOf(now);
    const standings: BudgetStanding[] = [];
    // One query at a time: in a transaction they share its one connection.
    for (const budget of covering) {
      const spent = await this.budgets.spent(budget.tenantId, budget.projectId, month.start, month.end, tx);
      const running = await this.budgets.runningPerHour(budget.tenantId, budget.projectId, tx);
      standings.push({
        budgetId: budget.id,
        projectId: budget.projectId,
        action: budget.action,
        amount: usdMicros(budget.monthlyAmount),
        spent: usdMicros(spent),
        runningPerHour: usdMicros(running),
      });
    }
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
