import { deploymentStatuses } from '@bud/contracts';
import { deploymentOffers } from './change-actions';

describe('deploymentOffers', () => {
  it.each(deploymentStatuses.map((s) => [s]))(
    'offers update and scale on a %s deployment only when it is placed and not stopping',
    (status) => {
      const offers = deploymentOffers(status, null);
      const expected = ['running', 'degraded', 'failed', 'updating'].includes(status);
      expect({ update: offers.update, scale: offers.scale, upgrade: offers.upgrade }).toEqual({
        update: expected,
        scale: expected,
        upgrade: false,
      });
    },
  );

  it('offers the upgrade only when a newer version is available', () => {
    expect(deploymentOffers('running', '1.1.0').upgrade).toBe(true);
    expect(deploymentOffers('stopped', '1.1.0').upgrade).toBe(false);
  });

  it("keeps stop, start and delete as the contracts' rules decide them", () => {
    expect(deploymentOffers('running', null)).toMatchObject({ stop: true, start: false, delete: true });
    expect(deploymentOffers('stopped', null)).toMatchObject({ stop: false, start: true, delete: true });
    expect(deploymentOffers('deleting', null)).toMatchObject({ stop: false, start: false, delete: false });
  });
});
