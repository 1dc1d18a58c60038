import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/operations.md#metrics-and-alerts: each deployment's accrued cost, kept by the meter in the same transaction
 * as the ledger rows it adds up, so a scrape reads one row per deployment instead of summing its whole rollup history.
 */
export class DeploymentUsageTotals1765300000002 implements MigrationInterface {
  name = 'DeploymentUsageTotals1765300000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE deployment_usage_totals (
        deployment_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        cost numeric(24, 6) NOT NULL
      )`);
    await db.query(`
      INSERT INTO deployment_usage_totals (deployment_id, tenant_id, cost)
      SELECT deployment_id, min(tenant_id::text)::uuid, SUM(cost) FROM usage_hourly WHERE deployment_id IS NOT NULL GROUP BY deployment_id`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE deployment_usage_totals`);
  }
}
