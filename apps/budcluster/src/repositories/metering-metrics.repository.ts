import type { DataSource } from 'typeorm';
import { METRIC_SERIES_CAP } from '@bud/http';
import type { BoundedRows } from '@bud/http';
import { GPU_HOLDING_STATUSES } from '../domain/schedule';

/**
 * Per-deployment, per-tenant and per-budget metrics of docs/operations.md#metrics-and-alerts, read from the database
 * at scrape time (every replica reports the same truth; the alert rules take `max` over replicas). Ids are labels
 * here on purpose: one series per live object, which is what an operator alerts on; each family is capped at
 * METRIC_SERIES_CAP series and the rest counted in bud_metrics_series_dropped_total. Empty tables give no series.
 *
 * Past the cap, no tenant can crowd out the others: each family ranks its rows within their tenant (most urgent
 * first) and takes every tenant's first row, then every tenant's second, and so on (`fairly` below). A tenant with
 * more rows than the others' loses its own least urgent ones, never another tenant's.
 */
export class MeteringMetricsQueries {
  constructor(
    private readonly db: DataSource,
    private readonly cap = METRIC_SERIES_CAP,
  ) {}

  /**
   * Accrued cost (USD) of every deployment that still has jobs here, from deployment_usage_totals (which the meter
   * adds to in the same transaction as the ledger, so it holds every metered minute). Dearest first.
   */
  async deploymentCost(): Promise<BoundedRows<'deployment_id' | 'tenant_id'>> {
    const rows = await this.db.query<Array<{ deployment_id: string; tenant_id: string; cost: string; total: number }>>(
      fairly(
        `SELECT deployment_id, tenant_id, cost::text AS cost, cost AS urgency, deployment_id::text AS tiebreak
           FROM deployment_usage_totals
          WHERE deployment_id IN (SELECT usecase_deployment_id FROM jobs WHERE usecase_deployment_id IS NOT NULL)`,
      ),
      [this.cap],
    );
    return bounded(rows, (r) => ({ labels: { deployment_id: r.deployment_id, tenant_id: r.tenant_id }, value: Number(r.cost) }));
  }

  /** Σ estimated $/hour of the jobs that hold resources now, per deployment with jobs (0 when none holds). */
  async deploymentCostPerHour(): Promise<BoundedRows<'deployment_id' | 'tenant_id'>> {
    const rows = await this.db.query<Array<{ deployment_id: string; tenant_id: string; per_hour: string; total: number }>>(
      fairly(
        `SELECT usecase_deployment_id AS deployment_id, tenant_id,
                COALESCE(SUM(estimated_cost_per_hour) FILTER (WHERE status = ANY($2::text[])), 0)::text AS per_hour,
                COALESCE(SUM(estimated_cost_per_hour) FILTER (WHERE status = ANY($2::text[])), 0) AS urgency,
                usecase_deployment_id::text AS tiebreak
           FROM jobs
          WHERE usecase_deployment_id IS NOT NULL
          GROUP BY usecase_deployment_id, tenant_id`,
      ),
      [this.cap, GPU_HOLDING_STATUSES],
    );
    return bounded(rows, (r) => ({ labels: { deployment_id: r.deployment_id, tenant_id: r.tenant_id }, value: Number(r.per_hour) }));
  }

  /** GPUs (gpu_count × replicas) the tenant's jobs hold now, per GPU type; tenants holding none have no series. */
  async tenantGpusInUse(): Promise<BoundedRows<'tenant_id' | 'gpu_type'>> {
    const rows = await this.db.query<Array<{ tenant_id: string; gpu_type: string; gpus: number; total: number }>>(
      fairly(
        `SELECT tenant_id, gpu_type, SUM(gpus)::int AS gpus, SUM(gpus) AS urgency, gpu_type AS tiebreak
           FROM (SELECT tenant_id, resources->>'gpu_type' AS gpu_type,
                        COALESCE((resources->>'gpu_count')::int, 0) * GREATEST(COALESCE((resources->>'replicas')::int, 1), 1) AS gpus
                   FROM jobs
                  WHERE status = ANY($2::text[]) AND resources->>'gpu_type' IS NOT NULL) AS holding
          WHERE gpus > 0
          GROUP BY tenant_id, gpu_type`,
      ),
      [this.cap, GPU_HOLDING_STATUSES],
    );
    return bounded(rows, (r) => ({ labels: { tenant_id: r.tenant_id, gpu_type: r.gpu_type }, value: r.gpus }));
  }

  /**
   * Each budget's month-to-date spend ÷ its monthly amount, the month being the UTC month of `now` (the injected
   * clock's). A project budget counts its project's usage only. Fullest first within each tenant, shared fairly
   * between tenants; a zero budget is fullest once anything is spent and last (emptiest) while nothing is.
   */
  async budgetUsedRatio(now: Date): Promise<BoundedRows<'budget_id' | 'tenant_id' | 'project_id'>> {
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const rows = await this.db.query<
      Array<{ id: string; tenant_id: string; project_id: string | null; amount: string; spent: string; total: number }>
    >(
      fairly(
        `SELECT b.id, b.tenant_id, b.project_id, b.monthly_amount::text AS amount, s.spent::text AS spent,
                CASE WHEN b.monthly_amount > 0 THEN s.spent / b.monthly_amount WHEN s.spent > 0 THEN 1e12 ELSE -1 END AS urgency,
                b.id::text AS tiebreak
           FROM budgets b
           CROSS JOIN LATERAL (
             SELECT COALESCE(SUM(u.cost), 0) AS spent FROM usage_hourly u
              WHERE u.tenant_id = b.tenant_id AND u.hour >= $2 AND u.hour < $3
                AND (b.project_id IS NULL OR u.project_id = b.project_id)) s`,
      ),
      [this.cap, monthStart, monthEnd],
    );
    return bounded(rows, (r) => ({
      labels: { budget_id: r.id, tenant_id: r.tenant_id, project_id: r.project_id ?? '' },
      value: usedRatio(r.spent, r.amount),
    }));
  }

  /** 1 when budcluster's probe reaches the cluster's API server (status ready), else 0 (connecting, unreachable). */
  async clusterReachable(): Promise<BoundedRows<'cluster_id'>> {
    const rows = await this.db.query<Array<{ id: string; status: string; total: number }>>(
      fairly(`SELECT id, status, tenant_id, CASE WHEN status = 'ready' THEN 0 ELSE 1 END AS urgency, id::text AS tiebreak FROM clusters`),
      [this.cap],
    );
    return bounded(rows, (r) => ({ labels: { cluster_id: r.id }, value: r.status === 'ready' ? 1 : 0 }));
  }

  /**
   * Ready and desired replicas of each use-case component, from its jobs that are not finished (the cluster's
   * report: budusecases does not keep ready counts). Components short of replicas first.
   */
  async componentReplicas(): Promise<{
    ready: BoundedRows<'deployment_id' | 'component'>;
    desired: BoundedRows<'deployment_id' | 'component'>;
  }> {
    const rows = await this.db.query<Array<{ deployment_id: string; component: string; ready: number; desired: number; total: number }>>(
      fairly(
        `SELECT usecase_deployment_id AS deployment_id, labels->>'usecase-component' AS component, tenant_id,
                SUM(ready_replicas)::int AS ready,
                SUM(GREATEST(COALESCE((resources->>'replicas')::int, 1), 1))::int AS desired,
                SUM(GREATEST(COALESCE((resources->>'replicas')::int, 1), 1)) - SUM(ready_replicas) AS urgency,
                usecase_deployment_id::text || '/' || (labels->>'usecase-component') AS tiebreak
           FROM jobs
          WHERE usecase_deployment_id IS NOT NULL AND labels ? 'usecase-component'
            AND status IN ('pending', 'queued', 'admitted', 'running')
          GROUP BY 1, 2, 3`,
      ),
      [this.cap],
    );
    const labels = (r: (typeof rows)[number]) => ({ deployment_id: r.deployment_id, component: r.component });
    return {
      ready: bounded(rows, (r) => ({ labels: labels(r), value: r.ready })),
      desired: bounded(rows, (r) => ({ labels: labels(r), value: r.desired })),
    };
  }
}

/**
 * The capped, fair read of a family: `rows` is a query with the columns `tenant_id` (null: the platform's, one
 * group), `urgency` (numeric, larger first) and `tiebreak` (text); this answers at most $1 of its rows, every tenant's
 * most urgent first, then every tenant's second, …, with `total` = how many rows there were. The family's own
 * parameters start at $2.
 */
function fairly(rows: string): string {
  return `SELECT ranked.*, (count(*) OVER ())::int AS total
            FROM (SELECT r.*, row_number() OVER (PARTITION BY r.tenant_id ORDER BY r.urgency DESC, r.tiebreak) AS tenant_rank
                    FROM (${rows}) AS r) AS ranked
           ORDER BY ranked.tenant_rank, ranked.urgency DESC, ranked.tiebreak
           LIMIT $1`;
}

function bounded<R extends { total: number }, L extends string>(
  rows: R[],
  toRow: (row: R) => { labels: Record<L, string>; value: number },
): BoundedRows<L> {
  return { rows: rows.map(toRow), total: rows[0]?.total ?? 0 };
}

/** spent ÷ amount; a zero budget is fully used by any spend (+Inf) and unused by none. */
export function usedRatio(spent: string, amount: string): number {
  const s = Number(spent);
  const a = Number(amount);
  if (a > 0) return s / a;
  return s > 0 ? Number.POSITIVE_INFINITY : 0;
}
