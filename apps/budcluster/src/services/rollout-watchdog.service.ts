import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { DriverRegistry } from '../drivers/driver-registry.service';
import { JobRepository } from '../repositories/job.repository';
import { JobUpdateService } from './job-update.service';

export const ROLLOUT_SETTINGS = Symbol('ROLLOUT_SETTINGS');
export interface RolloutSettings {
  /** ROLLOUT_CHECK_MS: how often overdue rollouts are looked for. */
  checkMs: number;
}

/**
 * docs/design.md#in-place-update: rolls back updates not ready within their readiness timeout, on the injected
 * clock, for the clusters this replica owns (their owner is the one that re-applies).
 */
@Injectable()
export class RolloutWatchdog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('rollout-watchdog');
  private timer: unknown;
  private running = false;
  private stopped = false;

  constructor(
    private readonly jobs: JobRepository,
    private readonly updates: JobUpdateService,
    private readonly drivers: DriverRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROLLOUT_SETTINGS) private readonly settings: RolloutSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  /** One pass: every overdue rollout of an owned cluster is rolled back. Answers how many were. */
  async check(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      let rolledBack = 0;
      for (const id of await this.jobs.overdueRollouts(this.drivers.ownedClusters(), new Date(this.clock.now()))) {
        if (await this.updates.rollBack(id)) rolledBack++;
      }
      return rolledBack;
    } finally {
      this.running = false;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.check()
        .catch((error: unknown) => this.logger.warn('rollout check failed', { error: (error as Error).message }))
        .finally(() => this.schedule());
    }, this.settings.checkMs);
  }
}
