import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/design.md#quotas: a tenant's quota on a cluster (tenant_id null: the cluster's default quota), and where a
 * queued job stands in its tenant's queue and which flavor an admitted one holds.
 */
export class Quotas1765200000000 implements MigrationInterface {
  name = 'Quotas1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE cluster_quotas (
        id uuid PRIMARY KEY,
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        tenant_id uuid,
        gpus jsonb NOT NULL,
        cpu jsonb,
        memory jsonb,
        weight numeric NOT NULL,
        cohort boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    // One quota per tenant and cluster, and one default per cluster (NULLs are distinct in a plain unique index).
    await db.query(`CREATE UNIQUE INDEX cluster_quotas_tenant ON cluster_quotas (cluster_id, tenant_id) WHERE tenant_id IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX cluster_quotas_default ON cluster_quotas (cluster_id) WHERE tenant_id IS NULL`);
    await db.query(`ALTER TABLE jobs ADD COLUMN queue_position integer, ADD COLUMN admitted_flavor text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs DROP COLUMN queue_position, DROP COLUMN admitted_flavor`);
    await db.query(`DROP TABLE cluster_quotas`);
  }
}
