import { randomUUID } from 'node:crypto';
import type { Client, Pool } from 'pg';
import type { RawUsage } from '../../src/domain/usage/usage-quantities';

type Db = Pick<Client | Pool, 'query'>;

/** One job's holding, written into the ledger minute by minute as the meter would (docs/design.md#metering). */
export interface HeldMinutes {
  jobId?: string;
  jobName?: string;
  tenantId: string;
  projectId?: string | null;
  deploymentId?: string | null;
  clusterId: string;
  /** '' (the default): no GPU. */
  gpuType?: string;
  gpus?: number;
  millicores?: number;
  bytes?: number;
  replicas?: number;
  /** Every minute in [from, to) is held for `heldMs` (default: the whole minute). */
  from: string;
  to: string;
  heldMs?: number;
  prices: { gpu: string; vcpu: string; memory: string };
}

/** Partitions of usage_ledger for every month in [from, to), as the meter creates them before it writes. */
export async function ensureLedgerMonths(db: Db, from: string, to: string): Promise<void> {
  const start = new Date(from);
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  while (cursor.getTime() < new Date(to).getTime()) {
    const next = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
    const name = `usage_ledger_${cursor.getUTCFullYear()}_${String(cursor.getUTCMonth() + 1).padStart(2, '0')}`;
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF usage_ledger FOR VALUES FROM ('${cursor.toISOString()}') TO ('${next.toISOString()}')`,
    );
    cursor.setTime(next.getTime());
  }
}

/**
 * Writes the ledger rows of `held` and adds exactly those rows to the hourly rollup, in one statement, the way the
 * meter does: cost per row = Σ quantity × unit price, rounded half up to the micro-dollar once.
 */
export async function writeHeldMinutes(db: Db, held: HeldMinutes): Promise<string> {
  const jobId = held.jobId ?? randomUUID();
  await ensureLedgerMonths(db, held.from, held.to);
  const replicas = held.replicas ?? 1;
  const heldMs = held.heldMs ?? 60_000;
  await db.query(
    `WITH inserted AS (
       INSERT INTO usage_ledger (minute, job_id, gpu_type, tenant_id, project_id, deployment_id, cluster_id, job_name,
                                 gpu_ms, cpu_millicore_ms, memory_byte_ms, gpu_hour_price, vcpu_hour_price,
                                 memory_gib_hour_price, cost, recorded_at)
       SELECT m, $1, $2, $3, $4, $5, $6, $7, q.gpu_ms, q.cpu_ms, q.mem_ms, $8, $9, $10,
              round(q.gpu_ms * $8::numeric / 3600000 + q.cpu_ms * $9::numeric / 3600000000
                    + q.mem_ms * $10::numeric / (3600000::numeric * 1073741824), 6),
              m
       FROM generate_series($11::timestamptz, $12::timestamptz - interval '1 minute', interval '1 minute') AS m,
            LATERAL (SELECT $13::numeric * $14 * $15 AS gpu_ms, $13::numeric * $14 * $16 AS cpu_ms,
                            $13::numeric * $14 * $17 AS mem_ms) AS q
       ON CONFLICT DO NOTHING
       RETURNING *)
     INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, tenant_id,
                               project_id, deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
     SELECT date_trunc('hour', minute, 'UTC'), job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price,
            tenant_id, project_id, deployment_id, cluster_id, job_name, sum(gpu_ms), sum(cpu_millicore_ms),
            sum(memory_byte_ms), sum(cost)
     FROM inserted
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
     ON CONFLICT (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price) DO UPDATE
       SET gpu_ms = usage_hourly.gpu_ms + EXCLUDED.gpu_ms,
           cpu_millicore_ms = usage_hourly.cpu_millicore_ms + EXCLUDED.cpu_millicore_ms,
           memory_byte_ms = usage_hourly.memory_byte_ms + EXCLUDED.memory_byte_ms,
           cost = usage_hourly.cost + EXCLUDED.cost`,
    [
      jobId,
      held.gpuType ?? '',
      held.tenantId,
      held.projectId ?? null,
      held.deploymentId ?? null,
      held.clusterId,
      held.jobName ?? `job-${jobId.slice(0, 8)}`,
      held.prices.gpu,
      held.prices.vcpu,
      held.prices.memory,
      held.from,
      held.to,
      heldMs,
      replicas,
      held.gpus ?? 0,
      held.millicores ?? 0,
      held.bytes ?? 0,
    ],
  );
  return jobId;
}

export async function setMeteredThrough(db: Db, at: string): Promise<void> {
  await db.query(
    `INSERT INTO meter_state (id, metered_through, updated_at) VALUES (1, $1, $1)
     ON CONFLICT (id) DO UPDATE SET metered_through = EXCLUDED.metered_through, updated_at = EXCLUDED.updated_at`,
    [at],
  );
}

/** The oracle: the same sums straight from the ledger, minute by minute, with no rollup involved. */
export async function ledgerSums(
  db: Db,
  where: { tenantId?: string; from: string; to: string; unit: 'hour' | 'day' | 'month'; key?: string },
): Promise<Array<RawUsage & { period_start: string; key: string | null }>> {
  const { rows } = await db.query<RawUsage & { period_start: Date; key: string | null }>(
    `SELECT date_trunc($1, minute, 'UTC') AS period_start, ${where.key ?? 'NULL::text'} AS key,
            sum(gpu_ms)::text AS gpu_ms, sum(cpu_millicore_ms)::text AS cpu_millicore_ms,
            sum(memory_byte_ms)::text AS memory_byte_ms, sum(cost)::text AS cost
     FROM usage_ledger
     WHERE minute >= date_trunc('minute', $2::timestamptz) AND minute < date_trunc('minute', $3::timestamptz)
       AND ($4::uuid IS NULL OR tenant_id = $4)
     GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`,
    [where.unit, where.from, where.to, where.tenantId ?? null],
  );
  return rows.map((row) => ({ ...row, period_start: row.period_start.toISOString() }));
}
