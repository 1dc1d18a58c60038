import type { JobResources, PriceTable } from '@bud/contracts';
import { MAX_HOURLY_COST_MICROS, costForDurationMicros, formatUsd, hourlyCostIssue, hourlyCostMicros, parseUsdMicros } from './cost';

const prices: PriceTable = {
  gpu_hour: { 'A100-80GB': 2.5, 'H100-80GB': 4 },
  vcpu_hour: 0.04,
  memory_gib_hour: 0.005,
  storage_gib_month: 0.1,
};
const resources = (overrides: Partial<JobResources>): JobResources => ({
  gpu_count: 0,
  cpu_request: '1',
  memory_request: '1Gi',
  replicas: 1,
  ...overrides,
});

describe('cost', () => {
  it.each([
    ['one CPU and 1 GiB', resources({}), '0.045000'],
    [
      'two A100s with 8 CPUs and 64 GiB',
      resources({ gpu_type: 'A100-80GB', gpu_count: 2, cpu_request: '8', memory_request: '64Gi' }),
      '5.640000',
    ],
    ['three replicas of 500m and 512Mi', resources({ cpu_request: '500m', memory_request: '512Mi', replicas: 3 }), '0.067500'],
    ['a GPU type missing from the price table costs nothing for the GPU', resources({ gpu_type: 'L4', gpu_count: 1 }), '0.045000'],
  ])('prices %s per hour', (_name, r, expected) => {
    expect(formatUsd(hourlyCostMicros(r, prices))).toBe(expected);
  });

  it.each([
    [
      '3m at $0.0055 is exactly 16.5 µ$ and rounds half up (floating point says 16.4999…)',
      resources({ cpu_request: '3m', memory_request: '0' }),
      { gpu_hour: {}, vcpu_hour: 0.0055, memory_gib_hour: 0, storage_gib_month: 0 },
      '0.000017',
    ],
    [
      '0.3 cores and 0.1 GiB at $0.1 are exact decimals',
      resources({ cpu_request: '0.3', memory_request: '0.1Gi' }),
      { gpu_hour: {}, vcpu_hour: 0.1, memory_gib_hour: 0.1, storage_gib_month: 0 },
      '0.040000',
    ],
    [
      '1G of memory is 10^9 bytes, not a GiB',
      resources({ cpu_request: '0', memory_request: '1G' }),
      { gpu_hour: {}, vcpu_hour: 0, memory_gib_hour: 1, storage_gib_month: 0 },
      '0.931323',
    ],
  ])('prices exactly: %s', (_name, r, table, expected) => {
    expect(formatUsd(hourlyCostMicros(r, table))).toBe(expected);
  });

  it.each([
    [
      'the largest job at ordinary prices',
      resources({ gpu_type: 'H100-80GB', gpu_count: 64, cpu_request: '1024', memory_request: '16Ti', replicas: 1000 }),
      prices,
      null,
    ],
    [
      'the largest job at the highest prices',
      resources({ gpu_type: 'H100-80GB', gpu_count: 64, cpu_request: '1024', memory_request: '16Ti', replicas: 1000 }),
      { gpu_hour: { 'H100-80GB': 1_000_000 }, vcpu_hour: 1_000_000, memory_gib_hour: 1_000_000, storage_gib_month: 0 },
      /per hour/,
    ],
  ])('bounds the hourly cost: %s', (_name, r, table, issue) => {
    const found = hourlyCostIssue(r, table);
    if (issue === null) {
      expect(found).toBeNull();
      expect(hourlyCostMicros(r, table)).toBeLessThanOrEqual(MAX_HOURLY_COST_MICROS);
    } else {
      expect(found).toMatch(issue);
      expect(() => hourlyCostMicros(r, table)).toThrow(/past the bound/);
    }
  });

  it.each(['constructor', 'toString', 'valueOf'])(
    'prices a GPU type named like an Object member (%s) at nothing, not a crash',
    (gpuType) => {
      expect(formatUsd(hourlyCostMicros(resources({ gpu_type: gpuType, gpu_count: 1 }), prices))).toBe('0.045000');
    },
  );

  it('prices a run by its real duration', () => {
    expect(formatUsd(costForDurationMicros(4_000_000, 90 * 60_000))).toBe('6.000000');
    expect(formatUsd(costForDurationMicros(4_000_000, -5))).toBe('0.000000');
  });

  it('round-trips decimal strings', () => {
    for (const s of ['0.000000', '12.345678', '1000.000001']) expect(formatUsd(parseUsdMicros(s))).toBe(s);
  });
});
