import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { RawUsage } from '../domain/usage/usage-quantities';
import type { Span } from '../domain/usage/usage-window';

/** One invoice line: a job at one GPU type and one set of unit prices, summed over the month's hours. */
export interface InvoiceLineRow extends RawUsage {
  deployment_id: string | null;
  job_id: string;
  job_name: string;
  cluster_id: string;
  project_id: string | null;
  gpu_type: string | null;
  gpu_hour_price: string;
  vcpu_hour_price: string;
  memory_gib_hour_price: string;
}

export interface InvoiceData {
  lines: InvoiceLineRow[];
  /** Σ cost of the tenant's ledger rows in the month (numeric text, exact). */
  ledgerTotal: string;
  /** How far the meter has written the ledger; null before its first tick. */
  meteredThrough: Date | null;
}

/** The ledger's side of an invoice (docs/design.md#invoices): lines from the hourly rollup, the total from the ledger. */
@Injectable()
export class InvoiceRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The month's lines, the ledger's total and the meter's watermark from one snapshot (REPEATABLE READ), so a meter
   * transaction committing in between cannot make the lines and the total disagree.
   */
  async read(tenantId: string, month: Span): Promise<InvoiceData> {
    return this.db.transaction('REPEATABLE READ', async (tx) => ({
      lines: await lines(tx, tenantId, month),
      ledgerTotal: await ledgerTotal(tx, tenantId, month),
      meteredThrough: await meteredThrough(tx),
    }));
  }
}

/** A month is whole hours, so the rollup alone gives its lines. */
async function lines(tx: EntityManager, tenantId: string, month: Span): Promise<InvoiceLineRow[]> {
  return tx.query<InvoiceLineRow[]>(
    `SELECT deployment_id, job_id, job_name, cluster_id, project_id, NULLIF(gpu_type, '') AS gpu_type,
            gpu_hour_price::text AS gpu_hour_price, vcpu_hour_price::text AS vcpu_hour_price,
            memory_gib_hour_price::text AS memory_gib_hour_price,
            sum(gpu_ms)::text AS gpu_ms, sum(cpu_millicore_ms)::text AS cpu_millicore_ms,
            sum(memory_byte_ms)::text AS memory_byte_ms, sum(cost)::text AS cost
     FROM usage_hourly
     WHERE tenant_id = $1 AND hour >= $2 AND hour < $3
     GROUP BY deployment_id, job_id, job_name, cluster_id, project_id, gpu_type, gpu_hour_price, vcpu_hour_price,
              memory_gib_hour_price
     ORDER BY deployment_id NULLS LAST, job_name, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price`,
    [tenantId, month.from, month.to],
  );
}

/** Σ cost of the tenant's ledger rows in the month, exactly (numeric text); the month's partition alone is read. */
async function ledgerTotal(tx: EntityManager, tenantId: string, month: Span): Promise<string> {
  const rows = await tx.query<Array<{ total: string }>>(
    `SELECT COALESCE(sum(cost), 0)::text AS total FROM usage_ledger WHERE tenant_id = $1 AND minute >= $2 AND minute < $3`,
    [tenantId, month.from, month.to],
  );
  return rows[0].total;
}

/** How far the meter has written the ledger, or null before its first tick. */
async function meteredThrough(tx: EntityManager): Promise<Date | null> {
  const rows = await tx.query<Array<{ metered_through: Date }>>(`SELECT metered_through FROM meter_state WHERE id = 1`);
  return rows[0]?.metered_through ?? null;
}
