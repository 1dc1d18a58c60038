import { formatAge, formatGpu, formatGpuInventory, formatUsd } from './values';

describe('formatUsd', () => {
  it.each([
    ['3.020000', '$3.02'],
    ['0.050000', '$0.05'],
    ['0.004500', '$0.0045'],
    ['12.000000', '$12.00'],
    ['0', '$0.00'],
    [null, '-'],
  ])('shows %s as %s', (decimal, shown) => {
    expect(formatUsd(decimal)).toBe(shown);
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  it.each([
    ['2026-01-10T11:59:15Z', '45s'],
    ['2026-01-10T11:48:00Z', '12m'],
    ['2026-01-10T09:00:00Z', '3h'],
    ['2026-01-05T12:00:00Z', '5d'],
    ['2026-01-10T12:00:05Z', '0s'],
    ['not a time', '-'],
  ])('shows %s as %s', (iso, shown) => {
    expect(formatAge(iso, now)).toBe(shown);
  });
});

describe('GPU columns', () => {
  it('shows a count and type, or a dash for none', () => {
    expect(formatGpu(2, 'A100-80GB')).toBe('2x A100-80GB');
    expect(formatGpu(0, null)).toBe('-');
    expect(formatGpuInventory({ 'A100-80GB': 8, 'H100-80GB': 4 })).toBe('8x A100-80GB, 4x H100-80GB');
    expect(formatGpuInventory({})).toBe('-');
  });
});
