import { ManualClock } from '@bud/testing';
import type { DriverRegistry } from '../drivers/driver-registry.service';
import type { JobRepository } from '../repositories/job.repository';
import type { JobUpdateService } from './job-update.service';
import { RolloutWatchdog } from './rollout-watchdog.service';

/** docs/design.md#in-place-update: the watchdog runs on the injected clock, for owned clusters only. */
describe('RolloutWatchdog', () => {
  it('looks for overdue rollouts of the owned clusters every checkMs and rolls each back, until shutdown', async () => {
    const clock = new ManualClock(1_000);
    const asked: Array<{ clusters: readonly string[]; at: number }> = [];
    const rolledBack: string[] = [];
    const jobs = {
      overdueRollouts: async (clusters: readonly string[], now: Date) => {
        asked.push({ clusters, at: now.getTime() });
        return ['j1', 'j2'];
      },
    } as unknown as JobRepository;
    const updates = { rollBack: async (id: string) => (rolledBack.push(id), id === 'j1') } as unknown as JobUpdateService;
    const drivers = { ownedClusters: () => ['c1'] } as unknown as DriverRegistry;
    const watchdog = new RolloutWatchdog(jobs, updates, drivers, clock, { checkMs: 500 });

    watchdog.onApplicationBootstrap();
    await clock.advance(499);
    expect(asked).toEqual([]);
    await clock.advance(1);
    expect(asked).toEqual([{ clusters: ['c1'], at: 1_500 }]);
    expect(rolledBack).toEqual(['j1', 'j2']);
    expect(await watchdog.check()).toBe(1);
    await clock.advance(500);
    expect(asked.map((a) => a.at)).toEqual([1_500, 1_500, 2_000]);

    watchdog.beforeApplicationShutdown();
    await clock.advance(5_000);
    expect(asked).toHaveLength(3);
  });
});
