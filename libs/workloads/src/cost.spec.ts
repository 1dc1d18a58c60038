import type { JobResources, PriceTable } from '@bud/contracts';
import { costForDurationMicros, formatUsd, hourlyCostMicros, parseUsdMicros } from './cost';

const prices: PriceTable = { gpu_hour: { 'A100-80GB': 2.5, 'H100-80GB': 4 }, vcpu_hour: 0.04, memory_gib_hour: 0.005 };
const resources = (overrides: Partial<JobResources>): JobResources => ({ gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1, ...overrides });

describe('cost', () => {
  it.each([
    ['one CPU and 1 GiB', resources({}), '0.045000'],
    ['two A100s with 8 CPUs and 64 GiB', resources({ gpu_type: 'A100-80GB', gpu_count: 2, cpu_request: '8', memory_request: '64Gi' }), '5.640000'],
    ['three replicas of 500m and 512Mi', resources({ cpu_request: '500m', memory_request: '512Mi', replicas: 3 }), '0.067500'],
    ['a GPU type missing from the price table costs nothing for the GPU', resources({ gpu_type: 'L4', gpu_count: 1 }), '0.045000'],
  ])('prices %s per hour', (_name, r, expected) => {
    expect(formatUsd(hourlyCostMicros(r, prices))).toBe(expected);
  });

  it('prices a run by its real duration', () => {
    expect(formatUsd(costForDurationMicros(4_000_000, 90 * 60_000))).toBe('6.000000');
    expect(formatUsd(costForDurationMicros(4_000_000, -5))).toBe('0.000000');
  });

  it('round-trips decimal strings', () => {
    for (const s of ['0.000000', '12.345678', '1000.000001']) expect(formatUsd(parseUsdMicros(s))).toBe(s);
  });
});
