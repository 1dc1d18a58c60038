import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/design.md#price-book: a cluster's price book outlives the cluster, like the ledger and the meter's segments. A
 * deleted cluster's jobs may hold minutes the meter has not priced yet (it runs behind the clock, or was down): they
 * are priced with the book in effect, never at $0 because the book went with the cluster (it was ON DELETE CASCADE).
 * Reads of the book go through a visible cluster, so a deleted cluster's book is seen only by the meter.
 */
export class PriceBookOutlivesCluster1765300000001 implements MigrationInterface {
  name = 'PriceBookOutlivesCluster1765300000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE price_book DROP CONSTRAINT IF EXISTS price_book_cluster_id_fkey`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM price_book WHERE NOT EXISTS (SELECT 1 FROM clusters c WHERE c.id = price_book.cluster_id)`);
    await db.query(
      `ALTER TABLE price_book ADD CONSTRAINT price_book_cluster_id_fkey FOREIGN KEY (cluster_id) REFERENCES clusters (id) ON DELETE CASCADE`,
    );
  }
}
