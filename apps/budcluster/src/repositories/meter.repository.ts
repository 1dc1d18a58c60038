import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { JobResources, PriceTable } from '@bud/contracts';
import { managerOf, returnedRows, runInTransaction } from '@bud/database';
import type { Tx } from '@bud/database';
import { floorHour, microsToDecimal } from '../domain/metering/meter-minutes';
import type { LedgerRow, MeterSegment, PriceBookEntryAt } from '../domain/metering/meter-minutes';

/** pg_try_advisory_xact_lock key of the meter: one replica meters at a time ('bud-meter' as 8 bytes). */
export const METER_LOCK_KEY = '7089039390734071922';
/** The largest jobs.actual_cost numeric(18, 6) holds. */
export const ACTUAL_COST_MAX = '999999999999.999999';
/** Rows per INSERT statement. */
const BATCH = 2000;

/**
 * docs/design.md#metering: the meter's SQL — segments, the price book, ledger partitions, the ledger and its rollup,
 * jobs' actual_cost and the watermark. Every method takes the tick's transaction.
 */
@Injectable()
export class MeterRepository {
  /** Months whose ledger partition this process has made sure of. */
  private readonly partitions = new Set<string>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return runInTransaction(this.db, work);
  }

  /** True when this transaction holds the meter's lock (another replica's tick holds it otherwise). */
  async tryLock(tx: Tx): Promise<boolean> {
    const rows = await managerOf(tx).query<Array<{ locked: boolean }>>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [
      METER_LOCK_KEY,
    ]);
    return rows[0]?.locked === true;
  }

  async watermark(tx: Tx): Promise<number | null> {
    const rows = await managerOf(tx).query<Array<{ metered_through: Date }>>(`SELECT metered_through FROM meter_state WHERE id = 1`);
    return rows[0] ? rows[0].metered_through.getTime() : null;
  }

  /** Where the first tick starts: the earliest start of any segment (all are unmetered then), or null. */
  async earliestSegmentStart(tx: Tx): Promise<number | null> {
    const rows = await managerOf(tx).query<Array<{ start: Date | null }>>(`SELECT min(started_at) AS start FROM meter_segments`);
    return rows[0]?.start ? rows[0].start.getTime() : null;
  }

  async setWatermark(tx: Tx, through: number, now: Date): Promise<void> {
    await managerOf(tx).query(
      `INSERT INTO meter_state (id, metered_through, updated_at) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET metered_through = EXCLUDED.metered_through, updated_at = EXCLUDED.updated_at`,
      [new Date(through), now],
    );
  }

  /** The ledger partition of each month (first days, UTC ms), created when missing. */
  async ensurePartitions(tx: Tx, months: readonly number[]): Promise<void> {
    for (const month of months) {
      const start = new Date(month);
      const name = `usage_ledger_${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
      if (this.partitions.has(name)) continue;
      const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
      // Creating a partition locks the whole ledger until the commit (readers wait): only when it is really missing.
      const [found] = await managerOf(tx).query<Array<{ oid: string | null }>>(`SELECT to_regclass($1)::text AS oid`, [name]);
      if (found?.oid) {
        this.partitions.add(name);
        continue;
      }
      await managerOf(tx).query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF usage_ledger FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`,
      );
      this.partitions.add(name);
    }
  }

  /** Forgets the partitions seen (after a rolled-back tick created one, it may not exist). */
  forgetPartitions(): void {
    this.partitions.clear();
  }

  /** Segments that overlap [from, to): open ones (by the open index) and those that ended after `from`. */
  async segmentsOverlapping(tx: Tx, from: number, to: number): Promise<MeterSegment[]> {
    const rows = await managerOf(tx).query<
      Array<{
        job_id: string;
        tenant_id: string;
        project_id: string | null;
        deployment_id: string | null;
        cluster_id: string;
        job_name: string;
        resources: JobResources;
        started_at: Date;
        ended_at: Date | null;
      }>
    >(
      `SELECT job_id, tenant_id, project_id, deployment_id, cluster_id, job_name, resources, started_at, ended_at
         FROM meter_segments WHERE ended_at IS NULL AND started_at < $2
       UNION ALL
       SELECT job_id, tenant_id, project_id, deployment_id, cluster_id, job_name, resources, started_at, ended_at
         FROM meter_segments WHERE ended_at > $1 AND started_at < $2`,
      [new Date(from), new Date(to)],
    );
    return rows.map((row) => ({
      jobId: row.job_id,
      tenantId: row.tenant_id,
      projectId: row.project_id,
      deploymentId: row.deployment_id,
      clusterId: row.cluster_id,
      jobName: row.job_name,
      resources: row.resources,
      startedAt: row.started_at.getTime(),
      endedAt: row.ended_at ? row.ended_at.getTime() : null,
    }));
  }

  async priceBooks(tx: Tx, clusterIds: readonly string[]): Promise<Map<string, PriceBookEntryAt[]>> {
    const books = new Map<string, PriceBookEntryAt[]>();
    if (clusterIds.length === 0) return books;
    const rows = await managerOf(tx).query<Array<{ cluster_id: string; effective_from: Date; prices: PriceTable }>>(
      `SELECT cluster_id, effective_from, prices FROM price_book WHERE cluster_id = ANY($1::uuid[]) ORDER BY cluster_id, effective_from`,
      [clusterIds],
    );
    for (const row of rows) {
      const book = books.get(row.cluster_id) ?? [];
      book.push({ effectiveFrom: row.effective_from.getTime(), prices: row.prices });
      books.set(row.cluster_id, book);
    }
    return books;
  }

  /** Inserts the rows in batches; answers the rows that were new (a repeat of a metered minute inserts nothing). */
  async insertLedger(tx: Tx, rows: readonly LedgerRow[], now: Date): Promise<LedgerRow[]> {
    const inserted: LedgerRow[] = [];
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const byKey = new Map(batch.map((row) => [`${row.minute}|${row.jobId}|${row.gpuType}`, row]));
      const result = returnedRows(
        await managerOf(tx).query(
          `INSERT INTO usage_ledger (minute, job_id, gpu_type, tenant_id, project_id, deployment_id, cluster_id, job_name,
             gpu_ms, cpu_millicore_ms, memory_byte_ms, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, cost, recorded_at)
           SELECT m, j, g, t, p, d, c, n, gm, cm, mm, gp, vp, mp, co, $16
             FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[],
                         $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[])
               AS u(m, j, g, t, p, d, c, n, gm, cm, mm, gp, vp, mp, co)
           ON CONFLICT DO NOTHING
           RETURNING minute, job_id, gpu_type`,
          [
            batch.map((row) => new Date(row.minute)),
            batch.map((row) => row.jobId),
            batch.map((row) => row.gpuType),
            batch.map((row) => row.tenantId),
            batch.map((row) => row.projectId),
            batch.map((row) => row.deploymentId),
            batch.map((row) => row.clusterId),
            batch.map((row) => row.jobName),
            batch.map((row) => row.gpuMs.toString()),
            batch.map((row) => row.cpuMillicoreMs.toString()),
            batch.map((row) => row.memoryByteMs.toString()),
            batch.map((row) => microsToDecimal(row.gpuHourPriceMicros)),
            batch.map((row) => microsToDecimal(row.vcpuHourPriceMicros)),
            batch.map((row) => microsToDecimal(row.memoryGibHourPriceMicros)),
            batch.map((row) => microsToDecimal(row.costMicros)),
            now,
          ],
        ),
      ) as Array<{ minute: Date; job_id: string; gpu_type: string }>;
      for (const returned of result) {
        const row = byKey.get(`${returned.minute.getTime()}|${returned.job_id}|${returned.gpu_type}`);
        if (row) inserted.push(row);
      }
    }
    return inserted;
  }

  /** Adds exactly these (newly inserted) ledger rows into the hourly rollup. */
  async addToHourly(tx: Tx, rows: readonly LedgerRow[]): Promise<number> {
    const hourly = new Map<string, LedgerRow>();
    for (const row of rows) {
      const hour = floorHour(row.minute);
      const key = `${hour}|${row.jobId}|${row.gpuType}|${row.gpuHourPriceMicros}|${row.vcpuHourPriceMicros}|${row.memoryGibHourPriceMicros}`;
      const sum = hourly.get(key);
      if (sum) {
        sum.gpuMs += row.gpuMs;
        sum.cpuMillicoreMs += row.cpuMillicoreMs;
        sum.memoryByteMs += row.memoryByteMs;
        sum.costMicros += row.costMicros;
      } else hourly.set(key, { ...row, minute: hour });
    }
    const sums = [...hourly.values()];
    for (let i = 0; i < sums.length; i += BATCH) {
      const batch = sums.slice(i, i + BATCH);
      await managerOf(tx).query(
        `INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price,
           tenant_id, project_id, deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
         SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[], $7::uuid[],
                              $8::uuid[], $9::uuid[], $10::uuid[], $11::text[], $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[])
         ON CONFLICT (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price) DO UPDATE SET
           gpu_ms = usage_hourly.gpu_ms + EXCLUDED.gpu_ms,
           cpu_millicore_ms = usage_hourly.cpu_millicore_ms + EXCLUDED.cpu_millicore_ms,
           memory_byte_ms = usage_hourly.memory_byte_ms + EXCLUDED.memory_byte_ms,
           cost = usage_hourly.cost + EXCLUDED.cost`,
        [
          batch.map((row) => new Date(row.minute)),
          batch.map((row) => row.jobId),
          batch.map((row) => row.gpuType),
          batch.map((row) => microsToDecimal(row.gpuHourPriceMicros)),
          batch.map((row) => microsToDecimal(row.vcpuHourPriceMicros)),
          batch.map((row) => microsToDecimal(row.memoryGibHourPriceMicros)),
          batch.map((row) => row.tenantId),
          batch.map((row) => row.projectId),
          batch.map((row) => row.deploymentId),
          batch.map((row) => row.clusterId),
          batch.map((row) => row.jobName),
          batch.map((row) => row.gpuMs.toString()),
          batch.map((row) => row.cpuMillicoreMs.toString()),
          batch.map((row) => row.memoryByteMs.toString()),
          batch.map((row) => microsToDecimal(row.costMicros)),
        ],
      );
    }
    return sums.length;
  }

  /** Adds the inserted rows' cost to their deployments' accrued totals (the metrics read them, not the rollup). */
  async addToDeploymentTotals(tx: Tx, rows: readonly LedgerRow[]): Promise<void> {
    const totals = new Map<string, { tenantId: string; costMicros: bigint }>();
    for (const row of rows) {
      if (!row.deploymentId) continue;
      const total = totals.get(row.deploymentId) ?? { tenantId: row.tenantId, costMicros: 0n };
      total.costMicros += row.costMicros;
      totals.set(row.deploymentId, total);
    }
    if (totals.size === 0) return;
    const entries = [...totals.entries()];
    await managerOf(tx).query(
      `INSERT INTO deployment_usage_totals (deployment_id, tenant_id, cost)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::numeric[])
       ON CONFLICT (deployment_id) DO UPDATE SET cost = deployment_usage_totals.cost + EXCLUDED.cost`,
      [entries.map(([id]) => id), entries.map(([, t]) => t.tenantId), entries.map(([, t]) => microsToDecimal(t.costMicros))],
    );
  }

  /**
   * Adds each job's new ledger cost to its actual_cost (jobs that still exist). Not a change of the job: version and
   * updated_at stay, so no optimistic update is refused and no segment boundary moves. actual_cost is capped at what
   * numeric(18, 6) holds, a last resort (prices are refused when they would make an active job cost more than the
   * per-job hourly bound): an overflow would stop the meter for everyone. Answers the jobs whose sum was cut, with
   * what did not fit (the ledger keeps the whole amount).
   */
  async addActualCost(tx: Tx, costs: ReadonlyMap<string, bigint>): Promise<Array<{ jobId: string; lost: string }>> {
    const ids = [...costs.keys()].sort();
    if (ids.length === 0) return [];
    const rows = returnedRows(
      await managerOf(tx).query(
        `WITH sums AS (
           SELECT jobs.id, COALESCE(jobs.actual_cost, 0) + v.cost AS total
             FROM jobs JOIN unnest($1::uuid[], $2::numeric[]) AS v(id, cost) ON jobs.id = v.id)
         UPDATE jobs SET actual_cost = LEAST(sums.total, ${ACTUAL_COST_MAX}) FROM sums WHERE jobs.id = sums.id
         RETURNING jobs.id, CASE WHEN sums.total > ${ACTUAL_COST_MAX} THEN (sums.total - ${ACTUAL_COST_MAX})::text END AS lost`,
        [ids, ids.map((id) => microsToDecimal(costs.get(id) ?? 0n))],
      ),
    ) as Array<{ id: string; lost: string | null }>;
    return rows.filter((row) => row.lost !== null).map((row) => ({ jobId: row.id, lost: row.lost ?? '0' }));
  }

  /**
   * clusters.price_table is the book's entry in effect now (estimates read it): promotes entries that became due.
   * Answers the clusters whose table changed. Their version stays (the cluster's settings did not change).
   */
  async promoteDuePrices(tx: Tx, now: Date, clusterId?: string): Promise<string[]> {
    // Not a new price: the clusters trigger must not record this copy in the book again.
    await managerOf(tx).query(`SELECT set_config('bud.price_promotion', 'on', true)`);
    const rows = returnedRows(
      await managerOf(tx).query(
        `UPDATE clusters c SET price_table = due.prices
           FROM (SELECT DISTINCT ON (cluster_id) cluster_id, prices FROM price_book WHERE effective_from <= $1
                  ORDER BY cluster_id, effective_from DESC) due
          WHERE c.id = due.cluster_id AND c.price_table IS DISTINCT FROM due.prices AND ($2::uuid IS NULL OR c.id = $2::uuid)
          RETURNING c.id`,
        [now, clusterId ?? null],
      ),
    ) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }
}
