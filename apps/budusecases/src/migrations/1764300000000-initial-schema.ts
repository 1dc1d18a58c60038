import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE components (
        id text PRIMARY KEY,
        definition jsonb NOT NULL,
        name text NOT NULL,
        category text NOT NULL,
        deployment_type text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        version text NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        revision integer NOT NULL DEFAULT 1
      )`);
    await db.query(`CREATE INDEX components_category ON components (category) WHERE is_active`);

    // System templates have no tenant; a user template's id is unique within its tenant and never shadows a system id.
    await db.query(`
      CREATE TABLE templates (
        row_id uuid PRIMARY KEY,
        id text NOT NULL,
        tenant_id uuid,
        is_system boolean NOT NULL,
        document jsonb NOT NULL,
        name text NOT NULL,
        category text NOT NULL,
        version text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        source_file text,
        content_hash text NOT NULL,
        forked_from text,
        created_by uuid,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        revision integer NOT NULL DEFAULT 1
      )`);
    await db.query(`CREATE UNIQUE INDEX templates_system_id ON templates (id) WHERE tenant_id IS NULL`);
    await db.query(`CREATE UNIQUE INDEX templates_tenant_id ON templates (tenant_id, id) WHERE tenant_id IS NOT NULL`);
    await db.query(`CREATE INDEX templates_category ON templates (category, id)`);
    await db.query(`
      CREATE TABLE template_versions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        template_row_id uuid NOT NULL REFERENCES templates (row_id) ON DELETE CASCADE,
        version text NOT NULL,
        revision integer NOT NULL,
        document jsonb NOT NULL,
        author uuid,
        change text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX template_versions_template ON template_versions (template_row_id, id)`);

    await db.query(`
      CREATE TABLE deployments (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        project_id uuid,
        created_by uuid NOT NULL,
        name text NOT NULL,
        template_id text NOT NULL,
        template_version text NOT NULL,
        template_document jsonb NOT NULL,
        cluster_id uuid NOT NULL,
        namespace text NOT NULL,
        parameters jsonb NOT NULL,
        secret_parameters jsonb NOT NULL DEFAULT '{}',
        plan jsonb NOT NULL,
        resolve_context jsonb NOT NULL,
        status text NOT NULL,
        status_message text,
        desired_state text NOT NULL CHECK (desired_state IN ('running', 'stopped', 'deleted')),
        on_failure text NOT NULL CHECK (on_failure IN ('stop', 'rollback')),
        run integer NOT NULL DEFAULT 1,
        estimated_cost_per_hour numeric(18, 6) NOT NULL,
        lease_owner text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1
      )`);
    await db.query(`CREATE UNIQUE INDEX deployments_tenant_name ON deployments (tenant_id, name)`);
    await db.query(`CREATE INDEX deployments_tenant_page ON deployments (tenant_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX deployments_unsettled ON deployments (updated_at) WHERE status NOT IN ('running', 'stopped', 'failed')`);

    await db.query(`
      CREATE TABLE deployment_components (
        deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
        id text NOT NULL,
        component_ref text NOT NULL,
        status text NOT NULL,
        wave integer NOT NULL,
        depends_on text[] NOT NULL DEFAULT '{}',
        planned jsonb NOT NULL,
        definition jsonb NOT NULL,
        job_id uuid,
        job_status text,
        job_version integer NOT NULL DEFAULT 0,
        job_outputs jsonb NOT NULL DEFAULT '{}',
        revision integer NOT NULL DEFAULT 0,
        outputs jsonb NOT NULL DEFAULT '{}',
        message text,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (deployment_id, id)
      )`);

    await db.query(`
      CREATE TABLE deployment_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        deployment_id uuid NOT NULL,
        type text NOT NULL,
        component_id text,
        status text,
        message text,
        occurred_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX deployment_events_deployment ON deployment_events (deployment_id, id)`);
    // The outbox layout libs/outbox reads (OutboxRow); written out here because a migration never changes.
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
    for (const table of [
      'outbox',
      'deployment_events',
      'deployment_components',
      'deployments',
      'template_versions',
      'templates',
      'components',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
