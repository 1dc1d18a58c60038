import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 10 (docs/design.md#deployment-update): component health, in-place generations, scale overrides. */
export class Day2Components1764400000000 implements MigrationInterface {
  name = 'Day2Components1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE deployment_components
        ADD COLUMN health text,
        ADD COLUMN health_message text,
        ADD COLUMN unhealthy_since timestamptz,
        ADD COLUMN generation integer,
        ADD COLUMN applied_job_hash text,
        ADD COLUMN replicas integer,
        ADD COLUMN removed boolean NOT NULL DEFAULT false`);
    await db.query(
      `ALTER TABLE deployments ADD COLUMN component_overrides jsonb NOT NULL DEFAULT '{}', ADD COLUMN keep_data boolean NOT NULL DEFAULT false, ADD COLUMN job_hash_key text`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deployments DROP COLUMN component_overrides, DROP COLUMN keep_data, DROP COLUMN job_hash_key`);
    await db.query(`
      ALTER TABLE deployment_components
        DROP COLUMN health, DROP COLUMN health_message, DROP COLUMN unhealthy_since, DROP COLUMN generation,
        DROP COLUMN applied_job_hash, DROP COLUMN replicas, DROP COLUMN removed`);
  }
}
