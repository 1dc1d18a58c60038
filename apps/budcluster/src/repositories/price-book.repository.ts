import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PriceTable } from '@bud/contracts';
import { managerOf, runInTransaction } from '@bud/database';
import type { Tx } from '@bud/database';

export interface PriceBookRecord {
  clusterId: string;
  effectiveFrom: Date;
  prices: PriceTable;
  createdAt: Date;
  createdBy: string | null;
}

interface Row {
  cluster_id: string;
  effective_from: Date;
  prices: PriceTable;
  created_at: Date;
  created_by: string | null;
}

const toRecord = (row: Row): PriceBookRecord => ({
  clusterId: row.cluster_id,
  effectiveFrom: row.effective_from,
  prices: row.prices,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

/** docs/design.md#price-book: a cluster's prices, versioned by the time they take effect. */
@Injectable()
export class PriceBookRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return runInTransaction(this.db, work);
  }

  async list(clusterId: string): Promise<PriceBookRecord[]> {
    const rows = await this.db.query<Row[]>(`SELECT * FROM price_book WHERE cluster_id = $1 ORDER BY effective_from`, [clusterId]);
    return rows.map(toRecord);
  }

  /** The entry at exactly this time, locked for the transaction. */
  async lockAt(tx: Tx, clusterId: string, effectiveFrom: Date): Promise<PriceBookRecord | null> {
    const rows = await managerOf(tx).query<Row[]>(`SELECT * FROM price_book WHERE cluster_id = $1 AND effective_from = $2 FOR UPDATE`, [
      clusterId,
      effectiveFrom,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Adds the entry, or replaces the one at the same time (the service allows that only for a future entry). */
  async upsert(tx: Tx, record: PriceBookRecord): Promise<PriceBookRecord> {
    const rows = await managerOf(tx).query<Row[]>(
      `INSERT INTO price_book (cluster_id, effective_from, prices, created_at, created_by) VALUES ($1, $2, $3::jsonb, $4, $5)
       ON CONFLICT (cluster_id, effective_from) DO UPDATE SET prices = EXCLUDED.prices, created_at = EXCLUDED.created_at,
         created_by = EXCLUDED.created_by
       RETURNING *`,
      [record.clusterId, record.effectiveFrom, JSON.stringify(record.prices), record.createdAt, record.createdBy],
    );
    return toRecord(rows[0]);
  }
}
