import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every filter of GET /clusters/{id}/jobs reads its page from an index in the page's order (docs/design.md#lists-and-pagination):
 * (tenant_id, cluster_id, <filter column>, created_at DESC, id DESC). The source, deployment and project indexes
 * replace ones that found the rows but not their order, so a deployment with 100k jobs sorted all of them for
 * each page; job_type and source_type (also the viewable-source restriction) had none and walked the cluster's
 * whole list for a rare value. The statistics let the planner estimate a tenant's rows on a cluster (the two
 * columns are far from independent), which the list's total relies on above its count cap.
 */
export class JobListIndexes1765400000000 implements MigrationInterface {
  name = 'JobListIndexes1765400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX jobs_cluster_type_page ON jobs (tenant_id, cluster_id, job_type, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX jobs_cluster_source_type_page ON jobs (tenant_id, cluster_id, source_type, created_at DESC, id DESC)`);
    await db.query(
      `CREATE INDEX jobs_cluster_source_page ON jobs (tenant_id, cluster_id, source_id, created_at DESC, id DESC) WHERE source_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX jobs_cluster_deployment_page ON jobs (tenant_id, cluster_id, usecase_deployment_id, created_at DESC, id DESC)
        WHERE usecase_deployment_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX jobs_cluster_project_page ON jobs (tenant_id, cluster_id, project_id, created_at DESC, id DESC) WHERE project_id IS NOT NULL`,
    );
    await db.query(`DROP INDEX jobs_source`);
    await db.query(`DROP INDEX jobs_deployment`);
    await db.query(`DROP INDEX jobs_project`);
    await db.query(`CREATE STATISTICS jobs_tenant_cluster (dependencies, mcv) ON tenant_id, cluster_id FROM jobs`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP STATISTICS jobs_tenant_cluster`);
    await db.query(`CREATE INDEX jobs_project ON jobs (tenant_id, project_id) WHERE project_id IS NOT NULL`);
    await db.query(`CREATE INDEX jobs_deployment ON jobs (tenant_id, usecase_deployment_id) WHERE usecase_deployment_id IS NOT NULL`);
    await db.query(`CREATE INDEX jobs_source ON jobs (tenant_id, source_type, source_id)`);
    await db.query(`DROP INDEX jobs_cluster_project_page`);
    await db.query(`DROP INDEX jobs_cluster_deployment_page`);
    await db.query(`DROP INDEX jobs_cluster_source_page`);
    await db.query(`DROP INDEX jobs_cluster_source_type_page`);
    await db.query(`DROP INDEX jobs_cluster_type_page`);
  }
}
