import { divideHalfUp, formatCents, formatMillionths, parseMillionths } from './decimal';

describe('usage decimals', () => {
  it.each([
    ['0', 0n],
    ['42', 42_000_000n],
    ['7.', 7_000_000n],
    ['0.125000', 125_000n],
    ['1.0000004', 1_000_000n],
    ['1.0000005', 1_000_001n],
    ['1.9999995', 2_000_000n],
    ['123456789012345678.123456', 123456789012345678123456n],
  ])('reads %s as %s millionths (half up past six places)', (text, millionths) => {
    expect(parseMillionths(text)).toBe(millionths);
  });

  it.each(['-1', '1e3', '', 'NaN', '1.2.3'])('refuses %j: the text comes from our own SQL', (text) => {
    expect(() => parseMillionths(text)).toThrow('not a non-negative decimal');
  });

  it.each([
    [0n, '0.000000'],
    [1n, '0.000001'],
    [1_500_000n, '1.500000'],
    [-2_000_001n, '-2.000001'],
  ])('writes %s millionths as %s', (value, text) => {
    expect(formatMillionths(value)).toBe(text);
  });

  it.each([
    [0n, '0.00'],
    [4_999n, '0.00'],
    [5_000n, '0.01'],
    [1_234_999n, '1.23'],
    [1_235_000n, '1.24'],
    [99_995_000n, '100.00'],
  ])('rounds %s millionths half up to the cent: %s', (value, due) => {
    expect(formatCents(value)).toBe(due);
  });

  it.each([
    [1n, 2n, 1n],
    [1n, 3n, 0n],
    [3n, 2n, 2n],
    [5n, 10n, 1n],
    [4n, 10n, 0n],
  ])('%s / %s rounds half up to %s', (n, d, q) => {
    expect(divideHalfUp(n, d)).toBe(q);
  });
});
