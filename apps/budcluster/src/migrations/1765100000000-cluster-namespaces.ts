import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/design.md#namespaces: the namespaces budcluster manages on each cluster and the tenant that owns each,
 * and the isolation rendered with them (null: the defaults). Namespaces that jobs already use are recorded as
 * their first job's tenant's.
 */
export class ClusterNamespaces1765100000000 implements MigrationInterface {
  name = 'ClusterNamespaces1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE clusters ADD COLUMN isolation jsonb`);
    await db.query(`
      CREATE TABLE cluster_namespaces (
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        name text NOT NULL,
        tenant_id uuid NOT NULL,
        project_id uuid,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (cluster_id, name)
      )`);
    await db.query(`CREATE INDEX cluster_namespaces_tenant ON cluster_namespaces (cluster_id, tenant_id, name)`);
    await db.query(`
      INSERT INTO cluster_namespaces (cluster_id, name, tenant_id, project_id, created_at)
      SELECT DISTINCT ON (cluster_id, k8s_namespace) cluster_id, k8s_namespace, tenant_id, project_id, created_at
      FROM jobs WHERE k8s_namespace IS NOT NULL
      ORDER BY cluster_id, k8s_namespace, created_at, id`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE cluster_namespaces`);
    await db.query(`ALTER TABLE clusters DROP COLUMN isolation`);
  }
}
