import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/design.md#metering, #price-book, #budgets: the versioned price book, the intervals a job holds resources
 * (written by a trigger on jobs in the same transaction as the change), the append-only usage ledger partitioned by
 * month (partitions are created by the meter before it writes a month), its hourly rollup, the meter's watermark,
 * and budgets with their recorded threshold crossings.
 */
export class Metering1765300000000 implements MigrationInterface {
  name = 'Metering1765300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE price_book (
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        effective_from timestamptz NOT NULL,
        prices jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        created_by uuid,
        PRIMARY KEY (cluster_id, effective_from)
      )`);
    await db.query(`
      INSERT INTO price_book (cluster_id, effective_from, prices, created_at, created_by)
      SELECT id, created_at, price_table, created_at, NULL FROM clusters`);

    // Every price table a cluster gets is an entry of its book: the create's at created_at, a PATCH's at the change's
    // updated_at (the service's clock). The meter promoting a due entry into clusters.price_table sets
    // bud.price_promotion for its transaction, so that copy is not recorded again.
    await db.query(`
      CREATE FUNCTION clusters_price_book() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO price_book (cluster_id, effective_from, prices, created_at) VALUES (NEW.id, NEW.created_at, NEW.price_table, NEW.created_at)
            ON CONFLICT (cluster_id, effective_from) DO UPDATE SET prices = EXCLUDED.prices;
        ELSIF NEW.price_table IS DISTINCT FROM OLD.price_table AND COALESCE(current_setting('bud.price_promotion', true), '') <> 'on' THEN
          INSERT INTO price_book (cluster_id, effective_from, prices, created_at) VALUES (NEW.id, NEW.updated_at, NEW.price_table, NEW.updated_at)
            ON CONFLICT (cluster_id, effective_from) DO UPDATE SET prices = EXCLUDED.prices;
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(
      `CREATE TRIGGER clusters_price_book AFTER INSERT OR UPDATE OF price_table ON clusters FOR EACH ROW EXECUTE FUNCTION clusters_price_book()`,
    );

    await db.query(`
      CREATE TABLE meter_segments (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        project_id uuid,
        deployment_id uuid,
        cluster_id uuid NOT NULL,
        job_name text NOT NULL,
        resources jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await db.query(`CREATE UNIQUE INDEX meter_segments_open ON meter_segments (job_id) WHERE ended_at IS NULL`);
    await db.query(`CREATE INDEX meter_segments_ended ON meter_segments (ended_at) WHERE ended_at IS NOT NULL`);
    // A job holds resources while admitted or running. The segment boundaries are the row's updated_at, which the
    // service sets from the injected clock in the same statement as the status/resources change.
    await db.query(`
      CREATE FUNCTION jobs_meter_segment() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        new_holding boolean := NEW.status IN ('admitted', 'running');
        old_holding boolean := TG_OP = 'UPDATE' AND OLD.status IN ('admitted', 'running');
        resized boolean := TG_OP = 'UPDATE' AND NEW.resources IS DISTINCT FROM OLD.resources;
      BEGIN
        IF old_holding AND (NOT new_holding OR resized) THEN
          UPDATE meter_segments SET ended_at = GREATEST(started_at, NEW.updated_at)
            WHERE job_id = NEW.id AND ended_at IS NULL;
        END IF;
        IF new_holding AND (TG_OP = 'INSERT' OR NOT old_holding OR resized) THEN
          INSERT INTO meter_segments (job_id, tenant_id, project_id, deployment_id, cluster_id, job_name, resources, started_at)
            VALUES (NEW.id, NEW.tenant_id, NEW.project_id, NEW.usecase_deployment_id, NEW.cluster_id, NEW.name,
                    NEW.resources, NEW.updated_at)
            ON CONFLICT (job_id) WHERE ended_at IS NULL DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(
      `CREATE TRIGGER jobs_meter_segment AFTER INSERT OR UPDATE OF status, resources ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_meter_segment()`,
    );
    // A job row deleted while it holds resources: the service closes the segment at the clock's now first (same
    // transaction); this is the fallback when nothing better is known — close at the row's last change.
    await db.query(`
      CREATE FUNCTION jobs_meter_segment_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE meter_segments SET ended_at = GREATEST(started_at, OLD.updated_at)
          WHERE job_id = OLD.id AND ended_at IS NULL;
        RETURN NULL;
      END $$`);
    await db.query(
      `CREATE TRIGGER jobs_meter_segment_delete AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_meter_segment_delete()`,
    );
    await db.query(`
      INSERT INTO meter_segments (job_id, tenant_id, project_id, deployment_id, cluster_id, job_name, resources, started_at)
      SELECT id, tenant_id, project_id, usecase_deployment_id, cluster_id, name, resources, updated_at
        FROM jobs WHERE status IN ('admitted', 'running')`);

    await db.query(`
      CREATE TABLE usage_ledger (
        minute timestamptz NOT NULL,
        job_id uuid NOT NULL,
        gpu_type text NOT NULL,
        tenant_id uuid NOT NULL,
        project_id uuid,
        deployment_id uuid,
        cluster_id uuid NOT NULL,
        job_name text NOT NULL,
        gpu_ms numeric NOT NULL,
        cpu_millicore_ms numeric NOT NULL,
        memory_byte_ms numeric NOT NULL,
        gpu_hour_price numeric(18, 6) NOT NULL,
        vcpu_hour_price numeric(18, 6) NOT NULL,
        memory_gib_hour_price numeric(18, 6) NOT NULL,
        cost numeric(24, 6) NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (minute, job_id, gpu_type)
      ) PARTITION BY RANGE (minute)`);
    await db.query(`CREATE INDEX usage_ledger_tenant ON usage_ledger (tenant_id, minute)`);
    await db.query(`CREATE INDEX usage_ledger_job ON usage_ledger (job_id, minute)`);

    await db.query(`
      CREATE TABLE usage_hourly (
        hour timestamptz NOT NULL,
        job_id uuid NOT NULL,
        gpu_type text NOT NULL,
        gpu_hour_price numeric(18, 6) NOT NULL,
        vcpu_hour_price numeric(18, 6) NOT NULL,
        memory_gib_hour_price numeric(18, 6) NOT NULL,
        tenant_id uuid NOT NULL,
        project_id uuid,
        deployment_id uuid,
        cluster_id uuid NOT NULL,
        job_name text NOT NULL,
        gpu_ms numeric NOT NULL,
        cpu_millicore_ms numeric NOT NULL,
        memory_byte_ms numeric NOT NULL,
        cost numeric(24, 6) NOT NULL,
        PRIMARY KEY (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price)
      )`);
    await db.query(`CREATE INDEX usage_hourly_tenant ON usage_hourly (tenant_id, hour)`);

    await db.query(`
      CREATE TABLE meter_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        metered_through timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);

    await db.query(`
      CREATE TABLE budgets (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        project_id uuid,
        monthly_amount numeric(18, 6) NOT NULL,
        thresholds jsonb NOT NULL,
        action text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    await db.query(
      `CREATE UNIQUE INDEX budgets_scope ON budgets (tenant_id, COALESCE(project_id, '00000000-0000-0000-0000-000000000000'))`,
    );
    await db.query(`
      CREATE TABLE budget_crossings (
        budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
        period text NOT NULL,
        threshold integer NOT NULL,
        spent numeric(24, 6) NOT NULL,
        crossed_at timestamptz NOT NULL,
        PRIMARY KEY (budget_id, period, threshold)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE budget_crossings`);
    await db.query(`DROP TABLE budgets`);
    await db.query(`DROP TABLE meter_state`);
    await db.query(`DROP TABLE usage_hourly`);
    await db.query(`DROP TABLE usage_ledger`);
    await db.query(`DROP TRIGGER jobs_meter_segment_delete ON jobs`);
    await db.query(`DROP FUNCTION jobs_meter_segment_delete()`);
    await db.query(`DROP TRIGGER jobs_meter_segment ON jobs`);
    await db.query(`DROP FUNCTION jobs_meter_segment()`);
    await db.query(`DROP TABLE meter_segments`);
    await db.query(`DROP TRIGGER clusters_price_book ON clusters`);
    await db.query(`DROP FUNCTION clusters_price_book()`);
    await db.query(`DROP TABLE price_book`);
  }
}
