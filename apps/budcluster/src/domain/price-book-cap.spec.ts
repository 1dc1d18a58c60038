import { priceCapIssue } from './price-book-cap';
import type { PricedJob } from './price-book-cap';

const job = (resources: Record<string, unknown>): PricedJob => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'big',
  resources: { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1, ...resources },
});
const prices = (over: Record<string, unknown>) => ({ gpu_hour: {}, vcpu_hour: 0, memory_gib_hour: 0, ...over });

describe('price cap of a price table over the active jobs', () => {
  it.each([
    ['memory', job({ memory_request: '16Ti', replicas: 100 }), prices({ memory_gib_hour: 100 }), 'price_table.memory_gib_hour'],
    ['vCPU', job({ cpu_request: '1000', replicas: 1000 }), prices({ vcpu_hour: 1000, memory_gib_hour: 1 }), 'price_table.vcpu_hour'],
    [
      'GPU',
      job({ gpu_type: 'H100', gpu_count: 8, replicas: 1000 }),
      prices({ gpu_hour: { H100: 1_000_000 } }),
      'price_table.gpu_hour.H100',
    ],
  ])('names the %s price that pushes a job past $100M/h', (_, held, table, path) => {
    expect(priceCapIssue([job({}), held], table as never)?.path).toBe(path);
  });

  it('accepts a table at which every job stays within $100M/h (exactly $100M/h included)', () => {
    // 100,000 GiB at $1,000 per GiB-hour: exactly $100,000,000.
    expect(priceCapIssue([job({ memory_request: '100000Gi' })], prices({ memory_gib_hour: 1000 }) as never)).toBeNull();
    expect(priceCapIssue([job({ memory_request: '100001Gi' })], prices({ memory_gib_hour: 1000 }) as never)?.path).toBe(
      'price_table.memory_gib_hour',
    );
    expect(priceCapIssue([], prices({ memory_gib_hour: 1_000_000 }) as never)).toBeNull();
  });
});
