import type { GpuInventory } from '@bud/contracts';
import { ManualClock } from '@bud/testing';
import { InventoryDebounce } from './node-inventory-watch';

describe('InventoryDebounce', () => {
  function debounce(
    clock: ManualClock,
    current: () => GpuInventory,
    report = jest.fn<Promise<void>, [GpuInventory]>(async () => undefined),
  ) {
    const onReportFailed = jest.fn();
    return { subject: new InventoryDebounce({ debounceMs: 1_000, clock, current, report, onReportFailed }), report, onReportFailed };
  }

  it('reports once for a burst of node changes, a window after the first', async () => {
    const clock = new ManualClock();
    let inventory: GpuInventory = { 'H100-80GB': 8 };
    const { subject, report } = debounce(clock, () => inventory);
    subject.changed();
    await clock.advance(500);
    inventory = { 'H100-80GB': 12 };
    subject.changed();
    await clock.advance(400);
    expect(report).not.toHaveBeenCalled();
    await clock.advance(100);
    expect(report.mock.calls).toEqual([[{ 'H100-80GB': 12 }]]);
  });

  it('still reports while nodes never fall silent for a whole window (a busy cluster)', async () => {
    const clock = new ManualClock();
    let count = 0;
    const { subject, report } = debounce(clock, () => ({ 'H100-80GB': (count += 1) }));
    for (let step = 0; step < 20; step++) {
      subject.changed();
      await clock.advance(500);
    }
    expect(report.mock.calls.length).toBeGreaterThanOrEqual(9);
  });

  it('reports only when the inventory changed, whatever the key order', async () => {
    const clock = new ManualClock();
    let inventory: GpuInventory = { a: 1, b: 2 };
    const { subject, report } = debounce(clock, () => inventory);
    subject.changed();
    await clock.advance(1_000);
    inventory = { b: 2, a: 1 };
    subject.changed();
    await clock.advance(1_000);
    expect(report).toHaveBeenCalledTimes(1);
    inventory = { a: 1 };
    subject.changed();
    await clock.advance(1_000);
    inventory = {};
    subject.changed();
    await clock.advance(1_000);
    expect(report.mock.calls).toEqual([[{ a: 1, b: 2 }], [{ a: 1 }], [{}]]);
  });

  it('tries again at the next change when recording failed', async () => {
    const clock = new ManualClock();
    const report = jest.fn<Promise<void>, [GpuInventory]>(async () => undefined).mockRejectedValueOnce(new Error('database down'));
    const { subject, onReportFailed } = debounce(clock, () => ({ a: 1 }), report);
    subject.changed();
    await clock.advance(1_000);
    expect(onReportFailed).toHaveBeenCalledTimes(1);
    subject.changed();
    await clock.advance(1_000);
    expect(report).toHaveBeenCalledTimes(2);
  });

  it('reports nothing once cancelled', async () => {
    const clock = new ManualClock();
    const { subject, report } = debounce(clock, () => ({ a: 1 }));
    subject.changed();
    subject.cancel();
    await clock.advance(5_000);
    expect(report).not.toHaveBeenCalled();
  });
});
