import { compareVersions, upgradeAvailable } from './template-upgrade';

describe('template upgrades', () => {
  it.each([
    ['1.10.0', '1.9.0', 1],
    ['1.0.0', '1.0.0', 0],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-rc.2', '1.0.0-rc.10', -1],
    ['2.0.0', '10.0.0', -1],
    ['b', 'a', 1],
  ])('%s against %s is %d', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it('offers only a newer active version', () => {
    expect(upgradeAvailable('1.0.0', { version: '1.1.0', isActive: true })).toBe('1.1.0');
    expect(upgradeAvailable('1.1.0', { version: '1.0.0', isActive: true })).toBeNull();
    expect(upgradeAvailable('1.0.0', { version: '1.1.0', isActive: false })).toBeNull();
    expect(upgradeAvailable('1.0.0', null)).toBeNull();
  });
});
