import { Injectable } from '@nestjs/common';
import type { Tx } from '@bud/database';

/** What the meter tells the budgets after it has written a chunk of the ledger (same transaction, not yet committed). */
export interface MeterTickResult {
  /** The tenants whose usage the chunk added to (each once). */
  tenantIds: string[];
  /** The clock's now of the tick. */
  now: Date;
}

/**
 * docs/design.md#budgets: called by the meter inside its transaction after the ledger, the rollup and the watermark
 * are written; records threshold crossings and their events in that same transaction.
 */
export interface BudgetWatcher {
  afterMeter(tx: Tx, input: MeterTickResult): Promise<void>;
}

export const BUDGET_WATCHER = Symbol('BUDGET_WATCHER');

/** Placeholder until the budgets land: watches nothing. */
@Injectable()
export class NoBudgetWatcher implements BudgetWatcher {
  async afterMeter(): Promise<void> {
    // nothing to watch
  }
}
