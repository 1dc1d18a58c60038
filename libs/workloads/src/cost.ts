import type { JobResources, PriceTable } from '@bud/contracts';
import { cpuCores, memoryGiB } from './quantity';

// Money is computed in micro-dollars (integers) and rendered as decimal strings, never floats on the wire.
const MICROS = 1_000_000;

export function hourlyCostMicros(resources: JobResources, prices: PriceTable): number {
  const gpuPrice = resources.gpu_type ? (prices.gpu_hour[resources.gpu_type] ?? 0) : 0;
  const perReplica = resources.gpu_count * gpuPrice + cpuCores(resources.cpu_request) * prices.vcpu_hour + memoryGiB(resources.memory_request) * prices.memory_gib_hour;
  return Math.round(perReplica * Math.max(resources.replicas, 1) * MICROS);
}

export function costForDurationMicros(hourlyMicros: number, durationMs: number): number {
  return Math.round((hourlyMicros * Math.max(durationMs, 0)) / 3_600_000);
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
