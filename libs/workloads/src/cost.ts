import type { JobResources, PriceTable } from '@bud/contracts';
import { exactQuantity } from './quantity';

// Money is computed exactly (integers, fractions as bigint) in micro-dollars and rendered as decimal strings,
// never floats on the wire.
const MICROS = 1_000_000;
const GIB = 2n ** 30n;

/**
 * The most one job may cost per hour ($100,000,000): far beyond any real job, exact as a number of
 * micro-dollars, and inside the numeric(18, 6) cost columns — so an absurd price table cannot overflow them.
 */
export const MAX_HOURLY_COST_MICROS = 100_000_000 * MICROS;

function microsOf(usd: number): bigint {
  return BigInt(Math.round(usd * MICROS));
}

/** Rounds numerator/denominator (both ≥ 0) half up. */
function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (2n * denominator);
}

function exactHourlyCostMicros(resources: JobResources, prices: PriceTable): bigint {
  // Own keys only: a gpu_type like `constructor` must not price as Object.prototype's member.
  const gpuPrice =
    resources.gpu_type && Object.hasOwn(prices.gpu_hour, resources.gpu_type) ? (prices.gpu_hour[resources.gpu_type] ?? 0) : 0;
  const cpu = exactQuantity(resources.cpu_request);
  const memory = exactQuantity(resources.memory_request);
  const denominator = cpu.denominator * memory.denominator * GIB;
  const perReplica =
    BigInt(resources.gpu_count) * microsOf(gpuPrice) * denominator +
    cpu.numerator * microsOf(prices.vcpu_hour) * memory.denominator * GIB +
    memory.numerator * microsOf(prices.memory_gib_hour) * cpu.denominator;
  return roundHalfUp(perReplica * BigInt(Math.max(resources.replicas, 1)), denominator);
}

/** Why a job cannot be priced (it would cost more than MAX_HOURLY_COST_MICROS per hour), or null. */
export function hourlyCostIssue(resources: JobResources, prices: PriceTable): string | null {
  return exactHourlyCostMicros(resources, prices) > BigInt(MAX_HOURLY_COST_MICROS)
    ? `would cost more than $${formatUsd(MAX_HOURLY_COST_MICROS)} per hour at this cluster's prices`
    : null;
}

/** Callers check `hourlyCostIssue` first; past the bound this is a programming error. */
export function hourlyCostMicros(resources: JobResources, prices: PriceTable): number {
  const micros = exactHourlyCostMicros(resources, prices);
  if (micros > BigInt(MAX_HOURLY_COST_MICROS)) throw new Error(`hourly cost ${micros} µ$ is past the bound`);
  return Number(micros);
}

export function costForDurationMicros(hourlyMicros: number, durationMs: number): number {
  return Number(roundHalfUp(BigInt(hourlyMicros) * BigInt(Math.max(Math.trunc(durationMs), 0)), 3_600_000n));
}

export function formatUsd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / MICROS)}.${String(abs % MICROS).padStart(6, '0')}`;
}

export function parseUsdMicros(usd: string): number {
  const [whole = '0', fraction = ''] = usd.replace('-', '').split('.');
  const micros = Number(whole) * MICROS + Number(fraction.padEnd(6, '0').slice(0, 6));
  return usd.startsWith('-') ? -micros : micros;
}
