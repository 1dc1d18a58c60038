import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/design.md#job-health, #in-place-update and #volumes: a job's health and rollout beside its status, the last
 * generation that rolled out completely (what a failed update returns to), and the claims that outlive their jobs.
 */
export class JobHealthVolumes1765000000000 implements MigrationInterface {
  name = 'JobHealthVolumes1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE jobs
        ADD COLUMN health text NOT NULL DEFAULT 'unknown' CHECK (health IN ('healthy', 'progressing', 'unhealthy', 'unknown')),
        ADD COLUMN health_reason text,
        ADD COLUMN health_message text,
        ADD COLUMN generation integer NOT NULL DEFAULT 1,
        ADD COLUMN observed_generation integer NOT NULL DEFAULT 0,
        ADD COLUMN rollout_replicas integer NOT NULL DEFAULT 0,
        ADD COLUMN ready_replicas integer NOT NULL DEFAULT 0,
        ADD COLUMN updated_replicas integer NOT NULL DEFAULT 0,
        ADD COLUMN rollout_started_at timestamptz,
        ADD COLUMN last_good_generation integer,
        ADD COLUMN last_good_spec jsonb,
        ADD COLUMN last_good_resources jsonb,
        ADD COLUMN last_good_secret_env_sealed text`);
    // The rollback watchdog looks only at jobs with a rollout under way.
    await db.query(`CREATE INDEX jobs_rollout_started ON jobs (rollout_started_at) WHERE rollout_started_at IS NOT NULL`);
    await db.query(`
      CREATE TABLE volumes (
        id uuid PRIMARY KEY,
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        namespace text NOT NULL,
        claim_name text NOT NULL,
        volume_name text NOT NULL,
        job_name text NOT NULL,
        job_id uuid,
        usecase_deployment_id uuid,
        component text,
        size text NOT NULL,
        status text NOT NULL CHECK (status IN ('attached', 'detached', 'retained', 'deleting')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (cluster_id, namespace, claim_name)
      )`);
    await db.query(`CREATE INDEX volumes_tenant_page ON volumes (cluster_id, tenant_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX volumes_job ON volumes (job_id) WHERE job_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE volumes`);
    await db.query(`DROP INDEX jobs_rollout_started`);
    await db.query(`
      ALTER TABLE jobs
        DROP COLUMN health, DROP COLUMN health_reason, DROP COLUMN health_message, DROP COLUMN generation,
        DROP COLUMN observed_generation, DROP COLUMN rollout_replicas, DROP COLUMN ready_replicas, DROP COLUMN updated_replicas,
        DROP COLUMN rollout_started_at, DROP COLUMN last_good_generation, DROP COLUMN last_good_spec,
        DROP COLUMN last_good_resources, DROP COLUMN last_good_secret_env_sealed`);
  }
}
