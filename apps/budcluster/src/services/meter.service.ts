import { Inject, Injectable, Optional } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { floorMinute, HOUR_MS, meterMinutes, monthsIn } from '../domain/metering/meter-minutes';
import { MeterRepository } from '../repositories/meter.repository';
import { BUDGET_WATCHER } from './budget-watcher';
import type { BudgetWatcher } from './budget-watcher';
import { CrashPoints } from './crash-points';
import { METRICS_REGISTRY } from './metrics';

export const METER_SETTINGS = Symbol('METER_SETTINGS');
export interface MeterSettings {
  /** METER_ENABLED: the worker runs (off for the bench's comparison; `tick()` still meters when called). */
  enabled: boolean;
  /** METER_TICK_MS: how often the meter runs. */
  tickMs: number;
  /** METER_LATENESS_MS: how far behind the clock the meter stays, so late-committed status changes are seen. */
  latenessMs: number;
}
export const defaultMeterSettings: MeterSettings = { enabled: true, tickMs: 15_000, latenessMs: 5_000 };

export interface TickReport {
  /** False: another replica holds the meter's lock (or a tick of this one is running). */
  ran: boolean;
  /** Transactions committed (each at most an hour of minutes). */
  chunks: number;
  /** Ledger rows inserted. */
  rows: number;
  /** The watermark after the tick (ms), or null when nothing was ever metered. */
  meteredThrough: number | null;
}

/**
 * docs/design.md#metering: turns the intervals jobs held resources into the append-only usage ledger, minute by
 * minute, behind a watermark. Each chunk is one transaction: ledger rows (idempotent per job, minute and GPU type),
 * the hourly rollup of exactly the rows inserted, jobs' actual_cost, the watermark and the budget hook. A crash
 * before the commit leaves the watermark where it was; the repeat inserts nothing twice.
 */
@Injectable()
export class MeterService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('meter');
  private timer: unknown;
  private running = false;
  private stopped = false;
  private readonly rowsTotal: Counter;
  private readonly unpricedTotal: Counter;
  private readonly clampedTotal: Counter;
  private readonly lag: Gauge;
  private lastThrough: number | null = null;

  constructor(
    private readonly repository: MeterRepository,
    private readonly crash: CrashPoints,
    @Optional() @Inject(BUDGET_WATCHER) private readonly budgets: BudgetWatcher | null,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METER_SETTINGS) private readonly settings: MeterSettings,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.rowsTotal = new Counter({
      name: 'bud_meter_ledger_rows_total',
      help: 'Usage ledger rows this replica wrote',
      registers: [registry],
    });
    this.unpricedTotal = new Counter({
      name: 'bud_meter_unpriced_rows_total',
      help: "Ledger rows whose GPU type the cluster's price book does not price (their GPUs cost 0)",
      registers: [registry],
    });
    this.clampedTotal = new Counter({
      name: 'bud_meter_actual_cost_clamped_total',
      help: "Additions to a job's actual_cost cut at the most its column holds (the ledger keeps the whole amount)",
      registers: [registry],
    });
    const lastThrough = () => this.lastThrough;
    const now = () => this.clock.now();
    this.lag = new Gauge({
      name: 'bud_meter_lag_seconds',
      help: 'How far the metered watermark is behind the clock, as this replica last saw it',
      registers: [registry],
      collect() {
        const through = lastThrough();
        if (through !== null) this.set((now() - through) / 1000);
      },
    });
  }

  onApplicationBootstrap(): void {
    // The first tick comes at once: after a restart the meter catches up from the segments.
    if (this.settings.enabled) this.schedule(0);
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  /** Meters every whole minute up to the horizon (now − lateness, rounded down to the minute), an hour per transaction. */
  async tick(): Promise<TickReport> {
    if (this.running) return { ran: false, chunks: 0, rows: 0, meteredThrough: this.lastThrough };
    this.running = true;
    const report: TickReport = { ran: true, chunks: 0, rows: 0, meteredThrough: null };
    try {
      for (;;) {
        const step = await this.chunk();
        if (!step.locked) return { ...report, ran: report.chunks > 0 };
        report.meteredThrough = step.through;
        if (step.through !== null) this.lastThrough = step.through;
        if (!step.wrote) break;
        report.chunks++;
        report.rows += step.rows;
        this.rowsTotal.inc(step.rows);
        if (step.unpriced > 0) {
          this.unpricedTotal.inc(step.unpriced);
          this.logger.warn('ledger rows with an unpriced GPU type', {
            rows: step.unpriced,
            through: new Date(step.through ?? 0).toISOString(),
          });
        }
        if (step.clamped && step.clamped.length > 0) {
          this.clampedTotal.inc(step.clamped.length);
          this.logger.warn("a job's actual_cost capped at the most its column holds (the ledger keeps the whole amount)", {
            jobs: step.clamped.map((job) => `${job.jobId} (not added: $${job.lost})`).join(', '),
          });
        }
        if (report.chunks > 1)
          this.logger.info('meter catching up', { metered_through: new Date(step.through ?? 0).toISOString(), chunks: report.chunks });
        if (step.caughtUp) break;
      }
      return report;
    } catch (error) {
      // A rolled-back chunk may have created a partition that no longer exists.
      this.repository.forgetPartitions();
      throw error;
    } finally {
      this.running = false;
    }
  }

  private async chunk(): Promise<{
    locked: boolean;
    wrote: boolean;
    caughtUp: boolean;
    rows: number;
    unpriced: number;
    through: number | null;
    /** Jobs whose actual_cost was cut at the most its column holds (counted by tick() once committed). */
    clamped?: Array<{ jobId: string; lost: string }>;
  }> {
    return this.repository.transaction(async (tx) => {
      if (!(await this.repository.tryLock(tx))) return { locked: false, wrote: false, caughtUp: true, rows: 0, unpriced: 0, through: null };
      const now = new Date(this.clock.now());
      await this.repository.promoteDuePrices(tx, now);
      const horizon = floorMinute(now.getTime() - this.settings.latenessMs);
      const start =
        (await this.repository.watermark(tx)) ??
        floorMinute(Math.min((await this.repository.earliestSegmentStart(tx)) ?? horizon, horizon));
      if (start >= horizon) return { locked: true, wrote: false, caughtUp: true, rows: 0, unpriced: 0, through: start };
      const end = Math.min(horizon, start + HOUR_MS);
      await this.repository.ensurePartitions(tx, monthsIn(start, end));
      const segments = await this.repository.segmentsOverlapping(tx, start, end);
      const books = await this.repository.priceBooks(tx, [...new Set(segments.map((segment) => segment.clusterId))]);
      const metered = meterMinutes(segments, books, start, end);
      const inserted = await this.repository.insertLedger(tx, metered.rows, now);
      this.crash.reached('meter.after-ledger-insert', `${inserted.length} rows`);
      await this.repository.addToHourly(tx, inserted);
      await this.repository.addToDeploymentTotals(tx, inserted);
      const costs = new Map<string, bigint>();
      for (const row of inserted) costs.set(row.jobId, (costs.get(row.jobId) ?? 0n) + row.costMicros);
      const clamped = await this.repository.addActualCost(tx, costs);
      this.crash.reached('meter.after-rollup');
      await this.repository.setWatermark(tx, end, now);
      const tenantIds = [...new Set(inserted.map((row) => row.tenantId))].sort();
      await this.budgets?.afterMeter(tx, { tenantIds, now, meteredFrom: new Date(start), meteredTo: new Date(end) });
      this.crash.reached('meter.before-commit');
      return {
        locked: true,
        wrote: true,
        caughtUp: end >= horizon,
        rows: inserted.length,
        unpriced: metered.unpriced,
        through: end,
        clamped,
      };
    });
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.tick()
        .catch((error: unknown) => this.logger.warn('meter tick failed', { error: (error as Error).message }))
        .finally(() => this.schedule(this.settings.tickMs));
    }, ms);
  }
}
