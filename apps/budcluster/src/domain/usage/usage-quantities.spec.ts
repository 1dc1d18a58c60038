import { addSums, sumsOf, toQuantities } from './usage-quantities';

describe('usage quantities', () => {
  it('turns the ledger sums into hours with six places and keeps the cost exact', () => {
    // 2 GPUs for 90 minutes; 1500 millicores for 90 minutes; 3 GiB for 90 minutes.
    const sums = sumsOf({
      gpu_ms: String(2 * 90 * 60_000),
      cpu_millicore_ms: String(1500 * 90 * 60_000),
      memory_byte_ms: String(3 * 2 ** 30 * 90 * 60_000),
      cost: '12.345678',
    });
    expect(toQuantities(sums)).toEqual({ gpu_hours: '3.000000', vcpu_hours: '2.250000', memory_gib_hours: '4.500000', cost: '12.345678' });
  });

  it('rounds a quantity half up once, at the end: a millionth of an hour is 3.6 ms', () => {
    const ms = (gpuMs: string) => sumsOf({ gpu_ms: gpuMs, cpu_millicore_ms: '0', memory_byte_ms: '0', cost: '0' });
    expect(toQuantities(ms('1')).gpu_hours).toBe('0.000000');
    expect(toQuantities(ms('1.799999')).gpu_hours).toBe('0.000000');
    expect(toQuantities(ms('1.8')).gpu_hours).toBe('0.000001');
    expect(toQuantities(ms('3600000')).gpu_hours).toBe('1.000000');
    // Two rows of 1 ms each round to zero alone; their exact sum does not.
    expect(toQuantities(addSums(ms('1'), ms('1'))).gpu_hours).toBe('0.000001');
  });

  it('a minute of one vCPU and one GiB is 1/60 of an hour, rounded half up', () => {
    const sums = sumsOf({
      gpu_ms: '0',
      cpu_millicore_ms: String(1000 * 60_000),
      memory_byte_ms: String(2 ** 30 * 60_000),
      cost: '0.000000',
    });
    expect(toQuantities(sums)).toMatchObject({ vcpu_hours: '0.016667', memory_gib_hours: '0.016667', cost: '0.000000' });
  });
});
