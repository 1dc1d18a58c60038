import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { BudgetAction } from '@bud/contracts';
import { managerOf, mapRow, returnedRows, runInTransaction } from '@bud/database';
import type { Tx } from '@bud/database';

/** A `budgets` row (money as the decimal string SQL numeric gives). */
export interface BudgetRow {
  id: string;
  tenantId: string;
  projectId: string | null;
  monthlyAmount: string;
  thresholds: number[];
  action: BudgetAction;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface BudgetCrossingRow {
  budgetId: string;
  period: string;
  threshold: number;
  spent: string;
  crossedAt: Date;
}

/** The scope's jobs or usage rows: the tenant's (parameter $2 null), or one project's of it. */
const IN_SCOPE = `tenant_id = $1 AND ($2::uuid IS NULL OR project_id = $2::uuid)`;
/** The statuses in which a job holds resources and so is metered (docs/design.md#metering). */
const HOLDING = `status IN ('admitted', 'running')`;

function toBudget(row: Record<string, unknown>): BudgetRow {
  const budget = mapRow<BudgetRow>(row);
  budget.monthlyAmount = String(budget.monthlyAmount);
  return budget;
}

/** `budgets` and `budget_crossings`, and the month-to-date spend and running rate budgets are checked against. */
@Injectable()
export class BudgetRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return runInTransaction(this.db, work);
  }

  private async run(tx: Tx | undefined, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return returnedRows(await (tx ? managerOf(tx) : this.db).query(sql, params));
  }

  /** The tenant's budgets, its own first, then its projects' by project id. */
  async ofTenant(tenantId: string, tx?: Tx): Promise<BudgetRow[]> {
    const rows = await this.run(tx, `SELECT * FROM budgets WHERE tenant_id = $1 ORDER BY project_id NULLS FIRST`, [tenantId]);
    return rows.map(toBudget);
  }

  async ofTenants(tenantIds: readonly string[], tx?: Tx): Promise<BudgetRow[]> {
    if (tenantIds.length === 0) return [];
    const rows = await this.run(tx, `SELECT * FROM budgets WHERE tenant_id = ANY($1::uuid[]) ORDER BY tenant_id, project_id NULLS FIRST`, [
      [...tenantIds],
    ]);
    return rows.map(toBudget);
  }

  /** The budgets covering work of the tenant in `projectId`: the tenant's and that project's (either may be absent). */
  async covering(tenantId: string, projectId: string | null, tx?: Tx): Promise<BudgetRow[]> {
    const rows = await this.run(
      tx,
      `SELECT * FROM budgets WHERE tenant_id = $1 AND (project_id IS NULL OR project_id = $2) ORDER BY project_id NULLS FIRST`,
      [tenantId, projectId],
    );
    return rows.map(toBudget);
  }

  async find(id: string): Promise<BudgetRow | null> {
    const rows = await this.run(undefined, `SELECT * FROM budgets WHERE id = $1`, [id]);
    return rows[0] ? toBudget(rows[0]) : null;
  }

  /**
   * Serializes the PUTs of one tenant's budgets until the transaction ends (so the per-tenant cap holds under
   * concurrent PUTs) and answers the scope's current budget, if any.
   */
  async lockScope(tx: Tx, tenantId: string, projectId: string | null): Promise<BudgetRow | null> {
    await this.run(tx, `SELECT pg_advisory_xact_lock(hashtext('budgets:' || $1::text))`, [tenantId]);
    const rows = await this.run(tx, `SELECT * FROM budgets WHERE tenant_id = $1 AND project_id IS NOT DISTINCT FROM $2::uuid`, [
      tenantId,
      projectId,
    ]);
    return rows[0] ? toBudget(rows[0]) : null;
  }

  /** How many project budgets the tenant has. */
  async projectBudgetCount(tx: Tx, tenantId: string): Promise<number> {
    const rows = await this.run(tx, `SELECT count(*)::int AS n FROM budgets WHERE tenant_id = $1 AND project_id IS NOT NULL`, [tenantId]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Forgets the period's crossings of the budget except `keep` (a changed budget crosses those again when reached). */
  async forgetCrossings(tx: Tx, budgetId: string, period: string, keep: readonly number[]): Promise<number[]> {
    const rows = await this.run(
      tx,
      `DELETE FROM budget_crossings WHERE budget_id = $1 AND period = $2 AND NOT (threshold = ANY($3::int[])) RETURNING threshold`,
      [budgetId, period, [...keep]],
    );
    return rows.map((row) => Number(row.threshold)).sort((a, b) => a - b);
  }

  /**
   * Inserts the scope's budget or replaces its values (version + 1, id and created_at kept) in one statement, so
   * concurrent PUTs of one scope leave one row.
   */
  async upsert(tx: Tx, budget: BudgetRow): Promise<BudgetRow> {
    const rows = await this.run(
      tx,
      `INSERT INTO budgets (id, tenant_id, project_id, monthly_amount, thresholds, action, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $7, 1)
       ON CONFLICT (tenant_id, COALESCE(project_id, '00000000-0000-0000-0000-000000000000'))
       DO UPDATE SET monthly_amount = EXCLUDED.monthly_amount, thresholds = EXCLUDED.thresholds, action = EXCLUDED.action,
                     updated_at = EXCLUDED.updated_at, version = budgets.version + 1
       RETURNING *`,
      [
        budget.id,
        budget.tenantId,
        budget.projectId,
        budget.monthlyAmount,
        JSON.stringify(budget.thresholds),
        budget.action,
        budget.updatedAt,
      ],
    );
    return toBudget(rows[0]);
  }

  /** Deletes the tenant's budget (its crossings go with it); false when there was none. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.run(undefined, `DELETE FROM budgets WHERE id = $1 AND tenant_id = $2 RETURNING id`, [id, tenantId]);
    return rows.length > 0;
  }

  /**
   * The scope's metered cost in [from, to) as a decimal string. Every ledger row is added to its hour in usage_hourly in
   * the same transaction, so whole hours (a month is whole hours) read the rollup alone, exactly.
   */
  async spent(tenantId: string, projectId: string | null, from: Date, to: Date, tx?: Tx): Promise<string> {
    const rows = await this.run(
      tx,
      `SELECT COALESCE(SUM(cost), 0)::text AS spent FROM usage_hourly WHERE ${IN_SCOPE} AND hour >= $3 AND hour < $4`,
      [tenantId, projectId, from, to],
    );
    return (rows[0]?.spent as string | undefined) ?? '0';
  }

  /** What the scope's jobs holding resources now cost per hour, together, as a decimal string. */
  async runningPerHour(tenantId: string, projectId: string | null, tx?: Tx): Promise<string> {
    const rows = await this.run(
      tx,
      `SELECT COALESCE(SUM(estimated_cost_per_hour), 0)::text AS per_hour FROM jobs WHERE ${IN_SCOPE} AND ${HOLDING}`,
      [tenantId, projectId],
    );
    return (rows[0]?.per_hour as string | undefined) ?? '0';
  }

  /** The thresholds recorded as crossed, per budget, for the period. */
  async crossed(budgetIds: readonly string[], period: string, tx?: Tx): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (budgetIds.length === 0) return out;
    const rows = await this.run(
      tx,
      `SELECT budget_id, threshold FROM budget_crossings WHERE budget_id = ANY($1::uuid[]) AND period = $2 ORDER BY threshold`,
      [[...budgetIds], period],
    );
    for (const row of rows) {
      const id = String(row.budget_id);
      out.set(id, [...(out.get(id) ?? []), Number(row.threshold)]);
    }
    return out;
  }

  /** Records a crossing; false when it was already recorded (the event went out then). */
  async recordCrossing(tx: Tx, crossing: BudgetCrossingRow): Promise<boolean> {
    const rows = await this.run(
      tx,
      `INSERT INTO budget_crossings (budget_id, period, threshold, spent, crossed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING threshold`,
      [crossing.budgetId, crossing.period, crossing.threshold, crossing.spent, crossing.crossedAt],
    );
    return rows.length > 0;
  }
}
