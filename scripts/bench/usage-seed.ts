import type { Pool, PoolClient } from 'pg';

/** What `seedUsage` wrote: the tenant whose usage a bench queries, and the ledger's extent. */
export interface SeededUsage {
  tenantId: string;
  otherTenantId: string;
  rows: number;
  from: Date;
  to: Date;
}

export interface UsageSeedShape {
  /** Jobs per tenant; two tenants (the queried one and another), so the query filters as in production. */
  jobsPerTenant: number;
  minutes: number;
  /** The first minute (a month start, UTC). */
  from: Date;
}

/** 1,000,000 ledger rows: 2 tenants × 10 jobs × 50,000 minutes (34.7 days from Oct 1). */
export const MILLION_ROWS: UsageSeedShape = { jobsPerTenant: 10, minutes: 50_000, from: new Date('2026-10-01T00:00:00Z') };

/**
 * Writes `shape`'s ledger rows with generate_series (seconds, not an hour of INSERTs), then the hourly rollup from
 * exactly those rows, summed as the meter adds them (docs/design.md#metering): every job holds 1–4 A100s, 2 vCPUs and
 * 8 GiB at fixed prices, every minute in full. Partitions per month first, as the meter creates them. ANALYZE after.
 */
export async function seedUsage(pool: Pool | PoolClient, shape: UsageSeedShape): Promise<SeededUsage> {
  const to = new Date(shape.from.getTime() + shape.minutes * 60_000);
  for (
    let month = new Date(Date.UTC(shape.from.getUTCFullYear(), shape.from.getUTCMonth(), 1));
    month < to;
    month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))
  ) {
    const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
    const name = `usage_ledger_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF usage_ledger FOR VALUES FROM ('${month.toISOString()}') TO ('${next.toISOString()}')`,
    );
  }
  const tenants = await pool.query<{ a: string; b: string }>(`SELECT gen_random_uuid()::text AS a, gen_random_uuid()::text AS b`);
  const { a: tenantId, b: otherTenantId } = tenants.rows[0];
  const inserted = await pool.query(
    `WITH jobs AS (
       SELECT gen_random_uuid() AS job_id, t.tenant_id, gen_random_uuid() AS deployment_id, gen_random_uuid() AS project_id,
              'bench-' || t.n || '-' || j AS job_name, 1 + j % 4 AS gpus
       FROM (VALUES (1, $1::uuid), (2, $2::uuid)) AS t(n, tenant_id), generate_series(1, $3::int) AS j)
     INSERT INTO usage_ledger (minute, job_id, gpu_type, tenant_id, project_id, deployment_id, cluster_id, job_name, gpu_ms,
                               cpu_millicore_ms, memory_byte_ms, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, cost,
                               recorded_at)
     SELECT m, job_id, 'A100-80GB', tenant_id, project_id, deployment_id, '00000000-0000-4000-8000-00000000c1c1', job_name,
            gpus * 60000, 2000 * 60000, 8 * 1073741824::numeric * 60000, 2.5, 0.04, 0.005,
            round(gpus * 60000 * 2.5 / 3600000 + 2000 * 60000 * 0.04 / 3600000000 + 8 * 60000 * 0.005 / 3600000, 6), m
     FROM jobs, generate_series($4::timestamptz, $4::timestamptz + ($5::int - 1) * interval '1 minute', interval '1 minute') AS m`,
    [tenantId, otherTenantId, shape.jobsPerTenant, shape.from, shape.minutes],
  );
  await pool.query(
    `INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, tenant_id,
                               project_id, deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
     SELECT date_trunc('hour', minute, 'UTC'), job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price,
            tenant_id, project_id, deployment_id, cluster_id, job_name, sum(gpu_ms), sum(cpu_millicore_ms), sum(memory_byte_ms),
            sum(cost)
     FROM usage_ledger
     WHERE tenant_id IN ($1, $2)
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`,
    [tenantId, otherTenantId],
  );
  // The rollup must be the ledger's sums, or the bench would time a query over numbers the API never serves.
  const check = await pool.query<{ same: boolean }>(
    `SELECT (SELECT sum(cost) FROM usage_hourly WHERE tenant_id IN ($1, $2)) = (SELECT sum(cost) FROM usage_ledger WHERE tenant_id IN ($1, $2))
        AND (SELECT count(*) FROM usage_hourly WHERE tenant_id IN ($1, $2)) = 2 * $3::int * ceil($4::int / 60.0) AS same`,
    [tenantId, otherTenantId, shape.jobsPerTenant, shape.minutes],
  );
  if (!check.rows[0].same) throw new Error('the seeded rollup does not sum to the seeded ledger');
  await pool.query(`ANALYZE usage_ledger`);
  await pool.query(`ANALYZE usage_hourly`);
  return { tenantId, otherTenantId, rows: inserted.rowCount ?? 0, from: shape.from, to };
}
