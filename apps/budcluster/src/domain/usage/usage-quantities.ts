import type { UsageQuantities } from '@bud/contracts';
import { divideHalfUp, formatMillionths, parseMillionths } from './decimal';

const MS_PER_HOUR = 3_600_000n;
const MILLICORES_PER_VCPU = 1000n;
const BYTES_PER_GIB = 2n ** 30n;

/** What the ledger and its hourly rollup sum, as PostgreSQL renders the `numeric` sums (text, exact). */
export interface RawUsage {
  gpu_ms: string;
  cpu_millicore_ms: string;
  memory_byte_ms: string;
  cost: string;
}

/** The same sums held exactly, in millionths of a GPU-ms, millicore-ms, byte-ms and dollar. */
export interface UsageSums {
  gpuMs: bigint;
  cpuMillicoreMs: bigint;
  memoryByteMs: bigint;
  cost: bigint;
}

export const ZERO_SUMS: UsageSums = { gpuMs: 0n, cpuMillicoreMs: 0n, memoryByteMs: 0n, cost: 0n };

export function sumsOf(raw: RawUsage): UsageSums {
  return {
    gpuMs: parseMillionths(raw.gpu_ms),
    cpuMillicoreMs: parseMillionths(raw.cpu_millicore_ms),
    memoryByteMs: parseMillionths(raw.memory_byte_ms),
    cost: parseMillionths(raw.cost),
  };
}

export function addSums(a: UsageSums, b: UsageSums): UsageSums {
  return {
    gpuMs: a.gpuMs + b.gpuMs,
    cpuMillicoreMs: a.cpuMillicoreMs + b.cpuMillicoreMs,
    memoryByteMs: a.memoryByteMs + b.memoryByteMs,
    cost: a.cost + b.cost,
  };
}

/**
 * Hours of a GPU, a vCPU and a GiB of memory, each rounded half up to six places once, from the exact sums (so a
 * total is the rounding of the exact total, not the sum of rounded rows); the cost is exact already.
 */
export function toQuantities(sums: UsageSums): UsageQuantities {
  return {
    gpu_hours: formatMillionths(divideHalfUp(sums.gpuMs, MS_PER_HOUR)),
    vcpu_hours: formatMillionths(divideHalfUp(sums.cpuMillicoreMs, MS_PER_HOUR * MILLICORES_PER_VCPU)),
    memory_gib_hours: formatMillionths(divideHalfUp(sums.memoryByteMs, MS_PER_HOUR * BYTES_PER_GIB)),
    cost: formatMillionths(sums.cost),
  };
}
