import type { JobResources, PriceTable } from '@bud/contracts';
import { exactQuantity } from '@bud/workloads';

/**
 * docs/design.md#metering: the pure step of the meter. Intervals a job held resources (segments) and the cluster's
 * price book turn into one ledger row per job, minute and GPU type over a minute-aligned range. Exact: quantities
 * are integers (held ms × units × replicas), money is micro-dollars as bigint, rounded half up once per row.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const MICROS_PER_USD = 1_000_000;
const GIB = 2n ** 30n;
/** cost µ$ = (gpu_ms·gpu µ$/h·1000·2^30 + cpu_millicore_ms·vcpu µ$/h·2^30 + memory_byte_ms·mem µ$/h·1000) / COST_DENOMINATOR */
const COST_DENOMINATOR = 3_600_000_000n * GIB;

export interface MeterSegment {
  jobId: string;
  tenantId: string;
  projectId: string | null;
  deploymentId: string | null;
  clusterId: string;
  jobName: string;
  resources: JobResources;
  startedAt: number;
  /** null: still held. */
  endedAt: number | null;
}

export interface PriceBookEntryAt {
  effectiveFrom: number;
  prices: PriceTable;
}

export interface LedgerRow {
  minute: number;
  jobId: string;
  /** '' for a job without GPUs. */
  gpuType: string;
  tenantId: string;
  projectId: string | null;
  deploymentId: string | null;
  clusterId: string;
  jobName: string;
  gpuMs: bigint;
  cpuMillicoreMs: bigint;
  memoryByteMs: bigint;
  gpuHourPriceMicros: bigint;
  vcpuHourPriceMicros: bigint;
  memoryGibHourPriceMicros: bigint;
  costMicros: bigint;
}

export interface MeterResult {
  rows: LedgerRow[];
  /** Rows whose GPU type the cluster's book does not price (priced 0 for the GPUs), or whose cluster has no book. */
  unpriced: number;
}

export function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** USD per hour (a number from the price table) as micro-dollars, as the estimates read it. */
export function priceMicros(usd: number): bigint {
  return BigInt(Math.round(usd * MICROS_PER_USD));
}

function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (2n * denominator);
}

/** A quantity in (base unit × scale), rounded half up to an integer: cpu `250m` × 1000 → 250 millicores. */
function scaledUnits(quantity: string, scale: bigint): bigint {
  const exact = exactQuantity(quantity);
  return roundHalfUp(exact.numerator * scale, exact.denominator);
}

/** The cost of a row's quantities at its unit prices, in micro-dollars, rounded half up. */
export function rowCostMicros(
  quantities: { gpuMs: bigint; cpuMillicoreMs: bigint; memoryByteMs: bigint },
  prices: { gpu: bigint; vcpu: bigint; memory: bigint },
): bigint {
  const numerator =
    quantities.gpuMs * prices.gpu * 1000n * GIB +
    quantities.cpuMillicoreMs * prices.vcpu * GIB +
    quantities.memoryByteMs * prices.memory * 1000n;
  return roundHalfUp(numerator, COST_DENOMINATOR);
}

/**
 * The book entry in effect at `at`: the latest with effective_from ≤ at. Before the first entry (a job held
 * resources in the minute its cluster was created, which starts before the creation) the first entry applies.
 */
export function priceAt(book: readonly PriceBookEntryAt[], at: number): PriceTable | null {
  let found: PriceBookEntryAt | null = null;
  for (const entry of book) {
    if (entry.effectiveFrom <= at && (!found || entry.effectiveFrom > found.effectiveFrom)) found = entry;
  }
  if (found) return found.prices;
  let first: PriceBookEntryAt | null = null;
  for (const entry of book) if (!first || entry.effectiveFrom < first.effectiveFrom) first = entry;
  return first?.prices ?? null;
}

/**
 * Rows for the minutes in [from, to) (both minute-aligned). An open segment is held up to `to`. A job's segments
 * in the same minute and GPU type add into one row (a scale mid-minute); each row is priced at the entry in effect
 * at the minute's start, so a price change applies from the first whole minute at or after its effective time.
 */
export function meterMinutes(
  segments: readonly MeterSegment[],
  books: ReadonlyMap<string, readonly PriceBookEntryAt[]>,
  from: number,
  to: number,
): MeterResult {
  if (from % MINUTE_MS !== 0 || to % MINUTE_MS !== 0) throw new Error('the metered range must be whole minutes');
  const rows = new Map<string, LedgerRow>();
  for (const segment of segments) {
    const start = Math.max(segment.startedAt, from);
    const end = Math.min(segment.endedAt ?? to, to);
    if (end <= start) continue;
    const resources = segment.resources;
    const replicas = BigInt(Math.max(resources.replicas, 0));
    if (replicas === 0n) continue;
    const gpuCount = BigInt(resources.gpu_count);
    const gpuType = gpuCount > 0n ? (resources.gpu_type ?? '') : '';
    const millicores = scaledUnits(resources.cpu_request, 1000n) * replicas;
    const bytes = scaledUnits(resources.memory_request, 1n) * replicas;
    for (let minute = floorMinute(start); minute < end; minute += MINUTE_MS) {
      const held = BigInt(Math.min(end, minute + MINUTE_MS) - Math.max(start, minute));
      if (held <= 0n) continue;
      const key = `${minute}|${segment.jobId}|${gpuType}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          minute,
          jobId: segment.jobId,
          gpuType,
          tenantId: segment.tenantId,
          projectId: segment.projectId,
          deploymentId: segment.deploymentId,
          clusterId: segment.clusterId,
          jobName: segment.jobName,
          gpuMs: 0n,
          cpuMillicoreMs: 0n,
          memoryByteMs: 0n,
          gpuHourPriceMicros: 0n,
          vcpuHourPriceMicros: 0n,
          memoryGibHourPriceMicros: 0n,
          costMicros: 0n,
        };
        rows.set(key, row);
      }
      row.gpuMs += held * gpuCount * replicas;
      row.cpuMillicoreMs += held * millicores;
      row.memoryByteMs += held * bytes;
    }
  }
  let unpriced = 0;
  const out = [...rows.values()].sort(
    (a, b) => a.minute - b.minute || a.jobId.localeCompare(b.jobId) || a.gpuType.localeCompare(b.gpuType),
  );
  for (const row of out) {
    const prices = priceAt(books.get(row.clusterId) ?? [], row.minute);
    const gpuPrice = prices && row.gpuType !== '' && Object.hasOwn(prices.gpu_hour, row.gpuType) ? prices.gpu_hour[row.gpuType] : undefined;
    if (!prices || (row.gpuType !== '' && gpuPrice === undefined)) unpriced++;
    row.gpuHourPriceMicros = gpuPrice === undefined ? 0n : priceMicros(gpuPrice);
    row.vcpuHourPriceMicros = prices ? priceMicros(prices.vcpu_hour) : 0n;
    row.memoryGibHourPriceMicros = prices ? priceMicros(prices.memory_gib_hour) : 0n;
    row.costMicros = rowCostMicros(row, {
      gpu: row.gpuHourPriceMicros,
      vcpu: row.vcpuHourPriceMicros,
      memory: row.memoryGibHourPriceMicros,
    });
  }
  return { rows: out, unpriced };
}

/** Micro-dollars (or any six-place fixed value) as the decimal string SQL numeric and the wire take. */
export function microsToDecimal(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  return `${sign}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, '0')}`;
}

/** The first day (UTC, ms) of each month the range [from, to) touches. */
export function monthsIn(from: number, to: number): number[] {
  const months: number[] = [];
  const date = new Date(from);
  let month = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  while (month < to) {
    months.push(month);
    const d = new Date(month);
    month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return months;
}
