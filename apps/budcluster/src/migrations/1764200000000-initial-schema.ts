import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764200000000 implements MigrationInterface {
  name = 'InitialSchema1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE clusters (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('kubernetes', 'simulated')),
        tenant_id uuid,
        status text NOT NULL CHECK (status IN ('connecting', 'ready', 'unreachable')),
        status_message text,
        ingress_url text,
        gpu_inventory jsonb NOT NULL DEFAULT '{}',
        price_table jsonb NOT NULL,
        settings jsonb,
        kubeconfig_encrypted text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1
      )`);
    await db.query(`CREATE UNIQUE INDEX clusters_tenant_name ON clusters (tenant_id, name) WHERE tenant_id IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX clusters_shared_name ON clusters (name) WHERE tenant_id IS NULL`);

    await db.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        cluster_id uuid NOT NULL REFERENCES clusters (id),
        tenant_id uuid NOT NULL,
        project_id uuid,
        created_by uuid NOT NULL,
        job_type text NOT NULL CHECK (job_type IN ('service', 'batch', 'training')),
        deployment_type text NOT NULL CHECK (deployment_type IN ('helm', 'docker', 'model')),
        source_type text NOT NULL CHECK (source_type IN ('direct', 'pipeline', 'usecase', 'endpoint', 'pod')),
        source_id text,
        usecase_deployment_id uuid,
        idempotency_key text,
        spec jsonb NOT NULL,
        resources jsonb NOT NULL,
        priority_class text NOT NULL CHECK (priority_class IN ('critical', 'high', 'normal', 'low')),
        priority integer NOT NULL,
        policy jsonb NOT NULL,
        labels jsonb NOT NULL DEFAULT '{}',
        annotations jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('pending', 'queued', 'admitted', 'running', 'succeeded', 'failed', 'cancelled', 'preempted')),
        status_reason text,
        status_message text,
        retry_count integer NOT NULL DEFAULT 0,
        k8s_namespace text NOT NULL,
        k8s_resource_kind text,
        k8s_resource_name text,
        kueue_workload_name text,
        outputs jsonb NOT NULL DEFAULT '{}',
        estimated_cost_per_hour numeric(18, 6) NOT NULL,
        estimated_cost numeric(18, 6),
        actual_cost numeric(18, 6),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        queued_at timestamptz,
        started_at timestamptz,
        completed_at timestamptz,
        version integer NOT NULL DEFAULT 1
      )`);
    // List routes filter by tenant and cluster and page by (created_at, id) descending.
    await db.query(`CREATE INDEX jobs_cluster_page ON jobs (tenant_id, cluster_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX jobs_cluster_status ON jobs (cluster_id, status)`);
    await db.query(`CREATE INDEX jobs_deployment ON jobs (tenant_id, usecase_deployment_id) WHERE usecase_deployment_id IS NOT NULL`);
    await db.query(`CREATE INDEX jobs_source ON jobs (tenant_id, source_type, source_id)`);
    await db.query(`CREATE INDEX jobs_project ON jobs (tenant_id, project_id) WHERE project_id IS NOT NULL`);
    await db.query(`CREATE INDEX jobs_labels ON jobs USING gin (labels jsonb_path_ops)`);
    await db.query(`CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);

    // The status machine of docs/design.md#job-status-machine, enforced by the database as well as by the service.
    await db.query(
      `CREATE TABLE job_status_transitions (from_status text NOT NULL, to_status text NOT NULL, PRIMARY KEY (from_status, to_status))`,
    );
    await db.query(`
      INSERT INTO job_status_transitions (from_status, to_status) VALUES
        ('pending', 'queued'), ('pending', 'admitted'), ('pending', 'running'), ('pending', 'failed'), ('pending', 'cancelled'),
        ('queued', 'admitted'), ('queued', 'failed'), ('queued', 'cancelled'), ('queued', 'preempted'),
        ('admitted', 'running'), ('admitted', 'failed'), ('admitted', 'cancelled'), ('admitted', 'preempted'),
        ('running', 'succeeded'), ('running', 'failed'), ('running', 'cancelled'), ('running', 'preempted'),
        ('preempted', 'pending'), ('preempted', 'queued'), ('preempted', 'failed'), ('preempted', 'cancelled'),
        ('failed', 'pending')`);
    await db.query(`
      CREATE FUNCTION enforce_job_status_transition() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
          SELECT 1 FROM job_status_transitions WHERE from_status = OLD.status AND to_status = NEW.status
        ) THEN
          RAISE EXCEPTION 'invalid job status transition % -> %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(
      `CREATE TRIGGER jobs_status_transition BEFORE UPDATE OF status ON jobs FOR EACH ROW EXECUTE FUNCTION enforce_job_status_transition()`,
    );

    await db.query(`
      CREATE TABLE job_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        from_status text,
        to_status text NOT NULL,
        reason text,
        message text,
        job_version integer NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX job_events_job ON job_events (job_id, id)`);

    await db.query(`
      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        pubsub_name text NOT NULL,
        topic text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_error text
      )`);
    await db.query(`CREATE INDEX outbox_unpublished ON outbox (next_attempt_at, id) WHERE published_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox`);
    await db.query(`DROP TABLE job_events`);
    await db.query(`DROP TRIGGER jobs_status_transition ON jobs`);
    await db.query(`DROP FUNCTION enforce_job_status_transition`);
    await db.query(`DROP TABLE job_status_transitions`);
    await db.query(`DROP TABLE jobs`);
    await db.query(`DROP TABLE clusters`);
  }
}
