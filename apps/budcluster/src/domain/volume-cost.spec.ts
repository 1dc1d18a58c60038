import { exactQuantity } from '@bud/workloads';
import { monthlyStorageMicros } from './volume-cost';

describe('monthlyStorageMicros', () => {
  it('prices GiB exactly, with binary and decimal sizes, rounding half up', () => {
    expect(monthlyStorageMicros(exactQuantity('20Gi'), 100_000n)).toBe(2_000_000n);
    expect(monthlyStorageMicros(exactQuantity('512Mi'), 100_000n)).toBe(50_000n);
    // 1G = 10^9 bytes = 0.931322574615… GiB → $0.0931322574… → 93132 µ$
    expect(monthlyStorageMicros(exactQuantity('1G'), 100_000n)).toBe(93_132n);
    expect(monthlyStorageMicros(exactQuantity('1Gi'), 0n)).toBe(0n);
  });
});
