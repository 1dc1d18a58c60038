import type { DataSource } from 'typeorm';
import { METRIC_SERIES_CAP } from '@bud/http';
import type { BoundedRows } from '@bud/http';

/**
 * Per-deployment metrics of docs/operations.md#metrics-and-alerts, read from the database at scrape time (every
 * replica reports the same truth; the alert rules take `max` over replicas). A deployment id is a label on purpose:
 * one series per live deployment, with its current status only (value 1), so the series count is the deployment
 * count; each family is capped at METRIC_SERIES_CAP and the rest counted in bud_metrics_series_dropped_total.
 * Troubled deployments and components come first, so the cap never hides what an alert is about.
 */
export class UsecaseMetricsQueries {
  constructor(
    private readonly db: DataSource,
    private readonly cap = METRIC_SERIES_CAP,
  ) {}

  async deploymentStatus(): Promise<BoundedRows<'deployment_id' | 'tenant_id' | 'template' | 'status'>> {
    const rows = await this.db.query<Array<{ id: string; tenant_id: string; template_id: string; status: string; total: number }>>(
      `SELECT id, tenant_id, template_id, status, (count(*) OVER ())::int AS total
         FROM deployments
        ORDER BY (status IN ('running', 'stopped')), updated_at DESC, id
        LIMIT $1`,
      [this.cap],
    );
    return {
      rows: rows.map((r) => ({
        labels: { deployment_id: r.id, tenant_id: r.tenant_id, template: r.template_id, status: r.status },
        value: 1,
      })),
      total: rows[0]?.total ?? 0,
    };
  }

  /** Components an update removed are left out (their job is gone; the deployment no longer has them). */
  async componentStatus(): Promise<BoundedRows<'deployment_id' | 'component' | 'status'>> {
    const rows = await this.db.query<Array<{ deployment_id: string; id: string; status: string; total: number }>>(
      `SELECT deployment_id, id, status, (count(*) OVER ())::int AS total
         FROM deployment_components
        WHERE NOT removed
        ORDER BY (status IN ('running', 'stopped', 'skipped')), deployment_id, id
        LIMIT $1`,
      [this.cap],
    );
    return {
      rows: rows.map((r) => ({ labels: { deployment_id: r.deployment_id, component: r.id, status: r.status }, value: 1 })),
      total: rows[0]?.total ?? 0,
    };
  }
}
