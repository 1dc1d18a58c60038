import { Injectable } from '@nestjs/common';
import { BUDGET_THRESHOLD_EVENT_TYPE, JOB_EVENTS_TOPIC, PUBSUB_NAME } from '@bud/contracts';
import type { BudgetThresholdEventData, CloudEvent } from '@bud/contracts';
import type { Tx } from '@bud/database';
import { Logger } from '@bud/logging';
import { OutboxRepository } from '@bud/outbox';
import { formatMicros, monthOf, normalThresholds, reachedThresholds, usdMicros } from '../domain/budget';
import type { Month } from '../domain/budget';
import { BudgetRepository } from '../repositories/budget.repository';
import type { BudgetRow } from '../repositories/budget.repository';

/** What the meter tells the watcher after writing a chunk of minutes (docs/design.md#metering, #budget-events). */
export interface MeterTickResult {
  /** The tenants that had usage in the chunk just metered. */
  tenantIds: string[];
  /** The clock's time of the tick. */
  now: Date;
  /** The chunk's minutes, [from, to): a chunk that ends a month is checked against that month, not now's. */
  meteredFrom?: Date;
  meteredTo?: Date;
}

/**
 * Called by the meter inside its transaction, after the ledger and the rollup are written: records each budget
 * threshold the month's spend has newly reached and queues its event in the same transaction.
 */
export interface BudgetWatcher {
  afterMeter(tx: Tx, input: MeterTickResult): Promise<void>;
}
export const BUDGET_WATCHER = Symbol('BUDGET_WATCHER');

/** Watches nothing: for a meter under test without budgets. */
@Injectable()
export class NoBudgetWatcher implements BudgetWatcher {
  async afterMeter(): Promise<void> {
    // nothing to watch
  }
}

/**
 * docs/design.md#budget-events: a threshold is crossed when the month's metered spend of the budget's scope reaches
 * that percent of its amount. The crossing row (primary key budget, month, threshold) and the outbox row are written
 * in the caller's transaction, so each threshold publishes exactly once a month, whatever repeats or restarts.
 */
@Injectable()
export class LedgerBudgetWatcher implements BudgetWatcher {
  private readonly logger = new Logger('budget-watcher');

  constructor(
    private readonly budgets: BudgetRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async afterMeter(tx: Tx, input: MeterTickResult): Promise<void> {
    const budgets = await this.budgets.ofTenants([...new Set(input.tenantIds)], tx);
    if (budgets.length === 0) return;
    for (const month of monthsOf(input)) for (const budget of budgets) await this.check(tx, budget, month, input.now);
  }

  /** Records and announces the thresholds the budget's month newly reached; answers them. */
  async check(tx: Tx, budget: BudgetRow, month: Month, now: Date): Promise<number[]> {
    const spent = usdMicros(await this.budgets.spent(budget.tenantId, budget.projectId, month.start, month.end, tx));
    const reached = reachedThresholds(normalThresholds(budget.thresholds), spent, usdMicros(budget.monthlyAmount));
    if (reached.length === 0) return [];
    const already = new Set((await this.budgets.crossed([budget.id], month.period, tx)).get(budget.id) ?? []);
    const crossed: number[] = [];
    for (const threshold of reached.filter((t) => !already.has(t))) {
      const crossing = { budgetId: budget.id, period: month.period, threshold, spent: formatMicros(spent), crossedAt: now };
      if (!(await this.budgets.recordCrossing(tx, crossing))) continue;
      await this.outbox.add(tx, PUBSUB_NAME, JOB_EVENTS_TOPIC, thresholdEvent(budget, crossing.period, threshold, spent, now), now);
      crossed.push(threshold);
      this.logger.info('budget threshold crossed', {
        budget_id: budget.id,
        tenant_id: budget.tenantId,
        project_id: budget.projectId,
        period: month.period,
        threshold,
        spent: formatMicros(spent),
        action: budget.action,
      });
    }
    return crossed;
  }
}

/** The months of the tick's time and of the chunk's first and last minute. */
function monthsOf(input: MeterTickResult): Month[] {
  const instants = [input.now, input.meteredFrom, input.meteredTo && new Date(input.meteredTo.getTime() - 1)];
  const months = new Map<string, Month>();
  for (const at of instants) {
    if (!at) continue;
    const month = monthOf(at);
    months.set(month.period, month);
  }
  return [...months.values()];
}

function thresholdEvent(
  budget: BudgetRow,
  period: string,
  threshold: number,
  spent: bigint,
  now: Date,
): CloudEvent<BudgetThresholdEventData> {
  return {
    specversion: '1.0',
    // The budget's version too: a changed budget crosses a threshold again (BudgetService.put), a new event.
    id: `budget:${budget.id}:${period}:${threshold}:v${budget.version}`,
    source: 'budcluster',
    type: BUDGET_THRESHOLD_EVENT_TYPE,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: {
      budget_id: budget.id,
      tenant_id: budget.tenantId,
      project_id: budget.projectId,
      period,
      threshold,
      action: budget.action,
      monthly_amount: formatMicros(usdMicros(budget.monthlyAmount)),
      spent: formatMicros(spent),
      occurred_at: now.toISOString(),
    },
  };
}
